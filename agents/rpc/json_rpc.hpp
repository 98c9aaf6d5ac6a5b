// JSON-RPC 2.0 over newline-delimited JSON: one request object per line in, one response per
// line out. Handlers throw nictune::Error; its code becomes error.data.code in the response.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.hpp"

namespace nictune::rpc {

using Handler = std::function<Json(const Json& params)>;

class MethodTable {
 public:
  void add(const std::string& name, Handler handler);
  const Handler* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Handler> handlers_;
};

// Longest request line accepted; anything longer is answered with an error, not buffered.
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;

// Handles one request line. Returns the response line (without newline), or nullopt for a
// notification (a request without "id").
std::optional<std::string> handle_line(const MethodTable& methods, const std::string& line);

// Standard JSON-RPC error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kServerError = -32000;

Json make_error_response(const Json& id, int code, const std::string& message,
                         const std::string& stable_code);

}  // namespace nictune::rpc
