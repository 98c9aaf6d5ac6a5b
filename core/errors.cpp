#include "core/errors.hpp"

namespace nictune {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid:
      return "invalid";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kGuarded:
      return "guarded";
    case ErrorCode::kTransport:
      return "transport";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

ErrorCode error_code_from_string(std::string_view text) {
  for (auto code : {ErrorCode::kInvalid, ErrorCode::kUnsupported, ErrorCode::kBusy, ErrorCode::kIo,
                    ErrorCode::kGuarded, ErrorCode::kTransport}) {
    if (to_string(code) == text) return code;
  }
  return ErrorCode::kInternal;
}

}  // namespace nictune
