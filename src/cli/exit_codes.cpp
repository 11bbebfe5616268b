#include "cli/exit_codes.h"

namespace ledger::cli {

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kInvalidArgument: return kExitDataErr;
    case ErrorCode::kNotFound: return kExitNoInput;
    case ErrorCode::kConflict:
    case ErrorCode::kRefused: return kExitRefused;
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kIndexDamaged: return kExitIoErr;
    case ErrorCode::kLocked: return kExitTempFail;
    case ErrorCode::kInternal: return kExitSoftware;
    case ErrorCode::kUsage: return kExitUsage;
  }
  return kExitSoftware;
}

}  // namespace ledger::cli
