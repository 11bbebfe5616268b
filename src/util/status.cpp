#include "ledger/status.h"

namespace ledger {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kRefused: return "refused";
    case ErrorCode::kCorruption: return "corruption";
    case ErrorCode::kIoError: return "I/O error";
    case ErrorCode::kLocked: return "locked";
    case ErrorCode::kInternal: return "internal error";
    case ErrorCode::kUsage: return "usage error";
    case ErrorCode::kIndexDamaged: return "damaged index";
  }
  return "unknown";
}

}  // namespace ledger
