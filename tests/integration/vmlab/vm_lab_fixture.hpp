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

// `apply` parameters of the virtio point the apply/restore tests take: 4 channels, RSS over 2
// queues, the data IRQs on CPU 1, RPS on every CPU, XPS on CPU 0 (a write of each kind the
// virtio driver takes).
Json virtio_point_params();

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
  // Copies `content` to `path` in the guest (a here-document through the same ssh).
  void upload(const std::string& path, const std::string& content);
  std::unique_ptr<AgentClient> dut(const std::string& kind);
  // "Combined:\t2" of the "Current hardware settings" block of ethtool -l; -1 when absent.
  int current_combined(const std::string& interface);
  // The first "field: value" of `ethtool ARGS` ("?" when absent).
  std::string ethtool_value(const std::string& args, const std::string& field);
  // IRQ numbers and names from the guest's /proc/interrupts whose name contains `part`.
  std::map<int, std::string> irqs(const std::string& part);
  // Per-CPU counts of one IRQ.
  std::vector<long> irq_counts(int irq);
  // `count` UDP datagrams from the LG namespace to the guest NIC, `gap` apart (so that NAPI
  // polling does not merge them all), sent by a thread of this process that joined the LG's
  // namespace: a shell loop's fork per datagram paced at 3-15 ms depending on the host's load.
  // A late wake-up is not caught up with a burst. Returns the seconds the sending took.
  double udp_from_lg(const VmNic& nic, int count,
                     std::chrono::microseconds gap = std::chrono::milliseconds(2));
};

}  // namespace nictune::lab::vmtest
