#!/usr/bin/env bash
# Records the iperf3 and sockperf outputs the adapter parser tests read, from the real tools on
# loopback. Run from this folder when a tool version changes: tests/data/load/record.sh
set -euo pipefail
cd "$(dirname "$0")"
port=$((20000 + RANDOM % 20000))

# iperf3 UDP, 64-byte datagrams, 1 s omitted (warm-up) then 2 s measured.
iperf3 -s -1 -J -p $port > iperf3_udp_server.json & server=$!
sleep 0.5
iperf3 -c 127.0.0.1 -p $port -J -t 2 -O 1 -i 1 -P 1 -l 64 -u -b 0 > iperf3_udp_client.json
wait $server

# iperf3 TCP, two streams.
iperf3 -s -1 -J -p $port > iperf3_tcp_server.json & server=$!
sleep 0.5
iperf3 -c 127.0.0.1 -p $port -J -t 1 -O 0 -i 0.5 -P 2 -l 65536 > iperf3_tcp_client.json
wait $server

# iperf3 errors: nobody listening; a server stopped before any test.
iperf3 -c 127.0.0.1 -p $port -J -t 1 -u -l 64 > iperf3_refused_client.json || true
iperf3 -s -1 -J -p $port > iperf3_server_no_test.json & server=$!
sleep 0.5
kill -TERM $server; wait $server || true

# sockperf UDP ping-pong with the full log, throughput, and the server's totals.
sockperf server -i 127.0.0.1 -p $port > sockperf_server_output.txt 2>&1 & server=$!
sleep 0.5
sockperf ping-pong -i 127.0.0.1 -p $port -m 64 -t 3 --full-rtt --mps=2000 \
  --full-log sockperf_pp_full_log.csv > sockperf_pp_output.txt 2>&1
sockperf throughput -i 127.0.0.1 -p $port -m 64 -t 1 --mps=max > sockperf_tp_output.txt 2>&1
kill -INT $server; wait $server || true

# sockperf errors: TCP with nobody listening; UDP ping-pong with nobody answering.
sockperf ping-pong -i 127.0.0.1 -p $port -m 64 -t 1 --tcp --full-rtt \
  --full-log sockperf_refused_full_log.csv > sockperf_refused_output.txt 2>&1 || true
sockperf ping-pong -i 127.0.0.1 -p $port -m 64 -t 1 --full-rtt \
  --full-log sockperf_no_server_full_log.csv > sockperf_no_server_output.txt 2>&1 || true
touch sockperf_refused_full_log.csv sockperf_no_server_full_log.csv
echo "recorded with $(iperf3 --version | head -1) and sockperf $(sockperf --version 2>&1 | head -1 | awk '{print $3}')"
