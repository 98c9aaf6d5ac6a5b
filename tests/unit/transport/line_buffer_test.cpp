#include "orchestrator/transport/line_buffer.hpp"

#include <gtest/gtest.h>

namespace nictune {
namespace {

TEST(LineBuffer, SplitsLinesAcrossChunks) {
  LineBuffer buffer;
  buffer.append("{\"a\":", 5);
  EXPECT_FALSE(buffer.next_line());
  buffer.append("1}\n{\"b\"", 7);
  EXPECT_EQ(buffer.next_line(), "{\"a\":1}");
  EXPECT_FALSE(buffer.next_line());
  buffer.append(":2}\r\n\n", 6);
  EXPECT_EQ(buffer.next_line(), "{\"b\":2}");
  EXPECT_EQ(buffer.next_line(), "");
  EXPECT_FALSE(buffer.next_line());
  EXPECT_EQ(buffer.pending(), 0u);
}

TEST(LineBuffer, ManyLinesInOneChunk) {
  LineBuffer buffer;
  std::string data;
  for (int i = 0; i < 1000; ++i) data += std::to_string(i) + "\n";
  buffer.append(data.data(), data.size());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(buffer.next_line(), std::to_string(i));
  EXPECT_FALSE(buffer.next_line());
}

TEST(LineBuffer, ReportsAnOverlongLine) {
  LineBuffer buffer(16);
  std::string data(17, 'x');
  buffer.append(data.data(), data.size());
  EXPECT_FALSE(buffer.next_line());
  EXPECT_TRUE(buffer.overflowed());
}

TEST(LineBuffer, ScansLongLinesOnlyOnce) {
  // A large response arriving in small pieces must not be rescanned from its start each time.
  LineBuffer buffer;
  std::string piece(4096, 'y');
  for (int i = 0; i < 4096; ++i) {
    buffer.append(piece.data(), piece.size());
    ASSERT_FALSE(buffer.next_line());
  }
  buffer.append("\n", 1);
  auto line = buffer.next_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->size(), 4096u * 4096u);
}

}  // namespace
}  // namespace nictune
