#include <gtest/gtest.h>

#include "core/version.hpp"
#include "orchestrator/transport/ssh_transport.hpp"

namespace nictune {
namespace {

const std::string kEntry = "198.18.1.2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample\n";

TEST(HostKeyMessages, UnknownKeyShowsTheFingerprintAndTheExactAcceptLine) {
  std::string text =
      unknown_host_key_message("ssh-ed25519", "SHA256:abc", "/root/.ssh/known_hosts", kEntry);
  EXPECT_NE(text.find("ssh-ed25519 SHA256:abc"), std::string::npos) << text;
  EXPECT_NE(text.find("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"), std::string::npos)
      << text;
  EXPECT_NE(text.find("echo '198.18.1.2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample' >> "
                      "/root/.ssh/known_hosts"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(HostKeyMessages, ChangedKeySaysHowToRemoveTheOldOne) {
  std::string text = changed_host_key_message("ssh-ed25519", "SHA256:new", "/lab/known hosts",
                                              "[10.0.0.1]:2222", kEntry);
  EXPECT_NE(text.find("HOST KEY CHANGED"), std::string::npos) << text;
  EXPECT_NE(text.find("SHA256:new"), std::string::npos) << text;
  EXPECT_NE(text.find("ssh-keygen -R '[10.0.0.1]:2222' -f '/lab/known hosts'"), std::string::npos)
      << text;
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(HostKeyMessages, ExpectedVersionLineMatchesTheAgent) {
  EXPECT_EQ(expected_agent_version_line(), std::string("nictune-agent ") + kVersion +
                                               " (protocol " + std::to_string(kProtocolVersion) +
                                               ")");
}

}  // namespace
}  // namespace nictune
