// The guest kernel of a VM lab: a Debian kernel package chosen by series ("6.1", "6.12": the
// newest the configured repositories offer, found by query because ABI numbers change), by exact
// package name, or as a .deb file (a kernel you built, for bisecting). Fetched with
// `apt-get download` and unpacked once into the cache directory.
#pragma once

#include <functional>
#include <string>

namespace nictune::lab {

struct GuestKernel {
  std::string package;      // linux-image-6.1.0-57-amd64-unsigned
  std::string version;      // 6.1.192-3
  std::string release;      // 6.1.0-57-amd64 (uname -r, lib/modules/<release>)
  std::string root;         // the unpacked package
  std::string vmlinuz;      // root/boot/vmlinuz-<release>
  bool downloaded = false;  // this call fetched or unpacked something
};

// The package a --kernel choice names, without fetching it: {package, version}. Throws
// Error(kInvalid) naming --kernel when nothing matches.
std::pair<std::string, std::string> resolve_kernel_package(const std::string& choice);

// Resolves, fetches (unless cached) and unpacks the kernel. Throws Error(kInvalid) for an unknown
// choice or a package without /boot/vmlinuz-*, Error(kIo) when apt-get or dpkg-deb fail.
GuestKernel prepare_kernel(const std::string& choice, const std::string& cache_dir,
                           const std::function<void(const std::string&)>& log);

}  // namespace nictune::lab
