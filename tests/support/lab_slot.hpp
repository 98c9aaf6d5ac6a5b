// The lab address block (LabConfig::index) a test may use: a HostSlot from the one pool every lab
// test shares, skipping blocks whose addresses an interface already holds (a lab someone started
// by hand). Block 0 is left to the user's default lab.
#pragma once

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <vector>

#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/netns.hpp"
#include "tests/support/host_slot.hpp"

namespace nictune::testing {

inline HostSlot lab_index_slot(lab::LabConfig config) {
  return HostSlot::acquire("lab-index", 1, 127, [&config](int index) {
    config.index = index;
    for (const auto& host : lab::plan_lab(config).hosts) {
      if (!lab::interface_holding(host.root_address).empty()) return false;
    }
    return true;
  });
}

// What the lab's daemons said, for a failing test's output: each host's sshd log (sessions,
// authentication, the commands it ran and how they ended), the last `max_lines` lines of each.
// Called before lab_down, which removes the files.
inline void print_lab_logs(const lab::LabState& state, std::size_t max_lines = 80) {
  for (const auto& host : state.hosts) {
    std::string path = host.sshd_dir + "/sshd.log";
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    std::cerr << "---- " << host.role << " " << path << " (last " << lines.size() - first << " of "
              << lines.size() << " lines)\n";
    for (std::size_t i = first; i < lines.size(); ++i) std::cerr << lines[i] << "\n";
  }
}

}  // namespace nictune::testing
