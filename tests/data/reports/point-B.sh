#!/bin/sh
# nictune export of point 3 of experiment "ixgbe-rss-rps" (#1)
# Configuration (what differs from the baseline): channels.combined=4 rps=all
#   sysctl.net.core.busy_poll=50
# All values applied: channels.combined=4 coalesce.rx_usecs=50 rps=all sysctl.net.core.busy_poll=50
# Status in the report: front
# Measured on dut1: kernel 6.1.0-18-amd64, driver ixgbe 5.19.6, firmware 0x800003df, NIC Intel
#   82599ES 10-Gigabit SFI/SFP+ (eth1 at 0000:03:00.0), CPU Intel Xeon E5-2630 v4 @ 2.20GHz (4
#   CPUs), NUMA 2 nodes, NIC on node 0
# Measured 2024-05-01 12:02:12 UTC by nictune 0.0.7, spec e3a40574bbba2920, interface eth1
# Results (mean ± 95 % CI):
#   rx_pps 1.250M ± 0.050M (n=3, +25.0% vs baseline, significant)
#   dut_cpu_util 260.0 ± 5.0 (n=3, -30.0% vs baseline, significant)
#
# Usage: sh nictune-point-3.sh IFACE   (or: IFACE=eth1 sh ...)
# Run as root on the host to tune. Host-wide settings (sysctl) affect every interface, and
# nothing here survives a reboot. Each command is printed before it runs; the first one that
# fails stops the script.
set -eu

IFACE=${1:-${IFACE:-}}
if [ -z "$IFACE" ]; then
  echo "usage: $0 IFACE  (measured on eth1)" >&2
  exit 2
fi
case "$IFACE" in
  -* | *[!A-Za-z0-9_.:@-]*) echo "$0: not an interface name: $IFACE" >&2; exit 2 ;;
esac
if [ ! -e "/sys/class/net/$IFACE" ]; then
  echo "$0: no network interface $IFACE here" >&2
  exit 2
fi

set -x
ethtool -L $IFACE combined 4
echo f > /sys/class/net/$IFACE/queues/rx-0/rps_cpus
ethtool -C $IFACE rx-usecs 50
sysctl -w net.core.busy_poll=50
set +x
echo "nictune: applied point 3 to $IFACE"
