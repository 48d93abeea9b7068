#include "util/process_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "util/unique_fd.h"

namespace sre_eval {

namespace {

struct ProcessEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  bool zombie = false;
};

// Reads up to `cap` bytes of a /proc file; empty when it cannot be read (the process is gone,
// or belongs to someone else).
std::string ReadProcFile(const std::string& path, size_t cap) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string out;
  if (!fd.valid()) return out;
  char buf[4096];
  while (out.size() < cap) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Parses /proc/PID/stat: "pid (comm) state ppid pgrp ...". comm may hold anything, ')' too.
bool ReadEntry(pid_t pid, ProcessEntry* e) {
  std::string stat = ReadProcFile(absl::StrCat("/proc/", pid, "/stat"), 4096);
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
  int ppid = 0, pgrp = 0;
  if (fields.size() < 3 || !absl::SimpleAtoi(fields[1], &ppid) ||
      !absl::SimpleAtoi(fields[2], &pgrp)) {
    return false;
  }
  e->pid = pid;
  e->ppid = ppid;
  e->pgrp = pgrp;
  e->zombie = fields[0] == "Z" || fields[0] == "X";
  return true;
}

std::vector<ProcessEntry> ListProcesses() {
  std::vector<ProcessEntry> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* d = readdir(dir)) {
    int pid = 0;
    if (!absl::SimpleAtoi(d->d_name, &pid) || pid <= 0) continue;
    ProcessEntry e;
    if (ReadEntry(pid, &e)) out.push_back(e);
  }
  closedir(dir);
  return out;
}

bool HasTag(pid_t pid, const std::string& entry) {
  std::string env = ReadProcFile(absl::StrCat("/proc/", pid, "/environ"), size_t{4} << 20);
  env.insert(env.begin(), '\0');
  env.push_back('\0');
  return env.find(entry) != std::string::npos;
}

}  // namespace

std::string NewCallTag() {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat(getpid(), "-", counter.fetch_add(1) + 1, "-", absl::ToUnixNanos(absl::Now()));
}

void BecomeChildSubreaper() {
  static std::once_flag once;
  std::call_once(once, [] { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); });
}

int KillCallProcesses(pid_t leader, absl::string_view tag) {
  const pid_t self = getpid();
  const std::string entry =
      absl::StrCat(std::string(1, '\0'), kCallTagVariable, "=", tag, std::string(1, '\0'));
  std::set<pid_t> killed;
  std::set<pid_t> ours;  // Killed children of this process, still to be reaped.
  for (int round = 0; round < 50; ++round) {
    std::vector<ProcessEntry> all = ListProcesses();
    std::multimap<pid_t, pid_t> children;  // ppid -> pid
    std::vector<pid_t> members;
    for (const ProcessEntry& e : all) {
      children.emplace(e.ppid, e.pid);
      if (e.pid == self || e.pid == leader) continue;
      if (e.pgrp == leader || (!e.zombie && HasTag(e.pid, entry))) members.push_back(e.pid);
    }
    // Whatever descends from a member belongs to the call too, tag or not.
    std::set<pid_t> found(members.begin(), members.end());
    for (size_t i = 0; i < members.size(); ++i) {
      auto [begin, end] = children.equal_range(members[i]);
      for (auto it = begin; it != end; ++it) {
        if (it->second != self && it->second != leader && found.insert(it->second).second) {
          members.push_back(it->second);
        }
      }
    }
    int live = 0;
    for (const ProcessEntry& e : all) {
      if (found.count(e.pid) == 0) continue;
      if (e.ppid == self) ours.insert(e.pid);
      if (e.zombie) continue;
      if (kill(e.pid, SIGKILL) == 0) {
        ++live;
        killed.insert(e.pid);
      }
    }
    if (live == 0) break;
    absl::SleepFor(absl::Milliseconds(1));  // Let the killed die before looking again.
  }
  // Only this call's processes are reaped: other threads wait for their own children. A
  // killed child may take a moment to become a zombie.
  absl::Time until = absl::Now() + absl::Seconds(1);
  for (pid_t pid : ours) {
    for (;;) {
      int r = waitpid(pid, nullptr, WNOHANG);
      if (r < 0 && errno == EINTR) continue;
      if (r != 0 || absl::Now() >= until) break;  // Reaped, or no longer ours, or stuck.
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  return static_cast<int>(killed.size());
}

}  // namespace sre_eval
