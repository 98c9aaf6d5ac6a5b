#!/bin/bash
# How tests/data/agents/interrupts.qemu-q35.*.txt and the driver facts in docs/knobs.md were
# captured: a Debian kernel package booted under QEMU TCG (q35, 2 CPUs, direct kernel boot) with
# a busybox initramfs holding ethtool, the NIC modules and INIT as /init (init-interrupts.sh:
# /proc/interrupts and ethtool answers; init-agent.sh: the static nictune-agent probing,
# applying and restoring on the real drivers). NICs: virtio-net at 00:02.0, virtio-net with 4
# queue pairs at 00:03.0, e1000e at 00:04.0, vmxnet3 at 00:05.0, on taps QEMU creates inside a
# network namespace made for the run and deleted after it (nothing routed). The console goes to
# stdout. This is a capture recipe, not the VM lab (orchestrator/lab).
#   capture.sh WORKDIR linux-image-6.1.0-57-amd64-unsigned INIT [AGENT] > console.txt
# Needs root, qemu-system-x86, busybox-static, kmod, cpio, xz-utils, ethtool.
set -euo pipefail
work=$1 package=$2 init=$3 agent=${4:-}
mkdir -p "$work/debs" && cd "$work"
ls debs/"$package"_*.deb >/dev/null 2>&1 || (cd debs && apt-get download "$package" >&2)
root=$work/kernel-$package
if [ ! -d "$root" ]; then
  dpkg-deb -x debs/"$package"_*.deb "$root"
  depmod -b "$root" "$(ls "$root/lib/modules")"
fi
kver=$(ls "$root/lib/modules")
out=$work/initramfs && rm -rf "$out" && mkdir -p "$out"/{bin,usr/sbin,proc,sys,dev}
cp /bin/busybox "$out/bin/busybox"
cp /usr/sbin/ethtool "$out/usr/sbin/"
for lib in $(ldd /usr/sbin/ethtool | grep -o '/[^ ]*'); do
  mkdir -p "$out$(dirname "$lib")" && cp -L "$lib" "$out$lib"
done
: > "$out/modules.order"
for module in virtio_pci virtio_net e1000e vmxnet3; do
  # Builtin modules print "builtin ...", not "insmod": nothing to copy.
  modprobe -d "$root" -S "$kver" --show-depends "$module" | awk '/^insmod/{print $2}' |
    while read -r file; do
      rel=${file#"$root"/} && dest=$out/${rel%.xz}
      [ -f "$dest" ] && continue
      mkdir -p "$(dirname "$dest")"
      if [[ $file == *.xz ]]; then xz -dc "$file" > "$dest"; else cp "$file" "$dest"; fi
      echo "${rel%.xz}" >> "$out/modules.order"
    done
done
cp "$init" "$out/init" && chmod +x "$out/init"
[ -n "$agent" ] && cp "$agent" "$out/nictune-agent"
(cd "$out" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.cpio.gz"
ns=nkcap$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
taps=""
for i in 0 1 2 3; do
  queues=$([ $i = 1 ] && echo ",queues=4" || true)
  taps+=" -netdev tap,id=n$i,ifname=cap$i,script=no,downscript=no$queues"
done
# shellcheck disable=SC2086
ip netns exec "$ns" timeout 300 qemu-system-x86_64 -M q35 -accel tcg,thread=multi -cpu max \
  -smp 2 -m 512 -nographic -no-reboot -nic none -kernel "$root"/boot/vmlinuz-* \
  -initrd "$work/initrd.cpio.gz" -append "console=ttyS0 quiet panic=-1" $taps \
  -device virtio-net-pci,netdev=n0,addr=02.0 \
  -device virtio-net-pci,netdev=n1,addr=03.0,mq=on,vectors=10,rss=on \
  -device e1000e,netdev=n2,addr=04.0 -device vmxnet3,netdev=n3,addr=05.0
