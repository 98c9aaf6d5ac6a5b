// The VM lab guest's initramfs: a base image per kernel (busybox, ethtool, iproute2, OpenSSH's
// sshd, the NIC modules; built by vm_initramfs.sh, which the binary carries) cached in the cache
// directory, and a small per-lab archive with the guest's host key and the authorized user key,
// appended to it (the kernel unpacks concatenated archives in order).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "orchestrator/lab/vm_kernel.hpp"

namespace nictune::lab {

// The cached base image for `kernel`, built first when missing (minutes: it fetches the
// packages once). Throws Error(kIo) with the script's last lines when the build fails.
std::string base_initramfs(const GuestKernel& kernel, const std::string& cache_dir,
                           const std::function<void(const std::string&)>& log);

// The add-on archive with Debian's udev (udevadm/systemd-udevd, its rules and .link files, the
// libraries `base` lacks), cached beside `base` and built first when missing. A lab appends it
// after the base image only when asked (`lab up --vm --udev`); nothing starts udevd at boot.
std::string udev_initramfs(const std::string& base, const std::string& cache_dir,
                           const std::function<void(const std::string&)>& log);

// An uncompressed newc cpio archive holding `files` (path in the archive -> content, mode);
// the directories on their paths are created first. Owned by root.
struct CpioFile {
  std::string path;  // "etc/ssh/authorized_keys"
  std::string content;
  unsigned mode = 0600;
};
std::string cpio_archive(const std::vector<CpioFile>& files);

// The compressed images in order (the base first), then the archive of `files`, written to
// `out` (the kernel unpacks concatenated archives in order).
void write_initrd(const std::vector<std::string>& images, const std::vector<CpioFile>& files,
                  const std::string& out);

}  // namespace nictune::lab
