// A stand-in for systemctl on machines without systemd (this test machine's PID 1 is not
// systemd): a shell script that keeps one service's state in a file and answers cat /
// is-active / start / stop with systemctl's exit statuses. Every call is logged; a file
// fail-VERB makes that verb fail; a file named in watch is logged at every start. Removed when the
// test ends.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace nictune::agent::testing {

class FakeSystemctl {
 public:
  explicit FakeSystemctl(const std::string& state = "active") {
    dir_ = std::filesystem::temp_directory_path() /
           ("nictune-systemctl-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write("unit-irqbalance", "[Service]\nExecStart=/usr/sbin/irqbalance --foreground\n");
    write("state-irqbalance", state + "\n");
    write("systemctl", R"sh(#!/bin/sh
# Fake systemctl: VERB [--quiet] UNIT. Exit statuses as systemctl's: is-active 0 active, 3 not;
# cat 1 for an unknown unit.
dir=$(dirname "$0")
echo "$*" >> "$dir/calls"
verb=$1
for unit; do :; done
if [ -e "$dir/fail-$verb" ]; then echo "Failed to $verb $unit.service: simulated failure" >&2; exit 1; fi
if [ ! -e "$dir/unit-$unit" ]; then echo "No files found for $unit.service." >&2; exit 1; fi
case "$verb" in
  cat) cat "$dir/unit-$unit" ;;
  is-active) [ "$(cat "$dir/state-$unit")" = active ] || exit 3 ;;
  start)
    # What the service would find when it starts (the restore order test watches an IRQ).
    [ -e "$dir/watch" ] && echo "start found $(cat "$(cat "$dir/watch")")" >> "$dir/calls"
    echo active > "$dir/state-$unit" ;;
  stop) echo inactive > "$dir/state-$unit" ;;
  *) echo "Unknown command verb $verb." >&2; exit 1 ;;
esac
)sh");
    ::chmod(path().c_str(), 0755);
  }
  ~FakeSystemctl() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  FakeSystemctl(const FakeSystemctl&) = delete;
  FakeSystemctl& operator=(const FakeSystemctl&) = delete;

  std::string path() const { return (dir_ / "systemctl").string(); }
  std::string state() const { return read("state-irqbalance"); }
  std::string calls() const { return read("calls"); }
  void fail(const std::string& verb) const { write("fail-" + verb, ""); }
  void forget_unit() const { std::filesystem::remove(dir_ / "unit-irqbalance"); }
  // Log the content of `file` at every start.
  void watch(const std::string& file) const { write("watch", file); }

 private:
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::trunc) << text;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
};

}  // namespace nictune::agent::testing
