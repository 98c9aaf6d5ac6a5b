#include "orchestrator/transport/transport.hpp"

namespace nictune {

std::string to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::kUnreachable:
      return "unreachable";
    case TransportErrorKind::kAuth:
      return "auth";
    case TransportErrorKind::kHostKey:
      return "host-key";
    case TransportErrorKind::kTimeout:
      return "timeout";
    case TransportErrorKind::kAgentCrash:
      return "agent-crash";
    case TransportErrorKind::kProtocol:
      return "protocol";
  }
  return "?";
}

std::string transport_label(const std::string& role, const std::string& description) {
  return role.empty() ? description : role + " (" + description + ")";
}

}  // namespace nictune
