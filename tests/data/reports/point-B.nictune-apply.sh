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
# tuned runs this with "start" when the profile is applied and "stop" when it is left.
# The sysctl settings are in tuned.conf's [sysctl] section; tuned restores those itself.
IFACE=${NICTUNE_IFACE:-eth1}  # the interface to tune on this host
case "$IFACE" in
  -* | *[!A-Za-z0-9_.:@-]*) echo "$0: not an interface name: $IFACE" >&2; exit 1 ;;
esac
[ -e "/sys/class/net/$IFACE" ] || { echo "$0: no network interface $IFACE" >&2; exit 1; }

status=0
case "$1" in
  start)
    ethtool -L $IFACE combined 4 || exit 1
    echo f > /sys/class/net/$IFACE/queues/rx-0/rps_cpus || exit 1
    ethtool -C $IFACE rx-usecs 50 || exit 1
    ;;
  stop)
    # Back to the host's settings as measured at the baseline.
    ethtool -L $IFACE combined 8 || status=1
    echo 0 > /sys/class/net/$IFACE/queues/rx-0/rps_cpus || status=1
    ethtool -C $IFACE rx-usecs 50 || status=1
    ;;
esac
exit $status
