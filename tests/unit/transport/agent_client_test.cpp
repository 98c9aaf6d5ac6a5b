// AgentClient over a scripted in-memory transport: ids, stale answers, error mapping.
#include "orchestrator/transport/agent_client.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "core/version.hpp"

namespace nictune {
namespace {

using namespace std::chrono_literals;

// Answers each request with whatever `respond` returns (zero or more lines).
class FakeTransport : public Transport {
 public:
  std::function<std::vector<std::string>(const Json& request)> respond;
  std::vector<Json> sent;
  std::deque<std::string> pending;
  bool closed = false;

  void send_line(const std::string& line) override {
    Json request = Json::parse(line);
    sent.push_back(request);
    for (auto& out : respond(request)) pending.push_back(out);
  }
  std::string receive_line(std::chrono::milliseconds) override {
    if (pending.empty())
      throw TransportError(TransportErrorKind::kTimeout, "fake: no answer within 5 ms");
    std::string line = pending.front();
    pending.pop_front();
    return line;
  }
  void close() override { closed = true; }
  std::string describe() const override { return "fake"; }
};

std::string result_line(const Json& id, const Json& result) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump();
}
std::string error_line(const Json& id, int code, const std::string& message,
                       const std::string& stable) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"error", {{"code", code}, {"message", message}, {"data", {{"code", stable}}}}}}
      .dump();
}

struct Fixture {
  FakeTransport* fake = new FakeTransport;
  AgentClient client{std::unique_ptr<Transport>(fake), "dut"};
};

TEST(AgentClient, SendsJsonRpcRequestsWithIncreasingIds) {
  Fixture f;
  f.fake->respond = [](const Json& r) {
    return std::vector<std::string>{result_line(r["id"], r["params"])};
  };
  EXPECT_EQ(f.client.call("echo", {{"x", 1}}, 1s)["x"], 1);
  EXPECT_EQ(f.client.call("echo", {{"x", 2}}, 1s)["x"], 2);
  ASSERT_EQ(f.fake->sent.size(), 2u);
  EXPECT_EQ(f.fake->sent[0]["jsonrpc"], "2.0");
  EXPECT_EQ(f.fake->sent[0]["method"], "echo");
  EXPECT_LT(f.fake->sent[0]["id"].get<int>(), f.fake->sent[1]["id"].get<int>());
}

TEST(AgentClient, SkipsAnswersToEarlierRequests) {
  Fixture f;
  f.fake->respond = [](const Json& r) {
    return std::vector<std::string>{result_line(r["id"].get<int>() - 1, "stale"),
                                    result_line(r["id"], "fresh")};
  };
  EXPECT_EQ(f.client.call("x", Json::object(), 1s), "fresh");
}

TEST(AgentClient, MapsTheStableErrorCode) {
  Fixture f;
  for (auto [stable, code] :
       std::vector<std::pair<std::string, ErrorCode>>{{"invalid", ErrorCode::kInvalid},
                                                      {"unsupported", ErrorCode::kUnsupported},
                                                      {"busy", ErrorCode::kBusy},
                                                      {"io", ErrorCode::kIo},
                                                      {"guarded", ErrorCode::kGuarded},
                                                      {"something-new", ErrorCode::kInternal}}) {
    f.fake->respond = [stable = stable](const Json& r) {
      return std::vector<std::string>{
          error_line(r["id"], -32000, "rps on eth0: no\nsuch file", stable)};
    };
    try {
      f.client.call("apply", Json::object(), 1s);
      FAIL();
    } catch (const TransportError&) {
      FAIL() << "an agent error is not a transport error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << stable;
      EXPECT_EQ(std::string(e.what()), "dut (fake): apply: rps on eth0: no such file");
    }
  }
}

TEST(AgentClient, ErrorWithNullIdIsOurs) {
  Fixture f;
  f.fake->respond = [](const Json&) {
    return std::vector<std::string>{
        error_line(nullptr, -32600, "request longer than 1 MiB", "invalid")};
  };
  try {
    f.client.call("apply", Json::object(), 1s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
  }
}

TEST(AgentClient, GarbageIsAProtocolError) {
  Fixture f;
  f.fake->respond = [](const Json&) { return std::vector<std::string>{"Segmentation fault"}; };
  try {
    f.client.call("probe", Json::object(), 1s);
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kProtocol);
    EXPECT_NE(std::string(e.what()).find("Segmentation fault"), std::string::npos);
  }
  f.fake->respond = [](const Json&) { return std::vector<std::string>{"{\"hello\": 1}"}; };
  EXPECT_THROW(f.client.call("probe", Json::object(), 1s), TransportError);
}

TEST(AgentClient, TimeoutNamesTheMethod) {
  Fixture f;
  f.fake->respond = [](const Json&) { return std::vector<std::string>{}; };
  try {
    f.client.call("load.run", Json::object(), 2500ms);
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kTimeout);
    EXPECT_EQ(std::string(e.what()), "dut (fake): no answer to \"load.run\" within 2.5 s");
  }
}

TEST(AgentClient, HelloChecksTheProtocol) {
  Fixture f;
  f.fake->respond = [](const Json& r) {
    return std::vector<std::string>{result_line(
        r["id"],
        {{"agent", "nictune-agent"}, {"version", "9.9"}, {"protocol", kProtocolVersion + 1}})};
  };
  try {
    f.client.hello();
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kProtocol);
    std::string what = e.what();
    EXPECT_NE(what.find("protocol " + std::to_string(kProtocolVersion + 1)), std::string::npos)
        << what;
    EXPECT_NE(what.find("9.9"), std::string::npos) << what;
  }
  f.fake->respond = [](const Json& r) {
    return std::vector<std::string>{
        result_line(r["id"], {{"agent", "nictune-agent"}, {"protocol", kProtocolVersion}})};
  };
  EXPECT_EQ(f.client.hello()["protocol"], kProtocolVersion);
  EXPECT_EQ(f.client.facts()["agent"], "nictune-agent");
}

TEST(AgentClient, CloseIsIdempotentAndFinal) {
  Fixture f;
  f.client.close();
  f.client.close();
  EXPECT_TRUE(f.fake->closed);
  EXPECT_THROW(f.client.call("x", Json::object(), 1s), TransportError);
}

}  // namespace
}  // namespace nictune
