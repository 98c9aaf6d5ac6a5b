#!/bin/sh
# Builds the VM lab's base initramfs for one kernel from Debian packages fetched with
# `apt-get download` (never installed): busybox-static (init, shell), ethtool and iproute2 (for
# independent checks in the guest), OpenSSH's sshd (internal-sftp, so the agent upload works as on
# any host), the shared libraries they need, and the NIC modules with their dependencies.
# Nothing per lab is in it: keys, addresses and interface names come in a second cpio and on the
# kernel command line, so one image serves every lab on that kernel.
# With --udev it builds instead the add-on archive a lab asks for with `lab up --vm --udev`:
# Debian's udev (udevadm, which is also systemd-udevd, its rules and .link files) and the
# libraries it needs that the base image does not already hold; appended after the base image.
# udevd is not started at boot: whoever needs it starts it.
#
# usage: vm_initramfs.sh CACHE_DIR KERNEL_ROOT KERNEL_RELEASE OUT.cpio.gz
#        vm_initramfs.sh --udev CACHE_DIR BASE.cpio.gz OUT.cpio.gz
#   CACHE_DIR    where the .debs are kept (CACHE_DIR/debs); a second run downloads nothing
#   KERNEL_ROOT  the unpacked kernel package (has lib/modules/KERNEL_RELEASE)
#   BASE         the base image the add-on goes with (its libraries are not repeated)
# The nictune binary carries this script and runs it; tests/integration/vmlab runs it too.
set -eu

mode=base
if [ "${1:-}" = --udev ]; then
  mode=udev
  shift
  cache=$1
  base=$2
  out=$3
else
  cache=$1
  kroot=$2
  release=$3
  out=$4
fi

debs=$cache/debs
mkdir -p "$debs"
work=$(mktemp -d "$cache/initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkgroot=$work/pkgs
root=$work/root
mkdir -p "$pkgroot" "$root"

fail() {
  echo "vm_initramfs: $*" >&2
  exit 1
}

# fetch PACKAGE: the package's .deb in $debs (downloaded once), unpacked into $pkgroot.
fetch() {
  pkg=$1
  deb=$(ls "$debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    (cd "$debs" && apt-get download -q "$pkg" >/dev/null 2>"$work/apt.err") ||
      fail "apt-get download $pkg failed: $(tail -n1 "$work/apt.err")"
    deb=$(ls "$debs/${pkg}_"*.deb | head -n1)
  fi
  dpkg-deb -x "$deb" "$pkgroot"
}

# find_bin NAME / find_lib NAME: the path of an executable / a library in the fetched packages.
first_of() {
  name=$1
  shift
  for dir in "$@"; do
    if [ -e "$pkgroot/$dir/$name" ]; then
      echo "$pkgroot/$dir/$name"
      return
    fi
  done
}
find_bin() { first_of "$1" bin sbin usr/bin usr/sbin usr/lib/openssh; }
find_lib() { first_of "$1" lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib64; }

# Binaries the guest runs, and where they go.
install_bin() {
  src=$(find_bin "$1")
  [ -n "$src" ] || fail "no $1 in the fetched packages"
  mkdir -p "$root/$2"
  cp -L "$src" "$root/$2/$1"
}

# Shared libraries: NEEDED entries of every ELF, found in the fetched packages; a library not
# there yet comes from the package that provides it on this host (dpkg -S), fetched the same way.
# Libraries named in $have (the base image's, for the add-on) are there already.
libdir=$root/lib/x86_64-linux-gnu
have=""
needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
provider() {
  for dir in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
    [ -e "$dir/$1" ] || continue
    pkg=$(dpkg -S "$dir/$1" 2>/dev/null | head -n1 | cut -d: -f1)
    [ -n "$pkg" ] && { echo "$pkg"; return; }
  done
}
copy_libs() {
  mkdir -p "$libdir"
  pending=$(find "$root" -type f)
  while [ -n "$pending" ]; do
    next=""
    for elf in $pending; do
      for lib in $(needed "$elf"); do
        [ -e "$libdir/$lib" ] && continue
        case " $have " in *" $lib "*) continue ;; esac
        src=$(find_lib "$lib")
        if [ -z "$src" ]; then
          pkg=$(provider "$lib")
          [ -n "$pkg" ] || fail "no package provides $lib (needed by ${elf#"$root"})"
          fetch "$pkg"
          src=$(find_lib "$lib")
          [ -n "$src" ] || fail "package $pkg has no $lib"
        fi
        cp -L "$src" "$libdir/$lib"
        next="$next $libdir/$lib"
      done
    done
    pending=$next
  done
}

# pack: the tree under $root as a compressed newc archive, owned by root.
pack() {
  (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
  mv "$out.tmp" "$out"
}

if [ "$mode" = udev ]; then
  # udevadm is systemd-udevd too (by its name); the rules and .link files as Debian installs
  # them. Not the hwdb sources (9 MB of text, useless until compiled): the net rules' hwdb
  # lookups only fill in descriptions.
  fetch udev
  [ -f "$base" ] || fail "no base image $base"
  have=$(gzip -dc "$base" | cpio -t --quiet | sed -n 's|^\(\./\)*lib/x86_64-linux-gnu/||p' | tr '\n' ' ')
  [ -n "$have" ] || fail "$base lists no libraries"
  install_bin udevadm bin
  mkdir -p "$root/lib/systemd" "$root/lib/udev" "$root/etc/udev/rules.d" \
    "$root/etc/systemd/network"
  ln -s /bin/udevadm "$root/lib/systemd/systemd-udevd"
  cp -r "$pkgroot/lib/udev/rules.d" "$root/lib/udev/"
  cp -r "$pkgroot/lib/systemd/network" "$root/lib/systemd/"
  cp "$pkgroot/etc/udev/udev.conf" "$root/etc/udev/"
  copy_libs
  pack
  exit 0
fi

for pkg in busybox-static ethtool iproute2 openssh-server libc6; do fetch "$pkg"; done
install_bin busybox bin
install_bin ethtool usr/sbin
install_bin ip usr/sbin
install_bin sshd usr/sbin
if [ -n "$(find_bin sshd-session)" ]; then install_bin sshd-session usr/lib/openssh; fi
mkdir -p "$root/lib64"
copy_libs
loader=$(find_lib ld-linux-x86-64.so.2)
[ -n "$loader" ] || fail "libc6 has no ld-linux-x86-64.so.2"
cp -L "$loader" "$root/lib64/ld-linux-x86-64.so.2"
cp -L "$loader" "$libdir/ld-linux-x86-64.so.2"

# Busybox applets, except those a real tool provides (busybox's `ip` would shadow iproute2's).
for applet in $("$root/bin/busybox" --list); do
  case $applet in ip | ethtool | busybox) continue ;; esac
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -s bin/busybox "$root/init"
mkdir -p "$root/sbin" "$root/usr/bin"

# NIC modules and what they depend on, uncompressed, with their own modules.dep.
mods=$kroot/lib/modules/$release
[ -d "$mods" ] || fail "$kroot has no lib/modules/$release"
[ -f "$mods/modules.dep" ] || depmod -b "$kroot" "$release"
for module in virtio_pci virtio_net e1000e vmxnet3; do
  modprobe -d "$kroot" -S "$release" --show-depends "$module" >"$work/deps" 2>"$work/modprobe.err" ||
    fail "module $module: $(tail -n1 "$work/modprobe.err")"
  sed -n 's/^insmod \([^ ]*\).*/\1/p' "$work/deps" | while read -r ko; do
    rel=${ko#"$kroot"/}
    mkdir -p "$root/$(dirname "$rel")"
    case $ko in
      *.xz) xz -dc "$ko" >"$root/${rel%.xz}" ;;
      *.zst) zstd -qdc "$ko" >"$root/${rel%.zst}" ;;
      *) cp "$ko" "$root/$rel" ;;
    esac
  done
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
  [ -f "$mods/$f" ] && cp "$mods/$f" "$root/lib/modules/$release/"
done
depmod -b "$root" "$release"

# Accounts, sshd's configuration and the boot script.
mkdir -p "$root/etc/ssh" "$root/root" "$root/run/sshd" "$root/proc" "$root/sys" "$root/dev" \
  "$root/tmp" "$root/var/log"
chmod 700 "$root/root"
chmod 1777 "$root/tmp"
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
sshd:x:100:65534::/run/sshd:/bin/false
EOF
echo 'root:*:19000:0:99999:7:::' >"$root/etc/shadow"
chmod 600 "$root/etc/shadow"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
cat >"$root/etc/ssh/sshd_config" <<'EOF'
# The lab guest's sshd: keys only, root by key, SFTP in process (the agent upload).
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PidFile none
Subsystem sftp internal-sftp
SetEnv PATH=/usr/sbin:/usr/bin:/sbin:/bin
EOF
cat >"$root/etc/inittab" <<'EOF'
::sysinit:/etc/rc
::respawn:/usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
::shutdown:/bin/umount -a -r
EOF
cat >"$root/etc/rc" <<'EOF'
#!/bin/sh
# Boot: mounts, NIC drivers, interfaces named and addressed as the kernel command line says
# (nictune.if=MAC,NAME[,ADDRESS/PREFIX]), then "nictune-guest: ready" on the console.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname nictune-guest
for m in virtio_pci virtio_net e1000e vmxnet3; do modprobe "$m" || echo "nictune-guest: modprobe $m failed"; done
ip link set lo up
for arg in $(cat /proc/cmdline); do
  case $arg in
    nictune.if=*) spec=${arg#nictune.if=} ;;
    *) continue ;;
  esac
  mac=$(echo "$spec" | cut -d, -f1)
  name=$(echo "$spec" | cut -d, -f2)
  addr=$(echo "$spec" | cut -d, -f3)
  found=""
  tries=0
  while [ -z "$found" ] && [ $tries -lt 100 ]; do
    for dev in /sys/class/net/*; do
      [ "$(cat "$dev/address")" = "$mac" ] && found=${dev##*/}
    done
    [ -n "$found" ] || { tries=$((tries + 1)); sleep 0.1; }
  done
  if [ -z "$found" ]; then echo "nictune-guest: no interface with MAC $mac"; continue; fi
  [ "$found" = "$name" ] || ip link set dev "$found" name "$name"
  [ -n "$addr" ] && ip addr add "$addr" dev "$name"
  ip link set "$name" up
  echo "nictune-guest: $name ($mac, $(basename "$(readlink /sys/class/net/$name/device/driver)")) $addr"
done
if grep -q nictune.probe /proc/cmdline; then
  echo "nictune-guest: probe boot done"
  poweroff -f
fi
echo "nictune-guest: ready $(uname -r)"
EOF
chmod 755 "$root/etc/rc"

pack
