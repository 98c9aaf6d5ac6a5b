#include "agents/rpc/json_rpc.hpp"

#include "core/errors.hpp"
#include "core/text_util.hpp"

namespace nictune::rpc {

void MethodTable::add(const std::string& name, Handler handler) {
  handlers_[name] = std::move(handler);
}

const Handler* MethodTable::find(const std::string& name) const {
  auto it = handlers_.find(name);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::names() const {
  std::vector<std::string> out;
  for (const auto& [name, handler] : handlers_) out.push_back(name);
  return out;
}

Json make_error_response(const Json& id, int code, const std::string& message,
                         const std::string& stable_code) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"error", {{"code", code}, {"message", message}, {"data", {{"code", stable_code}}}}}};
}

std::optional<std::string> handle_line(const MethodTable& methods, const std::string& line) {
  if (line.size() > kMaxRequestBytes) {
    return make_error_response(nullptr, kInvalidRequest, "request longer than 1 MiB", "invalid")
        .dump();
  }
  Json request;
  try {
    request = Json::parse(line);
  } catch (const Json::parse_error& e) {
    return make_error_response(nullptr, kParseError, std::string("not JSON: ") + e.what(),
                               "invalid")
        .dump();
  }
  Json id = request.is_object() && request.contains("id") ? request["id"] : Json(nullptr);
  if (!id.is_null() && !id.is_string() && !id.is_number_integer() && !id.is_number_unsigned()) {
    return make_error_response(nullptr, kInvalidRequest, "id must be a string or an integer",
                               "invalid")
        .dump();
  }
  if (!request.is_object() || request.value("jsonrpc", "") != "2.0" ||
      !request.contains("method") || !request["method"].is_string()) {
    return make_error_response(id, kInvalidRequest,
                               "expected {\"jsonrpc\":\"2.0\",\"method\":STRING,\"id\":...}",
                               "invalid")
        .dump();
  }
  const bool notification = !request.contains("id");
  const std::string method = request["method"].get<std::string>();
  Json params = request.contains("params") ? request["params"] : Json::object();
  if (!params.is_object()) {
    return make_error_response(id, kInvalidParams, "params must be an object", "invalid").dump();
  }
  const Handler* handler = methods.find(method);
  Json response;
  if (!handler) {
    response = make_error_response(
        id, kMethodNotFound, "no method \"" + method + "\"" + did_you_mean(method, methods.names()),
        "unsupported");
  } else {
    try {
      response = {{"jsonrpc", "2.0"}, {"id", id}, {"result", (*handler)(params)}};
    } catch (const Error& e) {
      int code = e.code() == ErrorCode::kInvalid ? kInvalidParams : kServerError;
      response = make_error_response(id, code, e.what(), std::string(to_string(e.code())));
    } catch (const Json::exception& e) {
      response = make_error_response(id, kInvalidParams, std::string("bad params: ") + e.what(),
                                     "invalid");
    } catch (const std::exception& e) {
      response = make_error_response(id, kServerError, e.what(), "internal");
    }
  }
  if (notification) return std::nullopt;
  return response.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace nictune::rpc
