// Which implementation keeps a Store location, one row per kind of location (a small interface
// and one table line per backend, as ccache does for its storage). open_store() is the only code
// that turns a location into an implementation: the runner, the commands and the report loaders
// see `Store&` only. tests/unit/orchestrator's store contract suite runs over every row, so a
// backend is tested the moment it has its line.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "orchestrator/store/store.hpp"

namespace nictune {

struct StoreBackend {
  std::string name;         // "sqlite-file"
  std::string description;  // what its locations are, one line
  std::string example;      // a location it keeps: a file name, or ":memory:"
  // Rows outlive the Store object: opening the same location again sees them. The example of a
  // persistent backend is a file name, opened inside a directory of the caller's choosing.
  bool persistent = true;
  // Whether `location` is this backend's; the first row that claims a location opens it.
  bool (*claims)(const std::string& location) = nullptr;
  std::unique_ptr<Store> (*open)(const std::string& location) = nullptr;
};

const std::vector<StoreBackend>& store_backends();

// The row that keeps `location`. Throws Error(kInvalid) naming the location when none does.
const StoreBackend& store_backend_for(const std::string& location);

// Opens `location` with its backend, creating what is missing (`nictune run` starts a new
// database this way). Throws what the backend's open throws: Error(kIo) naming the location
// when it cannot be opened, Error(kInvalid) when a newer nictune wrote it.
std::unique_ptr<Store> open_store(const std::string& location);

}  // namespace nictune
