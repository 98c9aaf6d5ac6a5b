// Collects every problem found in a user document, each with its JSON path, so validation can
// report them all at once instead of stopping at the first.
#pragma once

#include <string>
#include <vector>

namespace nictune {

struct Issue {
  std::string path;     // "space.rps.values[2]"
  std::string message;  // "unknown policy \"al\" (did you mean \"all\"?)"
};

class Issues {
 public:
  void add(std::string path, std::string message) {
    items_.push_back({std::move(path), std::move(message)});
  }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Issue>& items() const { return items_; }
  // One "path: message" line per issue.
  std::string format(const std::string& origin = "") const {
    std::string out;
    for (const auto& item : items_) {
      if (!origin.empty()) out += origin + ": ";
      out += item.path + ": " + item.message + "\n";
    }
    return out;
  }

 private:
  std::vector<Issue> items_;
};

}  // namespace nictune
