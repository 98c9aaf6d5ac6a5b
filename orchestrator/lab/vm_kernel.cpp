#include "orchestrator/lab/vm_kernel.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* kChoices =
    "expected a series such as 6.1 or 6.12, a package name linux-image-...-amd64-unsigned, or "
    "the path of a kernel .deb";

void say(const std::function<void(const std::string&)>& log, const std::string& line) {
  if (log) log(line);
}

// "6.1" matches both Debian naming schemes: linux-image-6.1.0-57-amd64-unsigned (6.1 in
// bookworm) and linux-image-6.12.117+deb12-amd64-unsigned (6.12 backported to bookworm).
// Only the generic amd64 flavour: -cloud lacks e1000e, -rt changes scheduling.
std::string series_regex(const std::string& series) {
  std::string escaped = std::regex_replace(series, std::regex("\\."), "\\.");
  return "^linux-image-" + escaped + "(\\.0-[0-9]+|\\.[0-9]+\\+deb[0-9]+)-amd64-unsigned$";
}

std::vector<std::string> search_names(const std::string& regex) {
  auto result = subprocess::run({"apt-cache", "search", "--names-only", regex}, 60s);
  std::vector<std::string> names;
  std::istringstream in(result.out);
  std::string line;
  while (std::getline(in, line)) {
    auto space = line.find(' ');
    if (space != std::string::npos) names.push_back(line.substr(0, space));
  }
  return names;
}

// The candidate versions apt would fetch, one `apt-cache policy` for all names (each call
// reads the whole package cache: seconds on a busy machine). Names without one are left out.
std::map<std::string, std::string> candidate_versions(const std::vector<std::string>& packages) {
  std::map<std::string, std::string> out;
  if (packages.empty()) return out;
  std::vector<std::string> argv = {"apt-cache", "policy"};
  argv.insert(argv.end(), packages.begin(), packages.end());
  auto result = subprocess::run(argv, 120s);
  std::istringstream in(result.out);
  std::string line, current;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      current = line.substr(0, line.size() - 1);
      continue;
    }
    auto at = line.find("Candidate:");
    if (at == std::string::npos || current.empty()) continue;
    std::string version = line.substr(at + 10);
    version.erase(0, version.find_first_not_of(' '));
    if (version != "(none)") out[current] = version;
  }
  return out;
}

std::string candidate_version(const std::string& package) {
  auto versions = candidate_versions({package});
  auto it = versions.find(package);
  return it == versions.end() ? std::string() : it->second;
}

bool version_greater(const std::string& a, const std::string& b) {
  return subprocess::run({"dpkg", "--compare-versions", a, "gt", b}, 10s).exit_code == 0;
}

std::string deb_field(const std::string& deb, const std::string& field) {
  auto result = subprocess::run_checked({"dpkg-deb", "-f", deb, field}, "read " + deb, 30s);
  std::string value = result.out;
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

bool apt_knows_kernels() {
  return !search_names("^linux-image-[0-9]").empty();
}

}  // namespace

std::pair<std::string, std::string> resolve_kernel_package(const std::string& choice) {
  if (choice.empty()) throw invalid("--kernel is empty: " + std::string(kChoices));
  if (choice.ends_with(".deb")) {
    if (!fs::is_regular_file(choice))
      throw invalid("--kernel " + choice + ": no such file (" + kChoices + ")");
    return {deb_field(choice, "Package"), deb_field(choice, "Version")};
  }
  const bool package = choice.starts_with("linux-image-");
  if (!package && !std::regex_match(choice, std::regex("[0-9]+\\.[0-9]+"))) {
    throw invalid("--kernel \"" + choice + "\": " + kChoices);
  }
  if (!apt_knows_kernels()) {
    // A fresh machine or container: apt has no package lists yet.
    subprocess::run_checked({"apt-get", "update", "-q"}, "apt-get update", 600s);
  }
  if (package) {
    std::string version = candidate_version(choice);
    if (version.empty())
      throw invalid("--kernel " + choice + ": apt knows no such package (" + kChoices + ")");
    return {choice, version};
  }
  std::string best, best_version;
  for (const auto& [name, version] : candidate_versions(search_names(series_regex(choice)))) {
    if (best.empty() || version_greater(version, best_version)) {
      best = name;
      best_version = version;
    }
  }
  if (best.empty()) {
    throw invalid("--kernel " + choice + ": the configured repositories have no " + choice +
                  " kernel (no package matches " + series_regex(choice) + "); " + kChoices);
  }
  return {best, best_version};
}

GuestKernel prepare_kernel(const std::string& choice, const std::string& cache_dir,
                           const std::function<void(const std::string&)>& log) {
  auto [package, version] = resolve_kernel_package(choice);
  GuestKernel kernel;
  kernel.package = package;
  kernel.version = version;
  std::string dir = cache_dir + "/kernels";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  kernel.root = dir + "/" + package + "_" + version;
  const std::string done = kernel.root + "/.unpacked";
  bool from_file = choice.ends_with(".deb");
  // A rebuilt .deb under the same name and version (a bisect step) is unpacked again.
  bool stale =
      from_file && fs::exists(done) && fs::last_write_time(choice) > fs::last_write_time(done);
  if (!fs::exists(done) || stale) {
    std::string deb = choice;
    if (!from_file) {
      auto cached = [&]() -> std::string {
        // apt-get download names the file package_version_arch.deb, an epoch's ':' as %3a.
        std::string epochless = version.substr(version.find(':') + 1);
        for (const auto& entry : fs::directory_iterator(dir)) {
          std::string leaf = entry.path().filename().string();
          if (leaf.starts_with(package + "_") && leaf.ends_with(".deb") &&
              leaf.find(epochless) != std::string::npos)
            return entry.path().string();
        }
        return {};
      };
      deb = cached();
      if (deb.empty()) {
        say(log, "downloading " + package + " " + version);
        // `apt-get download` writes into the current directory; run it there through env -C.
        subprocess::run_checked(
            {"env", "-C", dir, "apt-get", "download", "-q", package + "=" + version},
            "download kernel " + package, 900s);
        deb = cached();
      }
      if (deb.empty()) {
        throw Error(ErrorCode::kIo, "apt-get download " + package + " wrote no .deb into " + dir);
      }
    }
    say(log, "unpacking " + package + " " + version);
    fs::remove_all(kernel.root, ec);
    fs::create_directories(kernel.root, ec);
    subprocess::run_checked({"dpkg-deb", "-x", deb, kernel.root}, "unpack " + deb, 600s);
    kernel.downloaded = true;
  }
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(kernel.root + "/boot", ec)) {
    if (entry.path().filename().string().starts_with("vmlinuz-")) images.push_back(entry.path());
  }
  if (images.size() != 1) {
    fs::remove_all(kernel.root, ec);
    throw invalid("--kernel " + choice + ": package " + package + " " + version + " has " +
                  (images.empty() ? std::string("no /boot/vmlinuz-*")
                                  : std::to_string(images.size()) + " /boot/vmlinuz-* files") +
                  ", expected one kernel image (a linux-image-* package)");
  }
  kernel.vmlinuz = images.front().string();
  kernel.release = images.front().filename().string().substr(8);
  if (!fs::is_directory(kernel.root + "/lib/modules/" + kernel.release)) {
    throw invalid("--kernel " + choice + ": package " + package + " has no lib/modules/" +
                  kernel.release + " (the NIC drivers come from there)");
  }
  if (!fs::exists(done)) {
    std::ofstream(done) << package << " " << version << "\n";
  } else if (stale) {
    fs::last_write_time(done, fs::file_time_type::clock::now(), ec);
  }
  return kernel;
}

}  // namespace nictune::lab
