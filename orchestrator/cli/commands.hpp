// Every `nictune` command, one factory each (one file each under cli/). command_table.cpp lists
// the ones that work.
#pragma once

#include "orchestrator/cli/command_table.hpp"

namespace nictune::cli {

Command validate_command();
Command run_command();
Command probe_command();
Command knobs_command();
Command metrics_command();
Command ask_command();
Command tell_command();
Command report_command();   // reports work (issue 7)
Command export_command();   // reports work (issue 7)
Command compare_command();  // reports work (issue 7)
Command models_command();   // per NIC model (issue 16)
Command check_command();
Command lab_command();  // lab work (issue 5)

}  // namespace nictune::cli
