#include "orchestrator/transport/transport_registry.hpp"

#include <gtest/gtest.h>

namespace nictune {
namespace {

TEST(TransportRegistry, ListsLocalAndSsh) {
  std::vector<std::string> names;
  for (const auto& [name, factory] : transport_factories()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"local", "ssh"}));
}

TEST(TransportRegistry, UnknownNameIsAnInvalidSpecWithASuggestion) {
  HostSpec spec;
  spec.role = "dut";
  spec.transport = "shh";
  try {
    make_transport(spec, TransportOptions{});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    std::string what = e.what();
    EXPECT_NE(what.find("hosts.dut.transport"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean \"ssh\""), std::string::npos) << what;
  }
}

TEST(TransportRegistry, SshWithoutHostIsUnreachableNotACrash) {
  HostSpec spec;
  spec.role = "lg";
  spec.transport = "ssh";
  try {
    make_transport(spec, TransportOptions{});
    FAIL() << "expected an error";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kUnreachable);
    EXPECT_EQ(std::string(e.what()).rfind("lg (ssh root@:22)", 0), 0u) << e.what();
  }
}

TEST(TransportRegistry, FindsTheAgentThroughTheEnvironment) {
  setenv("NICTUNE_AGENT", "/opt/x/nictune-agent", 1);
  EXPECT_EQ(find_local_agent_binary(), "/opt/x/nictune-agent");
  unsetenv("NICTUNE_AGENT");
}

}  // namespace
}  // namespace nictune
