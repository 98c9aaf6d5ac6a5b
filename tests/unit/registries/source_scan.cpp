#include "tests/unit/registries/source_scan.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/knob_catalog.hpp"
#include "core/load_tools.hpp"
#include "orchestrator/transport/transport_kinds.hpp"
#include "reports/render.hpp"
#include "strategies/strategy.hpp"

namespace nictune::testing {

namespace fs = std::filesystem;

std::vector<RegistryNames> all_registries() {
  return {
      {"knob", knob_names(), {"agents/knobs/", "core/knob_table.hpp"}},
      {"strategy", strategy_names(), {"strategies/"}},
      {"report format", report::renderer_names(), {"reports/"}},
      {"load tool", load_tool_names(), {"agents/load/", "core/load_tool_table.hpp"}},
      {"transport", transport_names(), {"orchestrator/transport/"}},
  };
}

const std::map<std::string, std::string>& source_files() {
  static const std::map<std::string, std::string> files = [] {
    // The folders whose code could know a name; tests, docs and experiments are not scanned.
    const char* const folders[] = {"agents", "core", "orchestrator", "reports", "strategies"};
    const fs::path root = NICTUNE_SOURCE_DIR;
    std::map<std::string, std::string> out;
    for (const char* folder : folders) {
      for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
        const std::string ext = entry.path().extension().string();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        out[entry.path().lexically_relative(root).generic_string()] = text.str();
      }
    }
    return out;
  }();
  return files;
}

std::string without_comment(const std::string& line) {
  auto at = line.find("//");
  return at == std::string::npos ? line : line.substr(0, at);
}

std::string code_of(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += without_comment(line) + "\n";
  return out;
}

bool spells(const std::string& code, const std::string& name) {
  return code.find("\"" + name + "\"") != std::string::npos;
}

}  // namespace nictune::testing
