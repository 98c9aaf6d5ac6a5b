#include "orchestrator/transport/agent_client.hpp"

#include "core/version.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {
namespace {

using Clock = std::chrono::steady_clock;

std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

AgentClient::AgentClient(std::unique_ptr<Transport> transport, std::string role)
    : transport_(std::move(transport)), role_(std::move(role)) {
  if (!transport_) throw Error(ErrorCode::kInternal, "AgentClient: no transport");
}

AgentClient::~AgentClient() {
  try {
    close();
  } catch (...) {
    // Bounded and best effort: the agent restores on end of input by itself.
  }
}

std::unique_ptr<AgentClient> AgentClient::connect(const HostSpec& spec,
                                                  const TransportOptions& options,
                                                  std::chrono::milliseconds hello_timeout) {
  std::string role = spec.bench.empty() ? spec.role : spec.bench + "/" + spec.role;
  auto client = std::make_unique<AgentClient>(make_transport(spec, options), role);
  client->hello(hello_timeout);
  return client;
}

std::string AgentClient::label() const {
  return transport_label(role_, transport_->describe());
}

const Json& AgentClient::hello(std::chrono::milliseconds timeout) {
  Json facts = call("hello", Json::object(), timeout);
  if (!facts.is_object() || !facts.contains("protocol") || !facts["protocol"].is_number_integer()) {
    throw TransportError(
        TransportErrorKind::kProtocol,
        label() + ": hello: the answer has no integer \"protocol\": " + json_brief(facts));
  }
  int protocol = facts["protocol"].get<int>();
  if (protocol != kProtocolVersion) {
    throw TransportError(TransportErrorKind::kProtocol,
                         label() + ": the agent speaks protocol " + std::to_string(protocol) +
                             " (version " + facts.value("version", std::string("?")) +
                             "), this nictune speaks " + std::to_string(kProtocolVersion) +
                             " (version " + kVersion + "); run the matching agent");
  }
  facts_ = std::move(facts);
  return facts_;
}

Json AgentClient::call(const std::string& method, const Json& params,
                       std::chrono::milliseconds timeout) {
  if (closed_)
    throw TransportError(TransportErrorKind::kProtocol,
                         label() + ": " + method + ": the client is closed");
  const std::int64_t id = next_id_++;
  Json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  transport_->send_line(request.dump(-1, ' ', false, Json::error_handler_t::replace));

  auto deadline = Clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::string line;
    try {
      line = transport_->receive_line(std::max(left, std::chrono::milliseconds(0)));
    } catch (const TransportError& e) {
      if (e.kind() != TransportErrorKind::kTimeout) throw;
      throw TransportError(TransportErrorKind::kTimeout, label() + ": no answer to \"" + method +
                                                             "\" within " +
                                                             transport_text::duration(timeout));
    }
    Json response;
    try {
      response = Json::parse(line);
    } catch (const Json::parse_error&) {
      throw TransportError(
          TransportErrorKind::kProtocol,
          label() + ": " + method +
              ": the agent sent something that is not JSON: " + one_line(line.substr(0, 160)));
    }
    if (!response.is_object() || response.value("jsonrpc", "") != "2.0" ||
        (!response.contains("result") && !response.contains("error"))) {
      throw TransportError(
          TransportErrorKind::kProtocol,
          label() + ": " + method + ": not a JSON-RPC 2.0 response: " + json_brief(response));
    }
    const Json response_id = response.contains("id") ? response["id"] : Json(nullptr);
    // A null id answers a request the agent could not even parse: with one request in flight
    // it can only be ours. Other ids belong to earlier calls that timed out.
    bool ours = response_id.is_null()
                    ? response.contains("error")
                    : (response_id.is_number_integer() && response_id.get<std::int64_t>() == id);
    if (!ours) continue;
    if (response.contains("result")) return response["result"];

    const Json& error = response["error"];
    std::string message =
        error.is_object() && error.contains("message") && error["message"].is_string()
            ? error["message"].get<std::string>()
            : json_brief(error);
    ErrorCode code = ErrorCode::kInternal;
    if (error.is_object() && error.contains("data") && error["data"].is_object() &&
        error["data"].contains("code") && error["data"]["code"].is_string()) {
      code = error_code_from_string(error["data"]["code"].get<std::string>());
    } else if (error.is_object() && error.value("code", 0) == -32602) {
      code = ErrorCode::kInvalid;
    } else if (error.is_object() && error.value("code", 0) == -32601) {
      code = ErrorCode::kUnsupported;
    }
    throw Error(code, label() + ": " + method + ": " + one_line(message));
  }
}

void AgentClient::close() {
  if (closed_) return;
  closed_ = true;
  transport_->close();
}

}  // namespace nictune
