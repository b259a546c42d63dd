// Named crash points for crash-consistency tests (docs/reliability.md, "Crash points"). A crash
// point marks a moment between two durable steps, e.g. after a segment object is written and
// before the manifest that references it is committed. When armed — `quiver serve --crash-at
// <name>[:<n>]` or the QUIVER_CRASH_AT environment variable — the n-th time the process passes
// the point it writes one line to stderr and ends at once with _exit(kCrashPointExitCode):
// no destructors, no flushes, like a kill -9 at exactly that moment. Unarmed, a point costs one
// relaxed atomic load. Compiled into every build so the release binary is the one tested.
//
// Unsafe behaviours are the matching negative controls: `--unsafe <name>` (QUIVER_UNSAFE)
// turns on a deliberate durability bug, e.g. `flush_skip_manifest`, so a crash test can show
// it reports loss. Never set outside tests.
//
// Arm* are called once at start-up, before other threads; CrashPoint and Unsafe are
// thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"

namespace quiver {

inline constexpr int kCrashPointExitCode = 9;

// Every crash point in the code, and every unsafe behaviour (`quiver crash-points` prints them).
const std::vector<std::string_view>& CrashPointNames();
const std::vector<std::string_view>& UnsafeBehaviourNames();

// `spec` is "<name>" or "<name>:<n>" (n >= 1, default 1). InvalidArgument for unknown names.
Status ArmCrashPoint(std::string_view spec);
Status EnableUnsafeBehaviour(std::string_view name);
// Reads QUIVER_CRASH_AT and QUIVER_UNSAFE (comma-separated) when set.
Status ArmFromEnvironment();

// Ends the process when `name` is armed and this is its n-th pass. `name` must be listed in
// CrashPointNames() (checked when armed, not here).
void CrashPoint(std::string_view name);
bool Unsafe(std::string_view name);

}  // namespace quiver
