#include "reports/cli_support.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/errors.hpp"

namespace nictune::report {

namespace fs = std::filesystem;

std::int64_t parse_id(const std::string& text, const std::string& what) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value <= 0) {
    throw invalid(what + ": expected a positive integer id, found \"" + text + "\"");
  }
  return value;
}

void write_output(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path.empty() || path == "-") {
    write(std::cout);
    std::cout.flush();
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIo, "cannot write \"" + path + "\"");
  write(out);
  out.close();
  if (!out) throw Error(ErrorCode::kIo, "writing \"" + path + "\" failed");
}

std::vector<std::string> write_files(const std::vector<ExportFile>& files, const std::string& path,
                                     std::ostream& stdout_stream) {
  std::vector<std::string> written;
  auto write_one = [&](const fs::path& target, const ExportFile& f) {
    write_output(target.string(), [&](std::ostream& out) { out << f.content; });
    if (f.executable) {
      std::error_code ec;
      fs::permissions(target,
                      fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec,
                      fs::perm_options::replace, ec);
    }
    written.push_back(target.string());
  };
  if (path.empty() || path == "-") {
    for (const auto& f : files) {
      if (files.size() > 1) stdout_stream << "==> " << f.name << " <==\n";
      stdout_stream << f.content;
      if (files.size() > 1 && &f != &files.back()) stdout_stream << "\n";
    }
    stdout_stream.flush();
    return written;
  }
  if (files.size() == 1) {
    write_one(path, files.front());
    return written;
  }
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec || !fs::is_directory(path)) {
    throw Error(ErrorCode::kIo, "cannot create the directory \"" + path + "\" for " +
                                    std::to_string(files.size()) + " files" +
                                    (ec ? ": " + ec.message() : ""));
  }
  for (const auto& f : files) write_one(fs::path(path) / f.name, f);
  return written;
}

}  // namespace nictune::report
