// Typed errors shared by every nictune component. Each carries a stable code string so the agent
// protocol, the CLI exit codes and the store all speak the same vocabulary.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace nictune {

enum class ErrorCode {
  kInvalid,      // bad input: a spec, a request, a value out of range
  kUnsupported,  // the host or device cannot do this
  kBusy,         // something else holds the resource
  kIo,           // a read or write to the kernel/filesystem failed
  kGuarded,      // refused for safety (management interface, ...)
  kTransport,    // the link to an agent failed
  kInternal,     // a bug
};

std::string_view to_string(ErrorCode code);
ErrorCode error_code_from_string(std::string_view text);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

inline Error invalid(const std::string& message) {
  return Error(ErrorCode::kInvalid, message);
}

}  // namespace nictune
