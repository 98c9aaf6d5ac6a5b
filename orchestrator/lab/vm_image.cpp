#include "orchestrator/lab/vm_image.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "orchestrator/lab/vm_initramfs_script.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_all(const std::string& path, const std::string& content, fs::perms perms) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + path);
  std::error_code ec;
  fs::permissions(path, perms, ec);
}

void cpio_entry(std::string& out, const std::string& name, unsigned mode,
                const std::string& content, unsigned ino) {
  char header[111];
  // newc: magic, then 13 eight-digit hex fields; namesize counts the NUL.
  std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                ino, mode, 0u, 0u, 1u, 0u, static_cast<unsigned>(content.size()), 0u, 0u, 0u, 0u,
                static_cast<unsigned>(name.size() + 1), 0u);
  out.append(header, 110);
  out += name;
  out.push_back('\0');
  while (out.size() % 4) out.push_back('\0');
  out += content;
  while (out.size() % 4) out.push_back('\0');
}

// The carried script's hash, in the names of what it builds: a changed script builds anew.
std::string script_hash() {
  std::ostringstream hash;
  hash << std::hex << std::hash<std::string>{}(kVmInitramfsScript);
  return hash.str().substr(0, 8);
}

// Runs the carried script with `args` (after its own path); `image` is what it writes, removed
// when it fails. The script file is named by its hash too: labs built from other versions of
// nictune share the cache directory, and one must not rewrite a script another is running.
void run_script(const std::string& dir, const std::vector<std::string>& args,
                const std::string& image) {
  std::string script = dir + "/vm_initramfs_" + script_hash() + ".sh";
  write_all(script, kVmInitramfsScript, fs::perms::owner_all);
  std::vector<std::string> argv = {"sh", script};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = subprocess::run(argv, 1200s);
  if (!result.ok()) {
    std::error_code ec;
    fs::remove(image, ec);
    std::string err = result.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    auto last = err.rfind('\n');
    throw Error(ErrorCode::kIo,
                "building the guest initramfs failed (" +
                    (result.timed_out ? std::string("timed out")
                                      : "exit " + std::to_string(result.exit_code)) +
                    "): " + (last == std::string::npos ? err : err.substr(last + 1)));
  }
}

}  // namespace

std::string base_initramfs(const GuestKernel& kernel, const std::string& cache_dir,
                           const std::function<void(const std::string&)>& log) {
  std::string dir = cache_dir + "/initramfs";
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string image =
      dir + "/" + kernel.release + "_" + kernel.version + "_" + script_hash() + ".cpio.gz";
  if (fs::exists(image)) return image;
  if (log)
    log("building the guest initramfs for " + kernel.release + " (fetches its packages once)");
  run_script(dir, {cache_dir, kernel.root, kernel.release, image}, image);
  return image;
}

std::string udev_initramfs(const std::string& base, const std::string& cache_dir,
                           const std::function<void(const std::string&)>& log) {
  // Named after its base image (whose name carries the script's hash): it leaves out the
  // libraries that image holds.
  std::string image = base;
  const std::string suffix = ".cpio.gz";
  if (image.size() > suffix.size() && image.ends_with(suffix))
    image.resize(image.size() - suffix.size());
  image += ".udev.cpio.gz";
  if (fs::exists(image)) return image;
  if (log) log("building the guest's udev archive (fetches udev once)");
  run_script(cache_dir + "/initramfs", {"--udev", cache_dir, base, image}, image);
  return image;
}

std::string cpio_archive(const std::vector<CpioFile>& files) {
  std::string out;
  std::set<std::string> dirs;
  unsigned ino = 1;
  for (const auto& file : files) {
    for (auto slash = file.path.find('/'); slash != std::string::npos;
         slash = file.path.find('/', slash + 1)) {
      std::string dir = file.path.substr(0, slash);
      if (dirs.insert(dir).second) cpio_entry(out, dir, 0040755, "", ino++);
    }
    cpio_entry(out, file.path, 0100000 | file.mode, file.content, ino++);
  }
  cpio_entry(out, "TRAILER!!!", 0, "", 0);
  return out;
}

void write_initrd(const std::vector<std::string>& images, const std::vector<CpioFile>& files,
                  const std::string& out) {
  // The kernel looks for the next archive's header only at offsets that are a multiple of 4
  // and skips zeros before it: pad each compressed image (6.1 happened to cope, 6.12 did not).
  std::string initrd;
  for (const auto& image : images) {
    initrd += read_all(image);
    initrd.append((4 - initrd.size() % 4) % 4, '\0');
  }
  write_all(out, initrd + cpio_archive(files), fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace nictune::lab
