// What the report, export and compare commands share: the default database, output to a file or
// standard output. (Opening the database only if it exists is orchestrator/loaders' job.)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "reports/export.hpp"

namespace nictune::report {

inline constexpr const char* kDefaultDatabase = "nictune.db";

// A positive integer id; throws Error(kInvalid) "<what>: expected a positive integer, found ...".
std::int64_t parse_id(const std::string& text, const std::string& what);

// Writes to `path`, or to standard output when it is empty. Throws Error(kIo) naming the path.
void write_output(const std::string& path, const std::function<void(std::ostream&)>& write);

// One file: to `path` (or standard output). Several: into the directory `path` (created), or to
// `stdout` separated by "==> NAME <==" lines. Executable files get mode 0755. Returns the paths
// written.
std::vector<std::string> write_files(const std::vector<ExportFile>& files, const std::string& path,
                                     std::ostream& stdout_stream);

}  // namespace nictune::report
