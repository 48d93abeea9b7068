#include "sim/shop/userland.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"
#include "sim/kube/controllers_internal.h"
#include "sim/shop/metrics.h"
#include "sim/shop/mysql_shell.h"
#include "sim/shop/orders_db.h"
#include "sim/shop/service_proxy.h"
#include "sim/store/validation.h"

namespace sre_eval {
namespace sim {
namespace {

using internal::At;
using internal::Str;
using json = nlohmann::json;

// absl's Consume* for std::string.
bool ConsumePrefix(std::string* s, absl::string_view prefix) {
  if (!absl::StartsWith(*s, prefix)) return false;
  s->erase(0, prefix.size());
  return true;
}
bool ConsumeSuffix(std::string* s, absl::string_view suffix) {
  if (!absl::EndsWith(*s, suffix)) return false;
  s->resize(s->size() - suffix.size());
  return true;
}

// Output beyond this is cut: a pipeline cannot grow without bound (cat of a file in a loop).
constexpr size_t kMaxOutput = size_t{4} << 20;

const char kCgroup[] = "/sys/fs/cgroup/";
const char kClusterDomain[] = "svc.cluster.local";
const char kDnsServer[] = "10.96.0.10";

struct Io {
  std::string out;
  std::string err;
  int code = 0;
};

// What a command sees of the container it runs in.
class Container {
 public:
  Container(Sim* sim, const json& pod, const std::string& name, absl::Duration shift)
      : sim_(sim), pod_(pod), name_(name), shift_(shift) {
    for (const json& c : At(pod, {"spec", "containers"})) {
      if (Str(At(c, {"name"})) == name) spec_ = &c;
    }
  }

  Sim* sim() const { return sim_; }
  const json& pod() const { return pod_; }
  const json& spec() const { return spec_ != nullptr ? *spec_ : empty_; }
  std::string pod_name() const { return Str(At(pod_, {"metadata", "name"})); }
  std::string ns() const { return Str(At(pod_, {"metadata", "namespace"})); }
  std::string image() const { return Str(At(spec(), {"image"})); }
  absl::Time now() const { return sim_->Now(); }
  absl::Duration shift() const { return shift_; }

  // The running instance's start.
  absl::Time started() const {
    for (const json& s : At(pod_, {"status", "containerStatuses"})) {
      if (Str(At(s, {"name"})) == name_) {
        return ParseApiTime(At(s, {"state", "running", "startedAt"}));
      }
    }
    return now();
  }

  std::optional<int64_t> Limit(const char* resource, int64_t per_unit_millis) const {
    const json& q = At(spec(), {"resources", "limits", resource});
    if (!q.is_string()) return std::nullopt;
    std::optional<long double> millis = QuantityMillis(q.get<std::string>());
    if (!millis.has_value()) return std::nullopt;
    return static_cast<int64_t>(*millis / per_unit_millis);
  }

  Usage UsageAt(absl::Time t) const { return sim_->ContainerUsage(pod_, name_, t); }

  // The environment, in the order a container's environ has it.
  std::vector<std::pair<std::string, std::string>> Env() const {
    std::vector<std::pair<std::string, std::string>> env = {
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"HOSTNAME", pod_name()}};
    for (const json& e : At(spec(), {"env"})) {
      if (At(e, {"value"}).is_string())
        env.emplace_back(Str(At(e, {"name"})), Str(At(e, {"value"})));
    }
    // The service links the kubelet adds (enableServiceLinks defaults to true).
    auto link = [&](std::string name, const std::string& ip, const json& ports) {
      name = absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}}));
      bool first = true;
      for (const json& p : ports) {
        std::string port =
            absl::StrCat(At(p, {"port"}).is_number() ? At(p, {"port"}).get<int>() : 0);
        std::string proto = absl::AsciiStrToLower(
            Str(At(p, {"protocol"})).empty() ? std::string("TCP") : Str(At(p, {"protocol"})));
        std::string url = absl::StrCat(proto, "://", ip, ":", port);
        if (first) {
          env.emplace_back(name + "_SERVICE_HOST", ip);
          env.emplace_back(name + "_SERVICE_PORT", port);
          env.emplace_back(name + "_PORT", url);
          first = false;
        }
        if (!Str(At(p, {"name"})).empty()) {
          env.emplace_back(absl::StrCat(name, "_SERVICE_PORT_",
                                        absl::AsciiStrToUpper(absl::StrReplaceAll(
                                            Str(At(p, {"name"})), {{"-", "_"}}))),
                           port);
        }
        std::string prefix = absl::StrCat(name, "_PORT_", port, "_", absl::AsciiStrToUpper(proto));
        env.emplace_back(prefix, url);
        env.emplace_back(prefix + "_PROTO", proto);
        env.emplace_back(prefix + "_PORT", port);
        env.emplace_back(prefix + "_ADDR", ip);
      }
    };
    link("kubernetes", "10.96.0.1",
         json::array({{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}}}));
    for (const json& s : sim_->store()->List("services", ns())) {
      std::string ip = Str(At(s, {"spec", "clusterIP"}));
      if (ip.empty() || ip == "None") continue;
      link(Str(At(s, {"metadata", "name"})), ip, At(s, {"spec", "ports"}));
    }
    env.emplace_back("HOME", "/root");
    return env;
  }

  // A service name as the pod's resolver reads it: NAME, NAME.NS, NAME.NS.svc,
  // NAME.NS.svc.cluster.local (and a trailing dot); the service's JSON and its full name.
  std::optional<std::pair<json, std::string>> Resolve(std::string host) const {
    ConsumeSuffix(&host, ".");
    std::vector<std::string> parts = absl::StrSplit(host, '.');
    std::string ns = this->ns();
    if (parts.size() >= 2) {
      std::string rest = absl::StrJoin(parts.begin() + 2, parts.end(), ".");
      if (!rest.empty() && rest != "svc" && rest != kClusterDomain) return std::nullopt;
      ns = parts[1];
    }
    auto svc = sim_->store()->Get("services", ns, parts[0]);
    if (!svc.ok()) return std::nullopt;
    return std::make_pair(*std::move(svc), absl::StrCat(parts[0], ".", ns, ".", kClusterDomain));
  }

  // The service in front of this pod (its selector matches the pod's labels).
  std::optional<json> OwnService() const {
    const json& labels = At(pod_, {"metadata", "labels"});
    for (const json& s : sim_->store()->List("services", ns())) {
      const json& selector = At(s, {"spec", "selector"});
      if (!selector.is_object() || selector.empty()) continue;
      bool all = true;
      for (auto it = selector.begin(); it != selector.end(); ++it) {
        all = all && labels.is_object() && labels.contains(it.key()) && labels[it.key()] == *it;
      }
      if (all) return s;
    }
    return std::nullopt;
  }

 private:
  Sim* sim_;
  const json& pod_;
  std::string name_;
  absl::Duration shift_;
  const json* spec_ = nullptr;
  json empty_ = json::object();
};

// ---- files ----

std::optional<std::string> CgroupFile(const Container& c, const std::string& file) {
  const absl::Time now = c.now();
  const absl::Time started = c.started();
  if (file == "memory.max") {
    std::optional<int64_t> limit = c.Limit("memory", 1000);
    return (limit.has_value() ? absl::StrCat(*limit) : std::string("max")) + "\n";
  }
  if (file == "memory.current") return absl::StrCat(c.UsageAt(now).memory_bytes, "\n");
  // Sampled every 15 s over the instance's life (at most the last 6 hours).
  auto samples = [&](const std::function<void(const Usage&)>& f) {
    absl::Time from = std::max(started, now - absl::Hours(6));
    for (absl::Time t = now; t >= from; t -= absl::Seconds(15)) f(c.UsageAt(t));
  };
  if (file == "memory.peak") {
    int64_t peak = 0;
    samples([&](const Usage& u) { peak = std::max(peak, u.memory_bytes); });
    return absl::StrCat(peak, "\n");
  }
  if (file == "memory.events") {
    // This instance's cgroup: an OOM kill ends the instance, so oom_kill reads 0 here.
    return std::string("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
  }
  if (file == "cpu.max") {
    std::optional<int64_t> millicores = c.Limit("cpu", 1);
    return millicores.has_value() ? absl::StrCat(*millicores * 100, " 100000\n")
                                  : std::string("max 100000\n");
  }
  if (file == "cpu.stat") {
    std::optional<int64_t> millicores = c.Limit("cpu", 1);
    double usage_usec = 0;
    int64_t throttled_samples = 0;
    samples([&](const Usage& u) {
      usage_usec += static_cast<double>(u.cpu_nanocores) / 1e9 * 15e6;
      if (millicores.has_value() && u.cpu_nanocores >= *millicores * 1000000 * 99 / 100) {
        ++throttled_samples;
      }
    });
    const int64_t uptime_usec = absl::ToInt64Microseconds(now - started);
    const int64_t usage = std::min<int64_t>(static_cast<int64_t>(usage_usec), uptime_usec * 64);
    std::string out = absl::StrCat("usage_usec ", usage, "\nuser_usec ", usage * 4 / 5,
                                   "\nsystem_usec ", usage - usage * 4 / 5, "\n");
    if (millicores.has_value()) {
      // 100 ms periods; a period at the limit is throttled for about a tenth of it.
      const int64_t periods = uptime_usec / 100000;
      const int64_t throttled = std::min(periods, throttled_samples * 150);
      absl::StrAppend(&out, "nr_periods ", periods, "\nnr_throttled ", throttled,
                      "\nthrottled_usec ", throttled * 10000, "\n");
    }
    absl::StrAppend(&out, "nr_bursts 0\nburst_usec 0\n");
    return out;
  }
  return std::nullopt;
}

const std::vector<std::string>& CgroupFiles() {
  static const auto* files = new std::vector<std::string>{
      "cgroup.controllers", "cpu.max",    "cpu.stat",   "memory.current",
      "memory.events",      "memory.max", "memory.peak"};
  return *files;
}

std::optional<std::string> ReadFile(const Container& c, std::string path) {
  while (absl::StrContains(path, "//")) path = absl::StrReplaceAll(path, {{"//", "/"}});
  if (absl::StartsWith(path, kCgroup)) {
    std::string file = path.substr(sizeof(kCgroup) - 1);
    if (file == "cgroup.controllers")
      return std::string("cpuset cpu io memory hugetlb pids rdma\n");
    return CgroupFile(c, file);
  }
  if (path == "/etc/hostname") return c.pod_name() + "\n";
  if (path == "/etc/hosts") {
    std::string ip = Str(At(c.pod(), {"status", "podIP"}));
    return absl::StrCat(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
        "ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\n"
        "fe00::2\tip6-allrouters\n",
        ip, "\t", c.pod_name(), "\n");
  }
  if (path == "/etc/resolv.conf") {
    return absl::StrCat("search ", c.ns(), ".", kClusterDomain, " ", kClusterDomain,
                        " cluster.local\nnameserver ", kDnsServer, "\noptions ndots:5\n");
  }
  return std::nullopt;
}

// ---- commands ----

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) absl::StrAppend(&out, l, "\n");
  return out;
}

std::vector<std::string> SplitLines(absl::string_view text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// "-n 5", "-n5", "-5": the line count of head and tail (10 by default); false when malformed.
bool LineCount(const std::vector<std::string>& args, int64_t* n, std::vector<std::string>* files) {
  *n = 10;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-n" && i + 1 < args.size()) {
      if (!absl::SimpleAtoi(args[++i], n)) return false;
    } else if (absl::StartsWith(a, "-n")) {
      if (!absl::SimpleAtoi(a.substr(2), n)) return false;
    } else if (a.size() > 1 && a[0] == '-' && std::isdigit(static_cast<unsigned char>(a[1]))) {
      if (!absl::SimpleAtoi(a.substr(1), n)) return false;
    } else {
      files->push_back(a);
    }
  }
  if (*n == INT64_MIN) return false;
  *n = std::abs(*n);
  return true;
}

class Shell;

using Command =
    std::function<Io(Shell&, const std::vector<std::string>& args, const std::string& input)>;

class Shell {
 public:
  Shell(const Container& c, std::string name) : c_(c), name_(std::move(name)), depth_(0) {
    for (auto& [k, v] : c.Env()) vars_[k] = v;
  }
  // A shell started by `parent` (sh -c in a script): its environment, one level deeper.
  Shell(const Shell& parent, std::string name)
      : c_(parent.c_), name_(std::move(name)), vars_(parent.vars_), depth_(parent.depth_ + 1) {}

  const Container& container() const { return c_; }

  // Runs one command (no shell syntax).
  Io Run(const std::vector<std::string>& argv, const std::string& input);

  // Runs a script: lists of pipelines.
  Io Script(const std::string& script, const std::string& input);

  std::string NotFound(const std::string& cmd) const {
    return name_ == "bash" ? absl::StrCat("bash: line 1: ", cmd, ": command not found\n")
                           : absl::StrCat(name_, ": ", cmd, ": not found\n");
  }

  // The files a filter reads, one after the other, or its input when none is named.
  std::string Files(const std::vector<std::string>& files, const std::string& input,
                    const std::string& tool, Io* io) const {
    if (files.empty()) return input;
    std::string text;
    for (const std::string& f : files) {
      if (auto t = File(f, input, tool, io)) text += *t;
    }
    return text;
  }

  // Reads a file argument (or "-"/none: the input).
  std::optional<std::string> File(const std::string& path, const std::string& input,
                                  const std::string& tool, Io* io) const {
    if (path == "-") return input;
    std::optional<std::string> text = ReadFile(c_, path);
    if (!text.has_value()) {
      absl::StrAppend(&io->err, tool, ": ", path, ": No such file or directory\n");
      io->code = 1;
    }
    return text;
  }

 private:
  const Container& c_;
  std::string name_;
  std::map<std::string, std::string> vars_;
  int depth_;  // Shells this one runs in.
  bool exited_ = false;
  int exit_code_ = 0;

 public:
  bool exited() const { return exited_; }
  void Exit(int code) {
    exited_ = true;
    exit_code_ = code;
  }
  int exit_code() const { return exit_code_; }
};

Io Cat(Shell& sh, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  bool any = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] != "-" && absl::StartsWith(args[i], "-")) continue;  // -n, -A: shown plain
    any = true;
    if (auto text = sh.File(args[i], input, "cat", &io)) io.out += *text;
  }
  if (!any) io.out = input;
  return io;
}

Io Env(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  const auto env = sh.container().Env();
  if (args[0] == "printenv" && args.size() > 1) {
    for (size_t i = 1; i < args.size(); ++i) {
      bool found = false;
      for (const auto& [k, v] : env) {
        if (k == args[i]) {
          absl::StrAppend(&io.out, v, "\n");
          found = true;
          break;
        }
      }
      if (!found) io.code = 1;
    }
    return io;
  }
  for (const auto& [k, v] : env) absl::StrAppend(&io.out, k, "=", v, "\n");
  return io;
}

Io Ls(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  std::vector<std::string> dirs;
  for (size_t i = 1; i < args.size(); ++i) {
    if (!absl::StartsWith(args[i], "-")) dirs.push_back(args[i]);
  }
  if (dirs.empty()) dirs.push_back("/");
  for (const std::string& d0 : dirs) {
    std::string d = d0.size() > 1 ? std::string(absl::StripSuffix(d0, "/")) : d0;
    std::vector<std::string> names;
    if (d == "/") {
      names = {"bin",  "dev", "etc",  "home", "lib", "media", "mnt", "opt", "proc",
               "root", "run", "sbin", "srv",  "sys", "tmp",   "usr", "var"};
    } else if (d == "/sys/fs/cgroup") {
      names = CgroupFiles();
    } else if (d == "/etc") {
      names = {"hostname", "hosts", "resolv.conf"};
    } else if (d == "/tmp") {
    } else if (ReadFile(sh.container(), d).has_value()) {
      names = {d};
    } else {
      absl::StrAppend(&io.err, "ls: ", d, ": No such file or directory\n");
      io.code = 1;
      continue;
    }
    if (dirs.size() > 1) absl::StrAppend(&io.out, d, ":\n");
    io.out += Lines(names);
  }
  return io;
}

// The container's main process, as its image starts it.
std::string MainProcess(const Container& c) {
  std::vector<std::string> argv;
  for (const json& a : At(c.spec(), {"command"})) argv.push_back(Str(a));
  for (const json& a : At(c.spec(), {"args"})) argv.push_back(Str(a));
  const std::string image = c.image();
  std::string java_opts;
  for (const json& e : At(c.spec(), {"env"})) {
    if (Str(At(e, {"name"})) == "JAVA_OPTS") java_opts = Str(At(e, {"value"}));
  }
  if (!argv.empty() && argv[0] != "--headless") return absl::StrJoin(argv, " ");
  if (absl::StrContains(image, "front-end")) return "node server.js";
  if (!java_opts.empty()) return absl::StrCat("java ", java_opts, " -jar ./app.jar --port=80");
  if (absl::StrContains(image, "payment") || absl::StrContains(image, "user:")) {
    return "/app -port=80";
  }
  if (absl::StrContains(image, "catalogue-db")) return "mysqld";
  if (absl::StrContains(image, "mongo") || absl::StrContains(image, "user-db")) {
    return "mongod --bind_ip_all";
  }
  if (absl::StrContains(image, "rabbitmq-exporter")) return "/app";
  if (absl::StrContains(image, "rabbitmq")) return "/usr/lib/erlang/erts-8.3/bin/beam.smp";
  if (absl::StrContains(image, "redis")) return "redis-server";
  if (absl::StrContains(image, "locust")) {
    return absl::StrCat("/usr/local/bin/python /usr/local/bin/locust ", absl::StrJoin(argv, " "));
  }
  return image;
}

Io Ps(Shell& sh, const std::vector<std::string>&, const std::string&) {
  const Container& c = sh.container();
  int64_t minutes = std::max<int64_t>(0, absl::ToInt64Minutes(c.now() - c.started()));
  std::string time = absl::StrCat(minutes / 60, ":", minutes % 60 < 10 ? "0" : "", minutes % 60);
  Io io;
  io.out = absl::StrCat("PID   USER     TIME  COMMAND\n    1 root     ", time, " ", MainProcess(c),
                        "\n");
  return io;
}

Io Df(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  bool human = std::find(args.begin(), args.end(), "-h") != args.end();
  struct Fs {
    const char* name;
    int64_t kb_size, kb_used;
    const char* mount;
  };
  std::vector<Fs> fs = {{"overlay", 61255492, 22323884, "/"},
                        {"tmpfs", 65536, 0, "/dev"},
                        {"shm", 65536, 0, "/dev/shm"},
                        {"/dev/root", 61255492, 22323884, "/etc/hosts"}};
  for (const json& m : At(sh.container().spec(), {"volumeMounts"})) {
    if (Str(At(m, {"mountPath"})) == "/tmp") fs.push_back({"tmpfs", 12205720, 4, "/tmp"});
  }
  auto size = [&](int64_t kb) -> std::string {
    if (!human) return absl::StrCat(kb);
    if (kb == 0) return "0";
    const char* units = "KMGT";
    double v = static_cast<double>(kb);
    int u = 0;
    while (v >= 1024 && u < 3) v /= 1024, ++u;
    char buf[32];
    snprintf(buf, sizeof(buf), "%.1f%c", v, units[u]);
    return buf;
  };
  Io io;
  char line[256];
  snprintf(line, sizeof(line), "%-20s %10s %10s %10s %4s %s\n", "Filesystem",
           human ? "Size" : "1K-blocks", "Used", "Available", "Use%", "Mounted on");
  io.out = line;
  for (const Fs& f : fs) {
    int64_t avail = f.kb_size - f.kb_used;
    int64_t pct = f.kb_size == 0 ? 0 : (f.kb_used * 100 + f.kb_size - 1) / f.kb_size;
    snprintf(line, sizeof(line), "%-20s %10s %10s %10s %3lld%% %s\n", f.name,
             size(f.kb_size).c_str(), size(f.kb_used).c_str(), size(avail).c_str(),
             static_cast<long long>(pct), f.mount);
    io.out += line;
  }
  return io;
}

Io Date(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  absl::Time t = sh.container().now() + sh.container().shift();
  Io io;
  for (size_t i = 1; i < args.size(); ++i) {
    if (absl::StartsWith(args[i], "+")) {
      io.out = absl::FormatTime(args[i].substr(1), t, absl::UTCTimeZone()) + "\n";
      return io;
    }
  }
  io.out = absl::FormatTime("%a %b %e %H:%M:%S UTC %Y\n", t, absl::UTCTimeZone());
  return io;
}

Io Nslookup(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  if (args.size() < 2) {
    io.err = "BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup HOST [DNS_SERVER]\n";
    io.code = 1;
    return io;
  }
  const std::string& host = args.back();
  io.out = absl::StrCat("Server:\t\t", kDnsServer, "\nAddress:\t", kDnsServer, ":53\n\n");
  auto found = sh.container().Resolve(host);
  if (!found.has_value()) {
    absl::StrAppend(&io.out, "** server can't find ", host, ": NXDOMAIN\n\n");
    io.code = 1;
    return io;
  }
  absl::StrAppend(&io.out, "Name:\t", found->second,
                  "\nAddress: ", Str(At(found->first, {"spec", "clusterIP"})), "\n\n");
  return io;
}

Io Getent(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  if (args.size() < 3 || (args[1] != "hosts" && args[1] != "ahosts")) {
    io.err = "Usage: getent [OPTION...] database [key ...]\n";
    io.code = 1;
    return io;
  }
  auto found = sh.container().Resolve(args[2]);
  if (!found.has_value()) {
    io.code = 2;
    return io;
  }
  absl::StrAppend(&io.out, Str(At(found->first, {"spec", "clusterIP"})), "      ", found->second,
                  "\n");
  return io;
}

// An HTTP request through the services proxy. The result's code is curl's exit code.
struct HttpResult {
  int curl_code = 0;  // 0, 6 (host), 7 (connect), 3 (URL)
  std::string message;
  ProxyResponse response;
};

HttpResult Http(const Container& c, const std::string& url, const std::string& method,
                const std::string& body) {
  HttpResult r;
  std::string rest = url;
  if (absl::StartsWith(rest, "https://")) {
    r.curl_code = 7;
    r.message = "the Sock Shop services serve plain http";
    return r;
  }
  ConsumePrefix(&rest, "http://");
  size_t slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = host_port, port = "80";
  if (size_t colon = host_port.find(':'); colon != std::string::npos) {
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
  }
  if (host.empty()) {
    r.curl_code = 3;
    r.message = "URL rejected: No host part in the URL";
    return r;
  }
  std::optional<json> svc;
  if (host == "localhost" || host == "127.0.0.1") {
    svc = c.OwnService();
  } else if (auto found = c.Resolve(host)) {
    svc = found->first;
  } else {
    for (const json& s : c.sim()->store()->List("services", c.ns())) {
      if (Str(At(s, {"spec", "clusterIP"})) == host) svc = s;
    }
    if (!svc.has_value()) {
      r.curl_code = 6;
      r.message = absl::StrCat("Could not resolve host: ", host);
      return r;
    }
  }
  bool port_ok = false;
  if (svc.has_value()) {
    for (const json& p : At(*svc, {"spec", "ports"})) {
      const json& want =
          host == "localhost" || host == "127.0.0.1" ? At(p, {"targetPort"}) : At(p, {"port"});
      if (want.is_number() && absl::StrCat(want.get<int64_t>()) == port) port_ok = true;
    }
  }
  if (!port_ok) {
    r.curl_code = 7;
    r.message = absl::StrCat("Failed to connect to ", host, " port ", port,
                             " after 0 ms: Couldn't connect to server");
    return r;
  }
  ProxyRequest req;
  req.method = method;
  req.body = body;
  size_t q = path.find('?');
  req.path = path.substr(0, q);
  if (q != std::string::npos) {
    for (absl::string_view kv : absl::StrSplit(path.substr(q + 1), '&', absl::SkipEmpty())) {
      std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
      req.query.push_back(p);
    }
  }
  r.response = ServeProxy(c.sim(), c.ns(), Str(At(*svc, {"metadata", "name"})), req);
  if (r.response.status_error) {
    r.curl_code = 7;
    r.message = absl::StrCat("Failed to connect to ", host, " port ", port,
                             " after 0 ms: Couldn't connect to server");
  }
  return r;
}

std::string StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 404:
      return "Not Found";
    case 406:
      return "Not Acceptable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

Io Curl(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  bool silent = false, show_error = false, fail = false, include = false, head = false;
  std::string method, data, url, write_out, output;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "-X" || a == "--request") {
      method = value();
    } else if (a == "-d" || a == "--data" || a == "--data-raw") {
      data = value();
    } else if (a == "-H" || a == "--header" || a == "-m" || a == "--max-time" ||
               a == "--connect-timeout" || a == "-A" || a == "-u") {
      value();
    } else if (a == "-o" || a == "--output") {
      output = value();
    } else if (a == "-w" || a == "--write-out") {
      write_out = value();
    } else if (a == "--silent") {
      silent = true;
    } else if (a == "--fail") {
      fail = true;
    } else if (a == "--include") {
      include = true;
    } else if (a == "--head") {
      head = true;
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      for (char f : a.substr(1)) {
        silent |= f == 's';
        show_error |= f == 'S';
        fail |= f == 'f';
        include |= f == 'i';
        head |= f == 'I';
      }
    } else if (!absl::StartsWith(a, "--")) {
      url = a;
    }
  }
  if (url.empty()) {
    io.err = "curl: try 'curl --help' or 'curl --manual' for more information\n";
    io.code = 2;
    return io;
  }
  if (method.empty()) method = head ? "HEAD" : data.empty() ? "GET" : "POST";
  HttpResult r = Http(sh.container(), url, method, data);
  auto error = [&](int code, const std::string& message) {
    if (!silent || show_error) absl::StrAppend(&io.err, "curl: (", code, ") ", message, "\n");
    io.code = code;
  };
  if (r.curl_code != 0) {
    error(r.curl_code, r.message);
    if (absl::StrContains(write_out, "%{http_code}")) io.out = "000";
    return io;
  }
  const ProxyResponse& res = r.response;
  std::string headers = absl::StrCat("HTTP/1.1 ", res.status, " ", StatusText(res.status),
                                     "\r\nContent-Type: ", res.content_type,
                                     "\r\nContent-Length: ", res.body.size(), "\r\n\r\n");
  if (fail && res.status >= 400) {
    error(22, absl::StrCat("The requested URL returned error: ", res.status));
    return io;
  }
  std::string shown = head ? headers : (include ? headers : "") + res.body;
  if (output.empty() || output == "-") io.out = shown;
  absl::StrAppend(
      &io.out,
      absl::StrReplaceAll(write_out, {{"%{http_code}", absl::StrCat(res.status)}, {"\\n", "\n"}}));
  return io;
}

Io Wget(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  bool quiet = false, to_stdout = false, spider = false;
  std::string url, data;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-O" && i + 1 < args.size()) {
      to_stdout = args[++i] == "-";
    } else if (a == "-O-" || a == "-qO-" || a == "-qO" || a == "--output-document=-") {
      to_stdout = true;
      quiet |= a[1] == 'q';
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (a == "--spider") {
      spider = true;
    } else if (absl::StartsWith(a, "--post-data=")) {
      data = a.substr(12);
    } else if (a == "-T" && i + 1 < args.size()) {
      ++i;
    } else if (!absl::StartsWith(a, "-")) {
      url = a;
    }
  }
  if (url.empty()) {
    io.err = "BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n";
    io.code = 1;
    return io;
  }
  HttpResult r = Http(sh.container(), url, data.empty() ? "GET" : "POST", data);
  std::string host = url;
  ConsumePrefix(&host, "http://");
  host = host.substr(0, host.find_first_of(":/"));
  if (!quiet) absl::StrAppend(&io.err, "Connecting to ", host, "\n");
  if (r.curl_code == 6) {
    absl::StrAppend(&io.err, "wget: bad address '", host, "'\n");
    io.code = 1;
    return io;
  }
  if (r.curl_code != 0) {
    absl::StrAppend(&io.err, "wget: can't connect to remote host: Connection refused\n");
    io.code = 1;
    return io;
  }
  if (r.response.status >= 400) {
    absl::StrAppend(&io.err, "wget: server returned error: HTTP/1.1 ", r.response.status, " ",
                    StatusText(r.response.status), "\n");
    io.code = 1;
    return io;
  }
  if (!spider && to_stdout) io.out = r.response.body;
  if (!spider && !to_stdout) {
    absl::StrAppend(&io.err, "wget: can't open 'index.html': Read-only file system\n");
    io.code = 1;
  }
  return io;
}

// mongo --eval on the orders: db.customerOrder.count({status: "PAYMENT_FAILED"}) and kin.
Io Mongo(Shell& sh, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  const Container& c = sh.container();
  if (!absl::StrContains(c.image(), "mongo") && !absl::StrContains(c.image(), "user-db")) {
    io.err = sh.NotFound(args[0]);
    io.code = 127;
    return io;
  }
  std::string eval, db = "test";
  bool quiet = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--eval" && i + 1 < args.size()) {
      eval = args[++i];
    } else if (a == "--quiet") {
      quiet = true;
    } else if ((a == "--host" || a == "--port" || a == "-u" || a == "-p" ||
                a == "--authenticationDatabase") &&
               i + 1 < args.size()) {
      ++i;
    } else if (!absl::StartsWith(a, "-")) {
      std::string target = a;
      ConsumePrefix(&target, "mongodb://");
      size_t slash = target.rfind('/');
      db = slash == std::string::npos ? target : target.substr(slash + 1);
      if (size_t q = db.find('?'); q != std::string::npos) db = db.substr(0, q);
      if (db.empty()) db = "test";
    }
  }
  if (eval.empty()) eval = input;
  const bool shell_v1 = args[0] == "mongo";
  if (!quiet) {
    io.out = shell_v1 ? absl::StrCat(
                            "MongoDB shell version v3.4.10\nconnecting to: mongodb://"
                            "127.0.0.1:27017/",
                            db, "\nMongoDB server version: 3.4.10\n")
                      : absl::StrCat("Current Mongosh Log ID:\t", "6570a1b2c3d4e5f607182930",
                                     "\nConnecting to:\t\tmongodb://127.0.0.1:27017/", db,
                                     "\nUsing MongoDB:\t\t3.4.10\nUsing Mongosh:\t\t2.1.1\n\n");
  }
  // The orders service's database and collection, as its Spring Data mapping names them.
  const bool orders = absl::StrContains(c.pod_name(), "orders-db") && db == "data";
  std::string js = std::string(absl::StripAsciiWhitespace(eval));
  ConsumeSuffix(&js, ";");
  static const LazyRE2 kUse = {
      R"(^\s*(?:use\s+(\w+)|db\s*=\s*db\.getSiblingDB\(\s*['"](\w+)['"]\s*\))\s*[;\n]\s*(.*)$)"};
  std::string use1, use2, rest;
  if (RE2::FullMatch(js, *kUse, &use1, &use2, &rest)) {
    // The rest on that database, after the banner of the one connected to.
    Io used = Mongo(
        sh,
        {args[0], "--quiet", absl::StrCat("mongodb://127.0.0.1:27017/", use1.empty() ? use2 : use1),
         "--eval", rest},
        input);
    used.out = io.out + used.out;
    return used;
  }
  std::vector<const Order*> matched;
  auto select = [&](const std::string& collection, const std::string& filter) -> bool {
    matched.clear();
    std::string field, value;
    static const LazyRE2 kFilter = {
        R"(^\s*\{\s*(?:['"]?(\w+)['"]?\s*:\s*['"]([^'"]*)['"])?\s*\}\s*$)"};
    if (!filter.empty() && !RE2::FullMatch(filter, *kFilter, &field, &value)) return false;
    if (!orders || collection != "customerOrder") return true;
    for (const Order& o : c.sim()->orders().orders()) {
      if (field.empty() || (field == "status" && o.status == value) ||
          (field == "_id" && o.id == value)) {
        matched.push_back(&o);
      }
    }
    return true;
  };
  static const LazyRE2 kCount = {
      R"(^db\.(\w+)\.(?:count|countDocuments)\((.*)\)$|^db\.(\w+)\.find\((.*)\)\.count\(\)$)"};
  static const LazyRE2 kFind = {R"(^db\.(\w+)\.find\((.*)\)(?:\.pretty\(\))?$)"};
  static const LazyRE2 kDistinct = {R"(^db\.(\w+)\.distinct\(\s*['"](\w+)['"]\s*\)$)"};
  std::string coll1, filter1, coll2, filter2, field;
  if (RE2::FullMatch(js, *kCount, &coll1, &filter1, &coll2, &filter2)) {
    if (!select(coll1.empty() ? coll2 : coll1, coll1.empty() ? filter2 : filter1)) {
      io.err = "E QUERY    [thread1] only {} and {field: \"value\"} filters are simulated\n";
      io.code = 1;
      return io;
    }
    absl::StrAppend(&io.out, matched.size(), "\n");
    return io;
  }
  if (RE2::FullMatch(js, *kFind, &coll1, &filter1)) {
    if (!select(coll1, filter1)) {
      io.err = "E QUERY    [thread1] only {} and {field: \"value\"} filters are simulated\n";
      io.code = 1;
      return io;
    }
    for (const Order* o : matched) {
      json doc = c.sim()->orders().Get(o->id);
      if (doc.is_object()) doc.erase("_links");
      absl::StrAppend(&io.out, doc.dump(), "\n");
    }
    return io;
  }
  if (RE2::FullMatch(js, *kDistinct, &coll1, &field)) {
    select(coll1, "");
    std::vector<std::string> values;
    for (const Order* o : matched) {
      if (field == "status" && std::find(values.begin(), values.end(), o->status) == values.end()) {
        values.push_back(o->status);
      }
    }
    std::sort(values.begin(), values.end());
    absl::StrAppend(&io.out, json(values).dump(), "\n");
    return io;
  }
  if (js == "db.getCollectionNames()" || js == "show collections") {
    absl::StrAppend(&io.out, orders ? R"([ "customerOrder" ])" : "[ ]", "\n");
    return io;
  }
  io.err = absl::StrCat(
      "E QUERY    [thread1] the simulated mongo shell evaluates db.C.count(F), "
      "db.C.countDocuments(F), db.C.find(F).count(), db.C.find(F), db.C.distinct(\"f\") and "
      "db.getCollectionNames(): ",
      js, "\n");
  io.code = 1;
  return io;
}

// mysql in catalogue-db: sim/shop/mysql_shell.h.
Io Mysql(Shell& sh, const std::vector<std::string>& args, const std::string& input) {
  const Container& c = sh.container();
  if (!absl::StrContains(c.image(), "catalogue-db")) return Io{"", sh.NotFound(args[0]), 127};
  std::string root_password;
  for (const auto& [k, v] : c.Env()) {
    if (k == "MYSQL_ROOT_PASSWORD") root_password = v;
  }
  MysqlResult r =
      RunMysql(args, input, root_password,
               absl::FormatTime("%Y-%m-%d %H:%M:%S", c.now() + c.shift(), absl::UTCTimeZone()));
  return Io{std::move(r.out), std::move(r.err), r.exit_code};
}

Io Grep(Shell& sh, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  bool ignore_case = false, invert = false, count = false, fixed = false, quiet = false;
  std::string pattern;
  bool have_pattern = false;
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-e" && i + 1 < args.size()) {
      pattern = args[++i];
      have_pattern = true;
    } else if (a.size() > 1 && a[0] == '-' && !have_pattern) {
      for (char f : a.substr(1)) {
        ignore_case |= f == 'i';
        invert |= f == 'v';
        count |= f == 'c';
        fixed |= f == 'F';
        quiet |= f == 'q';
      }
    } else if (!have_pattern) {
      pattern = a;
      have_pattern = true;
    } else {
      files.push_back(a);
    }
  }
  if (!have_pattern) {
    io.err = "Usage: grep [OPTION]... PATTERNS [FILE]...\n";
    io.code = 2;
    return io;
  }
  RE2::Options options;
  options.set_case_sensitive(!ignore_case);
  options.set_literal(fixed);
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) {
    io.err = absl::StrCat("grep: invalid regular expression: ", pattern, "\n");
    io.code = 2;
    return io;
  }
  std::string text = sh.Files(files, input, "grep", &io);
  int64_t matches = 0;
  std::string out;
  for (const std::string& line : SplitLines(text)) {
    if (RE2::PartialMatch(line, re) != invert) {
      ++matches;
      absl::StrAppend(&out, line, "\n");
    }
  }
  if (!quiet) io.out = count ? absl::StrCat(matches, "\n") : out;
  if (io.code == 0) io.code = matches > 0 ? 0 : 1;
  return io;
}

Io HeadTail(Shell& sh, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  int64_t n;
  std::vector<std::string> files;
  if (!LineCount(args, &n, &files)) {
    io.err = absl::StrCat(args[0], ": invalid number of lines\n");
    io.code = 1;
    return io;
  }
  std::string text = sh.Files(files, input, args[0], &io);
  std::vector<std::string> lines = SplitLines(text);
  size_t keep = std::min(lines.size(), static_cast<size_t>(n));
  if (args[0] == "head") {
    lines.resize(keep);
  } else {
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(keep));
  }
  io.out = Lines(lines);
  return io;
}

Io Wc(Shell& sh, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  bool l = false, w = false, c = false;
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    if (absl::StartsWith(args[i], "-")) {
      l |= absl::StrContains(args[i], 'l');
      w |= absl::StrContains(args[i], 'w');
      c |= absl::StrContains(args[i], 'c');
    } else {
      files.push_back(args[i]);
    }
  }
  if (!l && !w && !c) l = w = c = true;
  std::string text = sh.Files(files, input, "wc", &io);
  std::vector<std::string> parts;
  if (l) parts.push_back(absl::StrCat(std::count(text.begin(), text.end(), '\n')));
  if (w) {
    parts.push_back(absl::StrCat(
        std::vector<std::string>(absl::StrSplit(text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty()))
            .size()));
  }
  if (c) parts.push_back(absl::StrCat(text.size()));
  io.out = absl::StrJoin(parts, " ") + (files.size() == 1 ? " " + files[0] : "") + "\n";
  return io;
}

Io Sort(Shell&, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  std::vector<std::string> lines = SplitLines(input);
  std::sort(lines.begin(), lines.end());
  if (std::find(args.begin(), args.end(), "-r") != args.end())
    std::reverse(lines.begin(), lines.end());
  io.out = Lines(lines);
  return io;
}

Io Uniq(Shell&, const std::vector<std::string>& args, const std::string& input) {
  Io io;
  const bool count = std::find(args.begin(), args.end(), "-c") != args.end();
  std::vector<std::string> lines = SplitLines(input);
  for (size_t i = 0; i < lines.size();) {
    size_t j = i;
    while (j < lines.size() && lines[j] == lines[i]) ++j;
    if (count) {
      char buf[16];
      snprintf(buf, sizeof(buf), "%7zu ", j - i);
      io.out += buf;
    }
    absl::StrAppend(&io.out, lines[i], "\n");
    i = j;
  }
  return io;
}

Io Echo(Shell&, const std::vector<std::string>& args, const std::string&) {
  Io io;
  size_t first = 1;
  bool newline = true;
  if (args.size() > 1 && args[1] == "-n") newline = false, first = 2;
  io.out = absl::StrJoin(args.begin() + static_cast<std::ptrdiff_t>(first), args.end(), " ");
  if (newline) io.out += "\n";
  return io;
}

Io Uname(Shell& sh, const std::vector<std::string>& args, const std::string&) {
  Io io;
  if (args.size() > 1 && args[1] == "-a") {
    io.out = absl::StrCat("Linux ", sh.container().pod_name(),
                          " 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01) "
                          "x86_64 Linux\n");
  } else {
    io.out = "Linux\n";
  }
  return io;
}

const std::map<std::string, Command>& Commands() {
  static const auto* commands = new std::map<std::string, Command>{
      {"cat", Cat},
      {"env", Env},
      {"printenv", Env},
      {"ls", Ls},
      {"ps", Ps},
      {"df", Df},
      {"date", Date},
      {"nslookup", Nslookup},
      {"getent", Getent},
      {"curl", Curl},
      {"wget", Wget},
      {"mongo", Mongo},
      {"mongosh", Mongo},
      {"mysql", Mysql},
      {"grep", Grep},
      {"head", HeadTail},
      {"tail", HeadTail},
      {"wc", Wc},
      {"sort", Sort},
      {"uniq", Uniq},
      {"echo", Echo},
      {"uname", Uname},
      {"hostname",
       [](Shell& sh, const std::vector<std::string>&, const std::string&) {
         return Io{sh.container().pod_name() + "\n", "", 0};
       }},
      {"true", [](Shell&, const std::vector<std::string>&, const std::string&) { return Io{}; }},
      {"false",
       [](Shell&, const std::vector<std::string>&, const std::string&) {
         return Io{"", "", 1};
       }},
      {"sleep", [](Shell&, const std::vector<std::string>&, const std::string&) { return Io{}; }},
  };
  return *commands;
}

Io Shell::Run(const std::vector<std::string>& argv, const std::string& input) {
  Io io;
  if (argv.empty()) return io;
  std::string name = argv[0];
  if (size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (name == "exit") {
    int code = 0;
    if (argv.size() > 1 && !absl::SimpleAtoi(argv[1], &code)) {
      io.err = absl::StrCat(name_, ": exit: Illegal number: ", argv[1], "\n");
      code = 2;
    }
    Exit(code & 0xFF);
    io.code = code & 0xFF;
    return io;
  }
  if (name == "sh" || name == "bash" || name == "ash") {
    if (depth_ >= 16) {
      io.err = absl::StrCat(name_, ": shells nested more than 16 deep are not simulated\n");
      io.code = 2;
      return io;
    }
    Shell inner(*this, name);
    if (argv.size() >= 3 && argv[1] == "-c") return inner.Script(argv[2], input);
    return inner.Script(input, "");
  }
  auto it = Commands().find(name);
  if (it == Commands().end()) {
    io.err = NotFound(argv[0]);
    io.code = 127;
    return io;
  }
  std::vector<std::string> args = argv;
  args[0] = name;
  return it->second(*this, args, input);
}

// Stands for `$?` in a word until the command runs.
constexpr char kLastStatus[] = "\x01?";

// A word of a script, with its quoting resolved, or an operator.
struct Word {
  std::string text;
  bool op = false;  // | ; && || newline, and redirections
};

// Splits a script into words and operators; false on an unterminated quote.
bool Words(const std::string& s, const std::map<std::string, std::string>& vars,
           std::vector<Word>* out, std::string* error) {
  size_t i = 0;
  auto var = [&](std::string* w) {
    // At '$': $NAME, ${NAME}, $?
    size_t j = i + 1;
    std::string name;
    if (j < s.size() && s[j] == '{') {
      size_t close = s.find('}', j);
      if (close == std::string::npos) return false;
      name = s.substr(j + 1, close - j - 1);
      i = close + 1;
    } else {
      if (j < s.size() && s[j] == '?') {
        *w += kLastStatus;  // replaced when the command runs
        i = j + 1;
        return true;
      }
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      if (j == i + 1) {
        w->push_back('$');
        ++i;
        return true;
      }
      name = s.substr(i + 1, j - i - 1);
      i = j;
    }
    auto it = vars.find(name);
    if (it != vars.end()) *w += it->second;
    return true;
  };
  while (i < s.size()) {
    char ch = s[i];
    if (ch == ' ' || ch == '\t') {
      ++i;
      continue;
    }
    if (ch == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (ch == '\n' || ch == ';') {
      out->push_back({";", true});
      ++i;
      continue;
    }
    if (ch == '|' || ch == '&') {
      if (i + 1 < s.size() && s[i + 1] == ch) {
        out->push_back({std::string(2, ch), true});
        i += 2;
      } else if (ch == '|') {
        out->push_back({"|", true});
        ++i;
      } else {
        *error = "background jobs (&) are not simulated";
        return false;
      }
      continue;
    }
    if (ch == '>' || ch == '<' ||
        ((ch == '2' || ch == '1') && i + 1 < s.size() && s[i + 1] == '>')) {
      size_t j = i;
      while (j < s.size() && std::string("12>&<").find(s[j]) != std::string::npos) ++j;
      out->push_back({s.substr(i, j - i), true});
      i = j;
      continue;
    }
    std::string w;
    while (i < s.size()) {
      ch = s[i];
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == ';' || ch == '|' || ch == '&' ||
          ch == '>' || ch == '<') {
        break;
      }
      if (ch == '\'') {
        size_t close = s.find('\'', i + 1);
        if (close == std::string::npos) {
          *error = "unterminated quoted string";
          return false;
        }
        w += s.substr(i + 1, close - i - 1);
        i = close + 1;
      } else if (ch == '"') {
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size() &&
              std::string("\"\\$`").find(s[i + 1]) != std::string::npos) {
            w.push_back(s[i + 1]);
            i += 2;
          } else if (s[i] == '$') {
            if (!var(&w)) {
              *error = "bad substitution";
              return false;
            }
          } else {
            w.push_back(s[i++]);
          }
        }
        if (i >= s.size()) {
          *error = "unterminated quoted string";
          return false;
        }
        ++i;
      } else if (ch == '\\' && i + 1 < s.size()) {
        w.push_back(s[i + 1]);
        i += 2;
      } else if (ch == '$') {
        if (!var(&w)) {
          *error = "bad substitution";
          return false;
        }
      } else {
        w.push_back(ch);
        ++i;
      }
    }
    out->push_back({w, false});
  }
  return true;
}

Io Shell::Script(const std::string& script, const std::string& input) {
  Io total;
  std::vector<Word> words;
  std::string error;
  if (!Words(script, vars_, &words, &error)) {
    total.err = absl::StrCat(name_, ": syntax error: ", error, "\n");
    total.code = 2;
    return total;
  }
  size_t i = 0;
  std::string last_op = ";";
  int status = 0;
  while (i < words.size() && !exited_) {
    // One pipeline: commands separated by |, with redirections.
    std::vector<std::vector<std::string>> commands(1);
    std::vector<bool> drop_out(1, false), drop_err(1, false), err_to_out(1, false),
        out_to_err(1, false);
    std::string input_file;
    for (; i < words.size(); ++i) {
      const Word& w = words[i];
      if (!w.op) {
        commands.back().push_back(w.text);
        continue;
      }
      if (w.text == "|") {
        commands.emplace_back();
        drop_out.push_back(false);
        drop_err.push_back(false);
        err_to_out.push_back(false);
        out_to_err.push_back(false);
        continue;
      }
      if (w.text == ";" || w.text == "&&" || w.text == "||") break;
      // A redirection: its target is the next word.
      const std::string op = w.text;
      if (op == "2>&1") {
        err_to_out.back() = true;
        continue;
      }
      if (op == ">&2" || op == "1>&2") {
        out_to_err.back() = true;
        continue;
      }
      std::string target = i + 1 < words.size() && !words[i + 1].op ? words[++i].text : "";
      if (op == "<") {
        input_file = target;
      } else if (target == "/dev/null") {
        (op[0] == '2' ? drop_err : drop_out).back() = true;
      } else {
        total.err += absl::StrCat(name_, ": can't create ", target, ": Read-only file system\n");
        status = 1;
        commands.back().clear();
      }
    }
    const std::string op = i < words.size() ? words[i].text : ";";
    ++i;
    bool run =
        last_op == ";" || (last_op == "&&" && status == 0) || (last_op == "||" && status != 0);
    last_op = op;
    if (!run || (commands.size() == 1 && commands[0].empty())) continue;
    std::string data = input;
    if (!input_file.empty()) {
      Io io;
      data = File(input_file, input, name_, &io).value_or("");
      total.err += io.err;
    }
    for (size_t k = 0; k < commands.size(); ++k) {
      for (std::string& arg : commands[k]) {
        arg = absl::StrReplaceAll(arg, {{kLastStatus, absl::StrCat(status)}});
      }
      Io io = Run(commands[k], data);
      if (err_to_out[k]) io.out = io.err + io.out, io.err.clear();
      if (out_to_err[k]) io.err += std::exchange(io.out, "");
      if (drop_err[k]) io.err.clear();
      if (drop_out[k]) io.out.clear();
      total.err += io.err;
      status = io.code;
      data = std::move(io.out);
      if (exited_) break;
    }
    total.out += data;
    if (total.out.size() > kMaxOutput) total.out.resize(kMaxOutput);
    if (total.err.size() > kMaxOutput) total.err.resize(kMaxOutput);
  }
  total.code = exited_ ? exit_code_ : status;
  return total;
}

}  // namespace

ExecResult RunInContainer(Sim* sim, const nlohmann::json& pod, const std::string& container,
                          const std::vector<std::string>& argv, const std::string& input,
                          absl::Duration shift) {
  Container c(sim, pod, container, shift);
  Shell shell(c, "sh");
  ExecResult result;
  std::string name = argv.empty() ? "" : argv[0];
  if (size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  const bool direct = name != "sh" && name != "bash" && name != "ash" && name != "exit";
  auto no_program = [&] {
    // Not through a shell: the runtime finds no such program.
    result.err = absl::StrCat(
        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"",
        argv.empty() ? "" : argv[0], "\": executable file not found in $PATH: unknown\n");
    result.exit_code = 127;
    return result;
  };
  if (direct && Commands().count(name) == 0) return no_program();
  Io io = shell.Run(argv, input);
  // A program only some images have (mongo, mysql), run where it is not.
  if (direct && io.code == 127 && io.err == shell.NotFound(argv[0])) return no_program();
  if (shell.exited()) io.code = shell.exit_code();
  result.out = std::move(io.out);
  result.err = std::move(io.err);
  result.exit_code = io.code;
  if (result.out.size() > kMaxOutput) result.out.resize(kMaxOutput);
  return result;
}

}  // namespace sim
}  // namespace sre_eval
