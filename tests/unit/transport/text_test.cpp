#include "orchestrator/transport/text.hpp"

#include <gtest/gtest.h>

#include "orchestrator/transport/subprocess.hpp"

namespace nictune {
namespace {

using namespace transport_text;
using namespace std::chrono_literals;

TEST(TransportText, ShellQuoteRoundTripsThroughSh) {
  for (std::string word : {"plain", "", "two words", "it's", "$HOME", "`id`", "a\"b", "semi;colon",
                           "new\nline", "back\\slash", "--sysfs-root=/x/y"}) {
    auto result = subprocess::run({"sh", "-c", "printf %s " + shell_quote(word)});
    ASSERT_TRUE(result.ok()) << word;
    EXPECT_EQ(result.out, word);
  }
  EXPECT_EQ(shell_quote("/usr/bin/nictune-agent"), "/usr/bin/nictune-agent");
  EXPECT_EQ(shell_command({"sudo", "-n", "/a b/agent"}), "sudo -n '/a b/agent'");
}

TEST(TransportText, Durations) {
  EXPECT_EQ(duration(250ms), "250 ms");
  EXPECT_EQ(duration(1500ms), "1.5 s");
  EXPECT_EQ(duration(30s), "30 s");
}

TEST(TransportText, LastLinesAreOneLine) {
  EXPECT_EQ(last_lines("first\n\n  second  \nthird\n"), "first | second | third");
  EXPECT_EQ(last_lines("aaaa\nbbbb\ncccc\n", 11), "bbbb | cccc");
  EXPECT_EQ(last_lines(std::string(50, 'z'), 10), "..." + std::string(10, 'z'));
  EXPECT_EQ(last_lines(""), "");
}

TEST(TransportText, TailKeepsTheEnd) {
  std::string tail;
  append_tail(tail, "abcdef", 6, 4);
  EXPECT_EQ(tail, "cdef");
  append_tail(tail, "gh", 2, 4);
  EXPECT_EQ(tail, "efgh");
}

}  // namespace
}  // namespace nictune
