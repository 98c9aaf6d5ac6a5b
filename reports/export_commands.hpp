// The agent's recorded shell lines, read back into what they set, so that each export format can
// say the same thing its own way (.link keys, a check that reads the value back, a script that
// finds a queue's IRQ on the target). IRQ lines name an IRQ number, which changes across boots
// and hosts: with the DUT's probe (which IRQ served which queue, from the agent's topology
// discovery) they become a queue identity resolved on the target when the script runs.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nictune::report {

// Which way an IRQ serves its queue, as the agent's topology discovery classified its name.
enum class IrqDirection { kRx, kTx, kBoth };
std::string to_string(IrqDirection direction);  // "rx", "tx", "rxtx"

// One queue IRQ of the measured DUT interface (probe topology.irqs).
struct QueueIrq {
  int queue = -1;
  IrqDirection direction = IrqDirection::kBoth;
  std::string name;  // its /proc/interrupts action name there ("eth1-TxRx-3")
};

// The measured DUT interface: what identifies it on another boot or host.
struct ExportNic {
  std::string name;      // the interface name it was measured as
  std::string mac;       // "" when the probe did not record it
  std::string bus_info;  // PCI address "0000:3b:00.0", "" for a virtual device
  std::string driver;
  std::map<unsigned, QueueIrq> irqs;  // by IRQ number as measured
};

enum class CommandKind {
  kEthtool,    // ethtool -L/-G/-K/-C/-A/-X/-N $IFACE word value ...
  kFile,       // echo VALUE > /sys/... or /proc/... (not an IRQ)
  kSysctl,     // sysctl -w key=value
  kIrqQueue,   // an IRQ's affinity, named by queue (resolved on the target)
  kIrqNumber,  // an IRQ's affinity by number: the probe did not say which queue it served
  kService,    // systemctl start|stop NAME
  kOther,      // anything else: run as recorded, not checkable
};

struct ExportCommand {
  CommandKind kind = CommandKind::kOther;
  std::string recorded;                                       // the agent's line as stored
  char ethtool_option = 0;                                    // 'L', 'G', 'K', ...
  std::vector<std::pair<std::string, std::string>> settings;  // ethtool word -> value
  std::string path;   // kFile: the file ($IFACE in it); kSysctl: the key; kService: the unit
  std::string value;  // what is written / expected; kService: "start" or "stop"
  unsigned irq = 0;   // kIrqQueue/kIrqNumber: the IRQ number as measured
  QueueIrq queue;     // kIrqQueue
};

std::vector<ExportCommand> parse_export_commands(const std::vector<std::string>& lines,
                                                 const ExportNic& nic);

// The line a shell script runs for it: the recorded one, or for kIrqQueue a call of the
// script's nictune_irq_affinity function (one per queue and direction, so duplicates collapse).
std::string shell_line(const ExportCommand& command);

// 'x' -> "'x'", with single quotes inside escaped.
std::string shell_quote(const std::string& text);

}  // namespace nictune::report
