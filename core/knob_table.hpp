// Every knob, one row each: the whole registration of a knob besides its family file in
// agents/knobs/. Rows are in apply order (a restore writes them back in the same order, services
// last): channels first, because they create and remove the queues the per-queue knobs live on.
//
// The table is read twice, through macros the includer defines (no include guard on purpose):
// core/knob_catalog.cpp makes the catalog (name, value type, scope, unit, description) that the
// spec parser and the orchestrator need, and agents/knobs/registry.{hpp,cpp} make the factories
// (the agent side). Core only carries the factory's stem as an opaque token it never expands, so
// it links and includes nothing of agents/ (ARCHITECTURE.md, "Boundaries").
//
//   NICTUNE_KNOB(factory, name, type, scope, unit, description)
//     a knob written by agents/knobs' `make_<factory>_knob`.
//   NICTUNE_SERVICE(factory, name, description)
//     a system service switched on or off (boolean, host-wide); a restore starts or stops it
//     after every other knob is back.
//   NICTUNE_SYSCTL(key, unit, min, description)
//     an integer sysctl under /proc/sys in the root network namespace: name "sysctl.<key>",
//     minimum `min`, maximum INT_MAX (proc_dointvec); the description ends with " (<key>)".
//   NICTUNE_PLACEMENT(name, description, handled_by)
//     a CPU policy for the load's threads, not written by `apply` (handled_by says by what).
//
// type: KnobValueType's enumerator (kInt, kBool, kCpuPolicy, kChoice); scope: KnobScope's
// (kInterface, kGlobal).

NICTUNE_KNOB(channels_combined, "channels.combined", kInt, kInterface, "queues",
             "combined channel count (ethtool -L combined)")
NICTUNE_KNOB(channels_rx, "channels.rx", kInt, kInterface, "queues",
             "rx-only channel count (ethtool -L rx)")
NICTUNE_KNOB(channels_tx, "channels.tx", kInt, kInterface, "queues",
             "tx-only channel count (ethtool -L tx)")
NICTUNE_KNOB(rings_rx, "rings.rx", kInt, kInterface, "descriptors", "rx ring size (ethtool -G rx)")
NICTUNE_KNOB(rings_tx, "rings.tx", kInt, kInterface, "descriptors", "tx ring size (ethtool -G tx)")
NICTUNE_KNOB(rss_queues, "rss.queues", kInt, kInterface, "queues",
             "RSS indirection spread over the first N queues (ethtool -X equal N)")
NICTUNE_KNOB(
    rx_flow_hash_tcp4, "rx_flow_hash.tcp4", kChoice, kInterface, "",
    "header fields RSS hashes for TCP/IPv4 flows: sd, sdfn, ... (ethtool -N rx-flow-hash tcp4)")
NICTUNE_KNOB(
    rx_flow_hash_udp4, "rx_flow_hash.udp4", kChoice, kInterface, "",
    "header fields RSS hashes for UDP/IPv4 flows: sd, sdfn, ... (ethtool -N rx-flow-hash udp4)")
NICTUNE_KNOB(
    rx_flow_hash_tcp6, "rx_flow_hash.tcp6", kChoice, kInterface, "",
    "header fields RSS hashes for TCP/IPv6 flows: sd, sdfn, ... (ethtool -N rx-flow-hash tcp6)")
NICTUNE_KNOB(
    rx_flow_hash_udp6, "rx_flow_hash.udp6", kChoice, kInterface, "",
    "header fields RSS hashes for UDP/IPv6 flows: sd, sdfn, ... (ethtool -N rx-flow-hash udp6)")
// Stopped before IRQ placement is written, or it moves the IRQs again.
NICTUNE_SERVICE(irqbalance_service, "service.irqbalance",
                "irqbalance running (false: stopped with systemctl for the experiment, started "
                "again on restore)")
NICTUNE_KNOB(irq_affinity, "irq_affinity", kCpuPolicy, kInterface, "",
             "queue IRQ placement (/proc/irq/N/smp_affinity_list)")
NICTUNE_KNOB(rps, "rps", kCpuPolicy, kInterface, "",
             "receive packet steering mask per rx queue (queues/rx-N/rps_cpus)")
NICTUNE_KNOB(rfs_sock_flow_entries, "rfs.sock_flow_entries", kInt, kGlobal, "entries",
             "global RFS socket flow table (net.core.rps_sock_flow_entries)")
NICTUNE_KNOB(rfs_flow_cnt, "rfs.flow_cnt", kInt, kInterface, "entries",
             "RFS flow table size per rx queue (queues/rx-N/rps_flow_cnt)")
NICTUNE_KNOB(xps, "xps", kCpuPolicy, kInterface, "",
             "transmit packet steering mask per tx queue (queues/tx-N/xps_cpus)")
NICTUNE_KNOB(
    xps_rxqs, "xps_rxqs", kChoice, kInterface, "",
    "transmit queue chosen by receive queue: none, same-index, all, list:Q (queues/tx-N/xps_rxqs)")
NICTUNE_KNOB(offload_gro, "offload.gro", kBool, kInterface, "",
             "generic receive offload (ethtool -K gro)")
NICTUNE_KNOB(offload_lro, "offload.lro", kBool, kInterface, "",
             "large receive offload (ethtool -K lro)")
NICTUNE_KNOB(offload_tso, "offload.tso", kBool, kInterface, "",
             "TCP segmentation offload (ethtool -K tso)")
NICTUNE_KNOB(offload_gso, "offload.gso", kBool, kInterface, "",
             "generic segmentation offload (ethtool -K gso)")
NICTUNE_KNOB(offload_rx_gro_hw, "offload.rx_gro_hw", kBool, kInterface, "",
             "hardware GRO (ethtool -K rx-gro-hw)")
NICTUNE_KNOB(offload_ntuple, "offload.ntuple", kBool, kInterface, "",
             "ntuple filters (ethtool -K ntuple)")
NICTUNE_KNOB(coalesce_rx_usecs, "coalesce.rx_usecs", kInt, kInterface, "us",
             "rx interrupt coalescing delay (ethtool -C rx-usecs)")
NICTUNE_KNOB(coalesce_tx_usecs, "coalesce.tx_usecs", kInt, kInterface, "us",
             "tx interrupt coalescing delay (ethtool -C tx-usecs)")
NICTUNE_KNOB(coalesce_rx_frames, "coalesce.rx_frames", kInt, kInterface, "frames",
             "rx frames per interrupt (ethtool -C rx-frames)")
NICTUNE_KNOB(coalesce_tx_frames, "coalesce.tx_frames", kInt, kInterface, "frames",
             "tx frames per interrupt (ethtool -C tx-frames)")
NICTUNE_KNOB(coalesce_adaptive_rx, "coalesce.adaptive_rx", kBool, kInterface, "",
             "adaptive rx coalescing (ethtool -C adaptive-rx)")
NICTUNE_KNOB(coalesce_adaptive_tx, "coalesce.adaptive_tx", kBool, kInterface, "",
             "adaptive tx coalescing (ethtool -C adaptive-tx)")
NICTUNE_KNOB(pause_autoneg, "pause.autoneg", kBool, kInterface, "",
             "pause frame autonegotiation (ethtool -A autoneg)")
NICTUNE_KNOB(pause_rx, "pause.rx", kBool, kInterface, "",
             "honour received pause frames (ethtool -A rx)")
NICTUNE_KNOB(pause_tx, "pause.tx", kBool, kInterface, "", "send pause frames (ethtool -A tx)")
NICTUNE_SYSCTL("net.core.busy_poll", "us", 0, "busy-poll time for poll/select")
NICTUNE_SYSCTL("net.core.busy_read", "us", 0, "busy-poll time for socket reads")
NICTUNE_SYSCTL("net.core.netdev_budget", "packets", 0, "NAPI budget per softirq run")
NICTUNE_SYSCTL("net.core.netdev_budget_usecs", "us", 0, "NAPI time budget per softirq run")
NICTUNE_SYSCTL("net.core.netdev_max_backlog", "packets", 0, "per-CPU input backlog")
NICTUNE_SYSCTL("net.core.dev_weight", "packets", 1, "NAPI weight of the backlog device")
NICTUNE_SYSCTL("net.core.rmem_max", "bytes", 0, "max socket receive buffer")
NICTUNE_SYSCTL("net.core.wmem_max", "bytes", 0, "max socket send buffer")
NICTUNE_SYSCTL("net.core.rmem_default", "bytes", 0, "default socket receive buffer")
NICTUNE_SYSCTL("net.core.wmem_default", "bytes", 0, "default socket send buffer")
NICTUNE_PLACEMENT(
    "app.cpus", "CPUs the server (DUT) or sender (LG) threads are pinned to",
    "placement of the server/generator threads: resolve it with `resolve` and pass it to "
    "serve.start/load.run")
