// Finding and killing every process one subprocess call started, including those that left
// its process group (setsid) or were orphaned. Linux only (/proc).
#ifndef SRE_EVAL_UTIL_PROCESS_SWEEP_H_
#define SRE_EVAL_UTIL_PROCESS_SWEEP_H_

#include <sys/types.h>

#include <string>

#include "absl/strings/string_view.h"

namespace sre_eval {

// The environment variable that marks a call's processes; its value is unique to the call.
inline constexpr char kCallTagVariable[] = "SRE_EVAL_CALL";

// A fresh tag value for one call: unique in this process and across processes.
std::string NewCallTag();

// Makes this process a child subreaper (once; later calls do nothing), so that orphans of its
// children's trees become its children rather than init's and keep a parent that knows them.
void BecomeChildSubreaper();

// Kills with SIGKILL, until none is left (a bounded number of rounds), every process other
// than this one and `leader` that is in the process group `leader`, carries
// kCallTagVariable=`tag` in its environment, or descends from such a process. Reaps those of
// them that are this process's children (never anything else: other threads wait for their
// own children). The leader is left to the caller, unreaped or not. Returns how many
// processes it killed.
int KillCallProcesses(pid_t leader, absl::string_view tag);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_PROCESS_SWEEP_H_
