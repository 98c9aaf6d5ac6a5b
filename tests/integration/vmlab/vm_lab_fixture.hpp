// The VM lab test program's shared fixture: one QEMU guest for the whole program (a gtest
// Environment boots it, tears it down also on failure), and the independent checks every test
// uses: the guest's own ethtool, cat and /proc over a separate ssh (not the agent's session).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "orchestrator/lab/vm_lab.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "support/lab_slot.hpp"

namespace nictune::lab::vmtest {

// The static release agent: the only one that runs in the guest.
std::string agent_binary();
// The orchestrator of the test's own build (it runs on this host).
std::string nictune_binary();

// The program's lab, "vmtINDEX", on address block `index`.
LabConfig lab_config(int index);

struct Shared {
  testing::HostSlot slot;  // the lab's address block, from the pool every lab test shares
  std::string skip;
  std::string failure;
  VmLabState state;
  std::chrono::duration<double> up_time{};
};
extern Shared* shared;

class VmLab : public ::testing::Test {
 protected:
  void SetUp() override;
  const VmLabState& lab() const { return shared->state; }

  // A command in the guest over its own ssh connection (not the agent's): the independent
  // check. Without `status` the command must succeed; with it, `status` gets its exit status.
  std::string guest(const std::string& command, int* status = nullptr);
  std::unique_ptr<AgentClient> dut(const std::string& kind);
  // "Combined:\t2" of the "Current hardware settings" block of ethtool -l; -1 when absent.
  int current_combined(const std::string& interface);
  // The first "field: value" of `ethtool ARGS` ("?" when absent).
  std::string ethtool_value(const std::string& args, const std::string& field);
  // IRQ numbers and names from the guest's /proc/interrupts whose name contains `part`.
  std::map<int, std::string> irqs(const std::string& part);
  // Per-CPU counts of one IRQ.
  std::vector<long> irq_counts(int irq);
  // `count` UDP datagrams from the LG namespace to the guest NIC, paced (about 2 ms apart) so
  // that interrupt moderation does not merge them all. bash's /dev/udp: no tool to install.
  void udp_from_lg(const VmNic& nic, int count);
};

}  // namespace nictune::lab::vmtest
