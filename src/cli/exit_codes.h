#pragma once
// Exit statuses (sysexits.h), and the one place that maps error codes onto them.

#include "ledger/status.h"

namespace ledger::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;      // A rule refused the command, or verify failed.
inline constexpr int kExitUsage = 64;       // EX_USAGE
inline constexpr int kExitDataErr = 65;     // EX_DATAERR
inline constexpr int kExitNoInput = 66;     // EX_NOINPUT
inline constexpr int kExitSoftware = 70;    // EX_SOFTWARE
inline constexpr int kExitIoErr = 74;       // EX_IOERR
inline constexpr int kExitTempFail = 75;    // EX_TEMPFAIL: locked by another writer.

int exit_code_for(ErrorCode code);

}  // namespace ledger::cli
