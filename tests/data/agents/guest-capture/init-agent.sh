#!/bin/busybox sh
# The guest side of capture.sh for the driver facts in docs/knobs.md: the static agent probes
# eth1-3 (virtio-net, e1000e, vmxnet3), applies, and restores, each step checked with ethtool.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys
mkdir -p /var/lib /tmp /run
for m in $(cat /modules.order); do insmod /$m 2>/dev/null; done
sleep 2
for i in /sys/class/net/*; do ip link set $(basename $i) up; done
sleep 2
echo "=== UNAME $(uname -r)"
mkfifo /tmp/in
/nictune-agent < /tmp/in > /tmp/out 2> /tmp/err &
exec 3> /tmp/in
n=0
req() { n=$((n+1)); echo "{\"jsonrpc\":\"2.0\",\"id\":$n,\"method\":\"$1\",\"params\":$2}" >&3; sleep 2; }
req probe '{"interface":"eth1"}'
req probe '{"interface":"eth2"}'
req probe '{"interface":"eth3"}'
echo "=== BEFORE eth2 $(/usr/sbin/ethtool -c eth2 | grep '^rx-usecs:')"
req apply '{"interface":"eth2","values":{"coalesce.rx_usecs":1000}}'
echo "=== APPLIED eth2 $(/usr/sbin/ethtool -c eth2 | grep '^rx-usecs:')"
req apply '{"interface":"eth1","values":{"rx_flow_hash.udp4":"sd","rx_flow_hash.tcp4":"sd"}}'
echo "=== APPLIED eth1 udp4 $(/usr/sbin/ethtool -n eth1 rx-flow-hash udp4 | tr '\n' ' ')"
echo "=== APPLIED eth1 tcp4 $(/usr/sbin/ethtool -n eth1 rx-flow-hash tcp4 | tr '\n' ' ')"
req apply '{"interface":"eth1","values":{"coalesce.rx_usecs":10}}'
req apply '{"interface":"eth2","values":{"coalesce.tx_frames":8}}'
req apply '{"interface":"eth2","values":{"rx_flow_hash.udp4":"sdfn"}}'
echo "=== APPLIED eth2 udp4 $(/usr/sbin/ethtool -n eth2 rx-flow-hash udp4 | tr "\n" " ")"
req restore '{}'
echo "=== RESTORED eth2 $(/usr/sbin/ethtool -c eth2 | grep '^rx-usecs:')"
echo "=== RESTORED eth1 udp4 $(/usr/sbin/ethtool -n eth1 rx-flow-hash udp4 | tr '\n' ' ')"
echo "=== RESTORED eth1 tcp4 $(/usr/sbin/ethtool -n eth1 rx-flow-hash tcp4 | tr '\n' ' ')"
exec 3>&-
sleep 2
echo "=== AGENT OUT"; cat /tmp/out; echo "=== AGENT ERR"; cat /tmp/err; echo "=== DONE"
poweroff -f
