#!/bin/busybox sh
# The guest side of capture.sh for tests/data/agents/interrupts.qemu-q35.*.txt: /proc/interrupts
# with every NIC up, and what ethtool (netlink) answers for same-value coalescing writes.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t debugfs none /sys/kernel/debug 2>/dev/null
for m in $(cat /modules.order); do insmod /$m 2>/dev/null; done
sleep 2
for i in /sys/class/net/*; do ip link set $(basename $i) up; done
sleep 3
echo "=== UNAME"; uname -r
echo "=== INTERRUPTS"; cat /proc/interrupts; echo "=== END"
for i in eth0 eth1 eth2 eth3; do
  echo "=== IF $i $(readlink /sys/class/net/$i/device/driver)"; ls /sys/class/net/$i/device/msi_irqs /sys/class/net/$i/device/../msi_irqs 2>/dev/null | tr '\n' ' '; echo
  /usr/sbin/ethtool -c $i 2>&1
done
echo "=== FEATURES $(cat /sys/class/net/eth1/device/features)"
echo "=== SAMEVALUE"
# e1000e (eth2): rx-usecs declared, tx-usecs not; virtio (eth1): tx-frames declared, rx-usecs not.
cur=$(/usr/sbin/ethtool -c eth2 | awk '/^rx-usecs:/{print $2}')
/usr/sbin/ethtool -C eth2 rx-usecs $cur; echo "eth2 rx-usecs same rc=$?"
/usr/sbin/ethtool -C eth2 tx-usecs 0; echo "eth2 tx-usecs same rc=$?"
/usr/sbin/ethtool -C eth2 tx-frames 0; echo "eth2 tx-frames same rc=$?"
/usr/sbin/ethtool -C eth1 rx-usecs 0; echo "eth1 rx-usecs same rc=$?"
/usr/sbin/ethtool -C eth1 adaptive-rx off; echo "eth1 adaptive-rx same rc=$?"
/usr/sbin/ethtool -C eth1 rx-usecs 10; echo "eth1 rx-usecs 10 rc=$?"
cur=$(/usr/sbin/ethtool -c eth1 | awk '/^tx-frames:/{print $2}')
/usr/sbin/ethtool -C eth1 tx-frames $cur; echo "eth1 tx-frames same rc=$?"
echo "=== FLOWHASH"
for i in eth1 eth2 eth3; do for f in tcp4 udp4 udp6; do echo "-- $i $f"; /usr/sbin/ethtool -n $i rx-flow-hash $f 2>&1; done; done
/usr/sbin/ethtool -N eth1 rx-flow-hash udp4 sdfn; echo "eth1 set udp4 sdfn rc=$?"; /usr/sbin/ethtool -n eth1 rx-flow-hash udp4
/usr/sbin/ethtool -N eth3 rx-flow-hash udp4 sdfn; echo "eth3 set udp4 sdfn rc=$?"; /usr/sbin/ethtool -n eth3 rx-flow-hash udp4
echo "=== AFFINITY"
for n in $(ls /sys/class/net/eth2/device/msi_irqs); do a=$(cat /proc/irq/$n/smp_affinity_list); echo $a > /proc/irq/$n/smp_affinity_list; echo "irq $n write-back $a rc=$?"; ls /sys/kernel/debug/irq/irqs/$n 2>/dev/null; done
echo "=== DONE"
poweroff -f
