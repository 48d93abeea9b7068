#include "sim/shop/locust_args.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sim/shop/locust_args_internal.h"
#include "sim/shop/locust_stats.h"
#include "sim/shop/python_text.h"

namespace sre_eval {
namespace sim {
namespace {

// ---- An argparse (Python 3.11) + ConfigArgParse 1.5 emulation, for Locust's parser ----

enum class Kind { kStore, kFlag, kList, kHelp, kVersion };
enum class Type { kStr, kInt, kFloat };

struct Spec {
  std::vector<std::string> strings;  // Option strings in Locust's order ("--web-port", "-P").
  std::string dest;
  Kind kind = Kind::kStore;
  Type type = Type::kStr;
  std::string env;  // ConfigArgParse env_var
};

// Locust 2.12's argument_parser.py, in add_argument order (which argparse's abbreviation
// matching and the "could match" lists follow).
const std::vector<Spec>& FullSpecs() {
  static const auto* specs = new std::vector<Spec>{
      {{"-h", "--help"}, "help", Kind::kHelp},
      {{"-f", "--locustfile"}, "locustfile", Kind::kStore, Type::kStr, "LOCUST_LOCUSTFILE"},
      {{"--config"}, "config"},
      {{"-H", "--host"}, "host", Kind::kStore, Type::kStr, "LOCUST_HOST"},
      {{"-u", "--users"}, "num_users", Kind::kStore, Type::kInt, "LOCUST_USERS"},
      {{"-r", "--spawn-rate"}, "spawn_rate", Kind::kStore, Type::kFloat, "LOCUST_SPAWN_RATE"},
      {{"--hatch-rate"}, "hatch_rate", Kind::kStore, Type::kFloat, "LOCUST_HATCH_RATE"},
      {{"-t", "--run-time"}, "run_time", Kind::kStore, Type::kStr, "LOCUST_RUN_TIME"},
      {{"-l", "--list"}, "list_commands", Kind::kFlag},
      {{"--web-host"}, "web_host", Kind::kStore, Type::kStr, "LOCUST_WEB_HOST"},
      {{"--web-port", "-P"}, "web_port", Kind::kStore, Type::kInt, "LOCUST_WEB_PORT"},
      {{"--headless"}, "headless", Kind::kFlag, Type::kStr, "LOCUST_HEADLESS"},
      {{"--autostart"}, "autostart", Kind::kFlag, Type::kStr, "LOCUST_AUTOSTART"},
      {{"--autoquit"}, "autoquit", Kind::kStore, Type::kInt, "LOCUST_AUTOQUIT"},
      {{"--headful"}, "headful", Kind::kFlag, Type::kStr, "LOCUST_HEADFUL"},
      {{"--web-auth"}, "web_auth", Kind::kStore, Type::kStr, "LOCUST_WEB_AUTH"},
      {{"--tls-cert"}, "tls_cert", Kind::kStore, Type::kStr, "LOCUST_TLS_CERT"},
      {{"--tls-key"}, "tls_key", Kind::kStore, Type::kStr, "LOCUST_TLS_KEY"},
      {{"--class-picker"}, "class_picker", Kind::kFlag, Type::kStr, "LOCUST_USERCLASS_PICKER"},
      {{"--master"}, "master", Kind::kFlag, Type::kStr, "LOCUST_MODE_MASTER"},
      {{"--master-bind-host"},
       "master_bind_host",
       Kind::kStore,
       Type::kStr,
       "LOCUST_MASTER_BIND_HOST"},
      {{"--master-bind-port"},
       "master_bind_port",
       Kind::kStore,
       Type::kInt,
       "LOCUST_MASTER_BIND_PORT"},
      {{"--expect-workers"}, "expect_workers", Kind::kStore, Type::kInt, "LOCUST_EXPECT_WORKERS"},
      {{"--expect-workers-max-wait"},
       "expect_workers_max_wait",
       Kind::kStore,
       Type::kInt,
       "LOCUST_EXPECT_WORKERS_MAX_WAIT"},
      {{"--expect-slaves"}, "expect_slaves", Kind::kFlag},
      {{"--worker"}, "worker", Kind::kFlag, Type::kStr, "LOCUST_MODE_WORKER"},
      {{"--slave"}, "slave", Kind::kFlag},
      {{"--master-host"}, "master_host", Kind::kStore, Type::kStr, "LOCUST_MASTER_NODE_HOST"},
      {{"--master-port"}, "master_port", Kind::kStore, Type::kInt, "LOCUST_MASTER_NODE_PORT"},
      {{"-T", "--tags"}, "tags", Kind::kList, Type::kStr, "LOCUST_TAGS"},
      {{"-E", "--exclude-tags"}, "exclude_tags", Kind::kList, Type::kStr, "LOCUST_EXCLUDE_TAGS"},
      {{"--csv"}, "csv_prefix", Kind::kStore, Type::kStr, "LOCUST_CSV"},
      {{"--csv-full-history"},
       "stats_history_enabled",
       Kind::kFlag,
       Type::kStr,
       "LOCUST_CSV_FULL_HISTORY"},
      {{"--print-stats"}, "print_stats", Kind::kFlag, Type::kStr, "LOCUST_PRINT_STATS"},
      {{"--only-summary"}, "only_summary", Kind::kFlag, Type::kStr, "LOCUST_ONLY_SUMMARY"},
      {{"--reset-stats"}, "reset_stats", Kind::kFlag, Type::kStr, "LOCUST_RESET_STATS"},
      {{"--html"}, "html_file", Kind::kStore, Type::kStr, "LOCUST_HTML"},
      {{"--skip-log-setup"}, "skip_log_setup", Kind::kFlag, Type::kStr, "LOCUST_SKIP_LOG_SETUP"},
      {{"--loglevel", "-L"}, "loglevel", Kind::kStore, Type::kStr, "LOCUST_LOGLEVEL"},
      {{"--logfile"}, "logfile", Kind::kStore, Type::kStr, "LOCUST_LOGFILE"},
      {{"--step-load"}, "step_load", Kind::kFlag},
      {{"--step-users"}, "step_users", Kind::kStore, Type::kInt},
      {{"--step-clients"}, "step_clients", Kind::kFlag},
      {{"--step-time"}, "step_time"},
      {{"--show-task-ratio"}, "show_task_ratio", Kind::kFlag},
      {{"--show-task-ratio-json"}, "show_task_ratio_json", Kind::kFlag},
      {{"--version", "-V"}, "version", Kind::kVersion},
      {{"--exit-code-on-error"},
       "exit_code_on_error",
       Kind::kStore,
       Type::kInt,
       "LOCUST_EXIT_CODE_ON_ERROR"},
      {{"-s", "--stop-timeout"}, "stop_timeout", Kind::kStore, Type::kInt, "LOCUST_STOP_TIMEOUT"},
      {{"--equal-weights"}, "equal_weights", Kind::kFlag},
      {{"--enable-rebalancing"}, "enable_rebalancing", Kind::kFlag},
  };
  return *specs;
}

// The first, lenient pass (parse_locustfile_option): only -f, --config, -h and -V, unknown
// arguments ignored.
const std::vector<Spec>& LocustfileSpecs() {
  static const auto* specs = new std::vector<Spec>{
      {{"-f", "--locustfile"}, "locustfile", Kind::kStore, Type::kStr, "LOCUST_LOCUSTFILE"},
      {{"--config"}, "config"},
      {{"-h", "--help"}, "help", Kind::kFlag},
      {{"--version", "-V"}, "version", Kind::kFlag},
  };
  return *specs;
}

using locust_internal::kHelpText;

struct Namespace {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> lists;
  std::set<std::string> flags;

  bool Has(const std::string& dest) const { return values.count(dest) > 0; }
  std::string Get(const std::string& dest, const std::string& fallback = "") const {
    auto it = values.find(dest);
    return it == values.end() ? fallback : it->second;
  }
  bool Flag(const std::string& dest) const { return flags.count(dest) > 0; }
};

struct Exit {
  int code = 0;
  std::string out;
  std::string err;
};

class ArgParser {
 public:
  ArgParser(const std::vector<Spec>& specs, bool user_classes, std::string prog,
            std::string version)
      : specs_(specs),
        user_classes_(user_classes),
        prog_(std::move(prog)),
        version_(std::move(version)) {
    for (const Spec& s : specs_) {
      for (const std::string& o : s.strings) strings_.emplace_back(o, &s);
    }
  }

  // argparse's parse_known_args (with `known_only`) or parse_args, behind ConfigArgParse's
  // environment handling. false: the program exits as *exit says (error, --help, --version).
  bool Parse(std::vector<std::string> args, const LocustContext& context, bool known_only,
             Namespace* ns, Exit* exit) const {
    if (!AddEnvArgs(context, &args, exit)) return false;
    std::vector<std::string> extras;
    if (!ParseKnown(args, ns, &extras, exit)) return false;
    if (!known_only && !extras.empty()) {
      return Error("unrecognized arguments: " + absl::StrJoin(extras, " "), exit);
    }
    return true;
  }

  bool Error(const std::string& message, Exit* exit) const {
    *exit = {2, "", absl::StrCat(prog_, ": error: ", message, "\n")};
    return false;
  }

 private:
  struct Tuple {
    const Spec* spec;  // nullptr: an unknown option
    std::string option;
    std::optional<std::string> explicit_arg;
  };

  const Spec* Find(absl::string_view option) const {
    for (const auto& [o, spec] : strings_) {
      if (o == option) return spec;
    }
    return nullptr;
  }

  static std::string Name(const Spec& s) { return absl::StrJoin(s.strings, "/"); }

  bool ArgError(const Spec& s, const std::string& message, Exit* exit) const {
    return Error(absl::StrCat("argument ", Name(s), ": ", message), exit);
  }

  // ConfigArgParse: each LOCUST_* variable whose option is not on the command line becomes an
  // argument, in front of the command line (behind it when a list option is among them).
  bool AddEnvArgs(const LocustContext& context, std::vector<std::string>* args, Exit* exit) const {
    std::set<std::string> on_command_line;
    for (const std::string& a : *args) {
      const size_t eq = a.find('=');
      on_command_line.insert(!a.empty() && a[0] == '-' && eq != std::string::npos ? a.substr(0, eq)
                                                                                  : a);
    }
    std::vector<std::string> env_args;
    bool lists = false;
    for (const Spec& s : specs_) {
      if (s.env.empty()) continue;
      std::optional<std::string> value;
      for (const auto& [k, v] : context.env) {
        if (k == s.env) value = v;
      }
      if (!value) continue;
      if (std::any_of(s.strings.begin(), s.strings.end(),
                      [&](const std::string& o) { return on_command_line.count(o) > 0; })) {
        continue;
      }
      const std::string& key = s.strings.back();
      if (s.kind == Kind::kFlag) {
        const std::string v = absl::AsciiStrToLower(*value);
        if (v == "true" || v == "yes" || v == "1") {
          env_args.push_back(key);
        } else if (!(v == "false" || v == "no" || v == "0")) {
          return Error(absl::StrCat("Unexpected value for ", s.env, ": '", *value,
                                    "'. Expecting 'true', 'false', 'yes', 'no', '1' or '0'"),
                       exit);
        }
      } else if (s.kind == Kind::kList) {
        lists = true;
        if (absl::StartsWith(*value, "[") && absl::EndsWith(*value, "]")) {
          env_args.push_back(key);
          absl::string_view inner(*value);
          inner = inner.substr(1, inner.size() - 2);
          if (!absl::StripAsciiWhitespace(inner).empty()) {
            for (absl::string_view item : absl::StrSplit(inner, ',')) {
              item = absl::StripAsciiWhitespace(item);
              if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
                item = item.substr(1, item.size() - 2);
              }
              env_args.emplace_back(item);
            }
          }
        } else {
          env_args.push_back(key + "=" + *value);
        }
      } else {
        env_args.push_back(key + "=" + *value);
      }
    }
    if (lists) {
      args->insert(args->end(), env_args.begin(), env_args.end());
    } else {
      args->insert(args->begin(), env_args.begin(), env_args.end());
    }
    return true;
  }

  // argparse's _parse_optional: nullopt for a positional; false on an ambiguous abbreviation.
  bool Classify(const std::string& arg, std::optional<Tuple>* out, Exit* exit) const {
    out->reset();
    if (arg.empty() || arg[0] != '-') return true;
    if (const Spec* s = Find(arg)) {
      *out = Tuple{s, arg, std::nullopt};
      return true;
    }
    if (arg.size() == 1) return true;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      if (const Spec* s = Find(absl::string_view(arg).substr(0, eq))) {
        *out = Tuple{s, arg.substr(0, eq), arg.substr(eq + 1)};
        return true;
      }
    }
    std::vector<Tuple> tuples;
    if (arg[1] == '-') {
      const std::string prefix = arg.substr(0, eq);
      std::optional<std::string> explicit_arg;
      if (eq != std::string::npos) explicit_arg = arg.substr(eq + 1);
      for (const auto& [o, spec] : strings_) {
        if (absl::StartsWith(o, prefix)) tuples.push_back({spec, o, explicit_arg});
      }
    } else {
      const std::string short_prefix = arg.substr(0, 2);
      for (const auto& [o, spec] : strings_) {
        if (o == short_prefix) {
          tuples.push_back({spec, o, arg.substr(2)});
        } else if (absl::StartsWith(o, arg)) {
          tuples.push_back({spec, o, std::nullopt});
        }
      }
    }
    if (tuples.size() > 1) {
      std::vector<std::string> names;
      for (const Tuple& t : tuples) names.push_back(t.option);
      return Error(
          absl::StrCat("ambiguous option: ", arg, " could match ", absl::StrJoin(names, ", ")),
          exit);
    }
    if (tuples.size() == 1) {
      *out = tuples[0];
      return true;
    }
    if (LooksLikeNegativeNumber(arg) || arg.find(' ') != std::string::npos) return true;
    *out = Tuple{nullptr, arg, std::nullopt};
    return true;
  }

  // argparse's '^-\d+$|^-\d*\.\d+$'.
  static bool LooksLikeNegativeNumber(absl::string_view arg) {
    absl::string_view rest = arg.substr(1);
    const size_t dot = rest.find('.');
    auto digits = [](absl::string_view d) { return std::all_of(d.begin(), d.end(), IsDigit); };
    if (dot == absl::string_view::npos) return !rest.empty() && digits(rest);
    return digits(rest.substr(0, dot)) && dot + 1 < rest.size() && digits(rest.substr(dot + 1));
  }

  bool TakeAction(const Spec& s, const std::vector<std::string>& values, Namespace* ns,
                  Exit* exit) const {
    switch (s.kind) {
      case Kind::kHelp:
        *exit = {0, kHelpText, ""};
        return false;
      case Kind::kVersion:
        *exit = {0, absl::StrCat(prog_, " ", version_, "\n"), ""};
        return false;
      case Kind::kFlag:
        ns->flags.insert(s.dest);
        return true;
      case Kind::kList:
        ns->lists[s.dest] = values;
        return true;
      case Kind::kStore:
        break;
    }
    const std::string& v = values[0];
    int64_t i;
    double d;
    if (s.type == Type::kInt && !ParsePyInt(v, &i)) {
      return ArgError(s, "invalid int value: " + PyRepr(v), exit);
    }
    if (s.type == Type::kFloat && !ParsePyFloat(v, &d)) {
      return ArgError(s, "invalid float value: " + PyRepr(v), exit);
    }
    ns->values[s.dest] = v;
    return true;
  }

  // argparse's _parse_known_args.
  bool ParseKnown(const std::vector<std::string>& args, Namespace* ns,
                  std::vector<std::string>* extras, Exit* exit) const {
    std::string pattern;
    std::map<size_t, Tuple> options;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--") {
        pattern += '-';
        pattern.append(args.size() - i - 1, 'A');
        break;
      }
      std::optional<Tuple> t;
      if (!Classify(args[i], &t, exit)) return false;
      if (t) options.emplace(i, *t);
      pattern += t ? 'O' : 'A';
    }

    bool positional_left = user_classes_;
    auto consume_positionals = [&](size_t start) {
      if (!positional_left) return start;
      size_t end = start;
      while (end < pattern.size() && (pattern[end] == 'A' || pattern[end] == '-')) ++end;
      std::vector<std::string> values(args.begin() + start, args.begin() + end);
      auto dashes = std::find(values.begin(), values.end(), "--");
      if (dashes != values.end()) values.erase(dashes);
      ns->lists["user_classes"] = values;
      positional_left = false;
      return end;
    };

    // Returns the index after the option's arguments, or npos when parsing stops.
    auto consume_optional = [&](size_t start) -> size_t {
      Tuple t = options.at(start);
      std::vector<std::pair<const Spec*, std::vector<std::string>>> actions;
      size_t stop;
      while (true) {
        if (t.spec == nullptr) {
          extras->push_back(args[start]);
          return start + 1;
        }
        const bool takes_none = t.spec->kind == Kind::kFlag || t.spec->kind == Kind::kHelp ||
                                t.spec->kind == Kind::kVersion;
        if (t.explicit_arg) {
          if (takes_none && t.option[1] != '-' && !t.explicit_arg->empty()) {
            // "-lV": more single-dash flags in the same argument.
            actions.push_back({t.spec, {}});
            const std::string next = std::string("-") + (*t.explicit_arg)[0];
            const Spec* s = Find(next);
            if (s == nullptr) {
              ArgError(*t.spec, "ignored explicit argument " + PyRepr(*t.explicit_arg), exit);
              return std::string::npos;
            }
            std::optional<std::string> rest;
            if (t.explicit_arg->size() > 1) rest = t.explicit_arg->substr(1);
            t = Tuple{s, next, rest};
          } else if (!takes_none) {
            stop = start + 1;
            actions.push_back({t.spec, {*t.explicit_arg}});
            break;
          } else {
            ArgError(*t.spec, "ignored explicit argument " + PyRepr(*t.explicit_arg), exit);
            return std::string::npos;
          }
        } else {
          const size_t begin = start + 1;
          size_t count = 0;
          if (t.spec->kind == Kind::kStore) {
            if (begin >= pattern.size() || pattern[begin] != 'A') {
              ArgError(*t.spec, "expected one argument", exit);
              return std::string::npos;
            }
            count = 1;
          } else if (t.spec->kind == Kind::kList) {
            while (begin + count < pattern.size() && pattern[begin + count] == 'A') ++count;
          }
          stop = begin + count;
          actions.push_back(
              {t.spec, std::vector<std::string>(args.begin() + begin, args.begin() + stop)});
          break;
        }
      }
      for (const auto& [spec, values] : actions) {
        if (!TakeAction(*spec, values, ns, exit)) return std::string::npos;
      }
      return stop;
    };

    size_t start = 0;
    while (!options.empty() && start <= options.rbegin()->first) {
      const size_t next = options.lower_bound(start)->first;
      if (start != next) {
        const size_t end = consume_positionals(start);
        if (end > start) {
          start = end;
          continue;
        }
      }
      if (options.count(start) == 0) {
        extras->insert(extras->end(), args.begin() + start, args.begin() + next);
        start = next;
      }
      start = consume_optional(start);
      if (start == std::string::npos) return false;
    }
    const size_t stop = consume_positionals(start);
    extras->insert(extras->end(), args.begin() + stop, args.end());
    return true;
  }

  const std::vector<Spec>& specs_;
  const bool user_classes_;
  const std::string prog_;
  const std::string version_;
  std::vector<std::pair<std::string, const Spec*>> strings_;  // Insertion order.
};

// Finds a locustfile as find_locustfile does: the name, then the name with ".py".
bool LocustfileExists(const std::string& name, const LocustContext& context) {
  if (context.file_exists(name) && absl::EndsWith(name, ".py")) return true;
  return !absl::EndsWith(name, ".py") && context.file_exists(name + ".py");
}

// parse_locustfile_option's checks; false with *exit when Locust stops there.
bool CheckLocustfiles(const std::string& locustfile, const LocustContext& context, Exit* exit) {
  std::vector<std::string> files;
  for (absl::string_view f : absl::StrSplit(locustfile, ',')) {
    files.emplace_back(absl::StripAsciiWhitespace(f));
  }
  if (files.size() > 1) {
    for (const std::string& f : files) {
      if (!absl::EndsWith(f, ".py")) {
        *exit = {1, "", absl::StrCat("Invalid file '", f, "'. File should have '.py' extension\n")};
        return false;
      }
      if (absl::EndsWith(f, "locust.py")) {
        *exit = {1, "", "Invalid file 'locust.py'. File name cannot be 'locust.py'\n"};
        return false;
      }
    }
    return true;
  }
  if (LocustfileExists(locustfile, context)) return true;
  std::string note;
  std::string shown = locustfile;
  if (locustfile == "locustfile") {
    shown = "locustfile.py";
  } else if (!absl::EndsWith(locustfile, ".py")) {
    note = "Ensure your locustfile ends with '.py' or is a directory with locustfiles. ";
  }
  *exit = {
      1, "",
      absl::StrCat("Could not find '", shown, "'. ", note, "See --help for available options.\n")};
  return false;
}

}  // namespace

absl::StatusOr<int64_t> ParseLocustTimespan(const std::string& text) {
  constexpr char kInvalid[] =
      "Invalid time span format. Valid formats: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.";
  if (text.empty()) return absl::InvalidArgumentError("Invalid time span format");
  // '^\d+$' (where $ also matches before a final newline, which int() then strips).
  absl::string_view digits = text;
  if (absl::EndsWith(digits, "\n")) digits.remove_suffix(1);
  if (!digits.empty() && std::all_of(digits.begin(), digits.end(), IsDigit)) {
    int64_t seconds;
    if (!absl::SimpleAtoi(digits, &seconds)) {
      return absl::InvalidArgumentError("time span out of range");
    }
    return seconds;
  }
  // re.match('((?P<hours>\d+?)h)?((?P<minutes>\d+?)m)?((?P<seconds>\d+?)s)?'): a prefix.
  // timedelta caps the total at 999999999 days (Locust would crash with OverflowError).
  constexpr int64_t kMaxSeconds = int64_t{999999999} * 86400 + 86399;
  int64_t total = 0;
  bool any = false;
  size_t pos = 0;
  for (const auto& [unit, scale] : {std::pair<char, int64_t>{'h', 3600}, {'m', 60}, {'s', 1}}) {
    size_t end = pos;
    while (end < text.size() && IsDigit(text[end])) ++end;
    if (end == pos || end >= text.size() || text[end] != unit) continue;
    int64_t value;
    if (end - pos > 15 || !absl::SimpleAtoi(text.substr(pos, end - pos), &value)) {
      return absl::InvalidArgumentError("time span out of range");
    }
    total += value * scale;
    if (total > kMaxSeconds) return absl::InvalidArgumentError("time span out of range");
    any = true;
    pos = end + 1;
  }
  if (!any) return absl::InvalidArgumentError(kInvalid);
  return total;
}

LocustArgs ParseLocustArgs(const std::vector<std::string>& argv, const LocustContext& context) {
  LocustArgs result;
  std::string prog = "locust";
  size_t first = 0;
  auto base = [](const std::string& s) {
    const size_t slash = s.rfind('/');
    return slash == std::string::npos ? s : s.substr(slash + 1);
  };
  if (!argv.empty() && base(argv[0]) == "locust") {
    first = 1;
  } else if (argv.size() >= 3 && absl::StartsWith(base(argv[0]), "python") && argv[1] == "-m" &&
             argv[2] == "locust") {
    prog = "__main__.py";
    first = 3;
  }
  const std::vector<std::string> args(argv.begin() + first, argv.end());

  Exit exit;
  auto stop = [&](const Exit& e) {
    result.ok = false;
    result.exit_code = LocustProcessExitStatus(e.code);
    result.stdout_text += e.out;
    result.stderr_text += e.err;
    return result;
  };

  // Pass 1 (parse_locustfile_option): -f and friends only; then the locustfile must exist.
  Namespace pre;
  if (!ArgParser(LocustfileSpecs(), false, prog, context.version)
           .Parse(args, context, /*known_only=*/true, &pre, &exit)) {
    return stop(exit);
  }
  if (context.file_exists) {
    const std::string config = pre.Get("config");
    if (pre.Has("config") && !context.file_exists(config)) {
      exit = {2, "",
              absl::StrCat(prog, ": error: Unable to open config file: ", config,
                           ". Error: No such file or directory\n")};
      return stop(exit);
    }
    Exit missing;
    if (!CheckLocustfiles(pre.Get("locustfile", "locustfile"), context, &missing)) {
      if (pre.Flag("help") || pre.Flag("version")) {
        Namespace ns;
        ArgParser(FullSpecs(), true, prog, context.version)
            .Parse(args, context, /*known_only=*/false, &ns, &exit);
        if (exit.code != 0 || !exit.out.empty()) return stop(exit);
      }
      return stop(missing);
    }
  }

  // Pass 2 (parse_options): the whole command line.
  const ArgParser parser(FullSpecs(), true, prog, context.version);
  Namespace ns;
  if (!parser.Parse(args, context, /*known_only=*/false, &ns, &exit)) return stop(exit);
  if (ns.Flag("stats_history_enabled") && !ns.Has("csv_prefix")) {
    parser.Error("'--csv-full-history' requires '--csv'.", &exit);
    return stop(exit);
  }

  // Every value below was checked by the parser, so the conversions succeed.
  LocustOptions& o = result.options;
  auto int_value = [&](const std::string& dest, int64_t fallback) {
    int64_t v = fallback;
    if (ns.Has(dest)) ParsePyInt(ns.Get(dest), &v);
    return v;
  };
  auto float_value = [&](const std::string& dest, double fallback) {
    double v = fallback;
    if (ns.Has(dest)) ParsePyFloat(ns.Get(dest), &v);
    return v;
  };
  o.locustfile = ns.Get("locustfile", "locustfile");
  o.host = ns.Get("host");
  o.users = int_value("num_users", 1);
  o.spawn_rate = float_value("spawn_rate", 1);
  o.headless = ns.Flag("headless") && !ns.Flag("headful");
  o.autostart = ns.Flag("autostart");
  o.only_summary = ns.Flag("only_summary");
  o.print_stats = ns.Flag("print_stats");
  o.reset_stats = ns.Flag("reset_stats");
  o.exit_code_on_error = static_cast<int>(int_value("exit_code_on_error", 1));
  o.stop_timeout = absl::Seconds(int_value("stop_timeout", 0));
  o.loglevel = absl::AsciiStrToUpper(ns.Get("loglevel", "INFO"));
  o.logfile = ns.Get("logfile");
  o.skip_log_setup = ns.Flag("skip_log_setup");
  o.csv_prefix = ns.Get("csv_prefix");
  o.csv_full_history = ns.Flag("stats_history_enabled");
  o.html_file = ns.Get("html_file");
  o.tags = ns.lists["tags"];
  o.exclude_tags = ns.lists["exclude_tags"];
  o.user_classes = ns.lists["user_classes"];
  o.web_host = ns.Get("web_host");
  o.web_port = static_cast<int>(int_value("web_port", 8089));
  o.master = ns.Flag("master");
  o.worker = ns.Flag("worker");
  o.class_picker = ns.Flag("class_picker");
  o.list_commands = ns.Flag("list_commands");
  o.show_task_ratio = ns.Flag("show_task_ratio");
  o.show_task_ratio_json = ns.Flag("show_task_ratio_json");

  // main.py, in its order.
  auto plain_exit = [&](const std::string& message) {
    exit = {1, "", message + "\n"};
    return stop(exit);
  };
  if (ns.Flag("slave") || ns.Flag("expect_slaves")) {
    return plain_exit(
        "The --slave/--expect-slaves parameters have been renamed --worker/--expect-workers");
  }
  if (int_value("autoquit", -1) != -1 && !o.autostart) {
    return plain_exit("--autoquit is only meaningful in combination with --autostart");
  }
  if (!ns.Get("step_time").empty() || ns.Flag("step_load") || int_value("step_users", 0) != 0 ||
      ns.Flag("step_clients")) {
    return plain_exit(
        "The step load feature was removed in Locust 1.3. You can achieve similar results using "
        "a LoadTestShape class. See https://docs.locust.io/en/stable/custom-load-shape.html");
  }
  const double hatch_rate = float_value("hatch_rate", 0);
  if (hatch_rate != 0) {
    result.stderr_text += "[DEPRECATED] The --hatch-rate parameter has been renamed --spawn-rate\n";
    o.spawn_rate = hatch_rate;
  }
  if (!o.skip_log_setup && o.loglevel != "DEBUG" && o.loglevel != "INFO" &&
      o.loglevel != "WARNING" && o.loglevel != "ERROR" && o.loglevel != "CRITICAL") {
    return plain_exit("Invalid --loglevel. Valid values are: DEBUG/INFO/WARNING/ERROR/CRITICAL");
  }
  auto log = [&](const std::string& level, const std::string& message) {
    result.stderr_text +=
        LocustLog(o, context.now, context.hostname, level, "locust.main", message);
  };
  auto log_exit = [&](int code, const std::string& message) {
    log("ERROR", message);
    exit = {code, "", ""};
    return stop(exit);
  };
  if (o.master && o.worker) {
    return log_exit(-1, "The --master argument cannot be combined with --worker");
  }
  if (o.master && int_value("expect_workers_max_wait", 0) != 0 &&
      int_value("expect_workers", 1) == 0) {
    return log_exit(-1,
                    "The --expect-workers-max-wait argument only makes sense when combined with "
                    "--expect-workers");
  }
  int64_t run_time = 0;
  if (!ns.Get("run_time").empty()) {
    if (o.worker) {
      return log_exit(1,
                      "--run-time should be specified on the master node, and not on worker "
                      "nodes");
    }
    absl::StatusOr<int64_t> seconds = ParseLocustTimespan(ns.Get("run_time"));
    if (!seconds.ok()) {
      return log_exit(1, "Valid --run-time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.");
    }
    run_time = *seconds;
    if (run_time != 0) o.run_time = absl::Seconds(run_time);
  }
  if (!o.headless && !o.worker) {
    const std::string protocol =
        !ns.Get("tls_cert").empty() && !ns.Get("tls_key").empty() ? "https" : "http";
    const std::string web_host = o.web_host == "*" ? "" : o.web_host;
    if (!web_host.empty()) {
      log("INFO",
          absl::StrCat("Starting web interface at ", protocol, "://", web_host, ":", o.web_port));
    } else {
      log("INFO", absl::StrCat("Starting web interface at ", protocol, "://0.0.0.0:", o.web_port,
                               " (accepting connections from all network interfaces)"));
    }
    const std::string web_auth = ns.Get("web_auth");
    if (ns.Has("web_auth") && std::count(web_auth.begin(), web_auth.end(), ':') != 1) {
      return log_exit(1,
                      "Credentials supplied with --web-auth should have the format: "
                      "username:password");
    }
  } else if (o.autostart) {
    log("WARNING", "Option --autostart is ignored for headless mode and worker process.");
  }
  auto start_automatic_run = [&] {
    if (run_time != 0) {
      log("INFO", RunTimeLimitMessage(run_time));
    } else if (!o.worker) {
      log("INFO", kNoRunTimeLimitMessage);
    }
  };
  if (o.headless) start_automatic_run();
  log("INFO", StartingLocustMessage(context.version));
  if (o.class_picker) log("INFO", "Locust is running with the UserClass Picker Enabled");
  if (o.autostart) start_automatic_run();
  result.ok = true;
  return result;
}

}  // namespace sim
}  // namespace sre_eval
