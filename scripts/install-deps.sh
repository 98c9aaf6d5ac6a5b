#!/usr/bin/env bash
# Installs, from Debian's packages, whatever nictune needs to build and test and is missing.
# Idempotent: a machine that has everything is left alone (no apt-get update, no network).
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config
  # libraries
  libboost-dev libboost-filesystem-dev libssh-dev nlohmann-json3-dev libeigen3-dev
  libsqlite3-dev libgtest-dev libgmock-dev
  # real parts the tests drive: namespaces, sshd, load tools, ethtool for independent checks
  iproute2 ethtool procps openssh-server openssh-client iperf3 sockperf sqlite3
  # the SSH transport's `sudo: true` path, tested with a non-root user and a sudoers rule
  sudo
  # the lease test cuts a lab management path with a firewall rule inside its namespace
  nftables
  # per-CPU profiles (spec "profile"): perf record -e cpu-clock
  linux-perf
  # the VM lab (docs/lab.md): the guest, its initramfs (kmod: modprobe/depmod, cpio, xz for
  # the kernel's modules), `file` to tell the static agent the guest needs
  qemu-system-x86 busybox-static kmod cpio xz-utils file
  # outside references and the report browser check
  python3-optuna chromium
  # a background CPU load for tests/bench/noise/demo_bench (the noisy-host benchmark)
  stress-ng
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 2
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
