#!/usr/bin/env bash
# Network benchmark of the tunnel: client -> gateway -> resource over veth in three network
# namespaces, measured side by side in one run:
#   plain      routed, no tunnel
#   wggo       upstream wireguard-go (built by e2e/scripts/wireguard-go.sh) at client and gateway
#   debian     Debian's wireguard-go package at client and gateway
#   gatehouse  our TunnelRunner at client and gateway (extra runner flags: GATEHOUSE_ARGS)
#   before     our TunnelRunner from the classes in $NETBENCH_BEFORE_CLASSES (e.g. a copy of
#              tunnel/target/classes saved before a change), to compare two builds in one run;
#              runner flags: NETBENCH_BEFORE_ARGS, else GATEHOUSE_ARGS (the same build with other
#              flags: NETBENCH_BEFORE_CLASSES=tunnel/target/classes NETBENCH_BEFORE_ARGS=...)
# For each, after NETBENCH_WARMUP seconds (default 10) of unmeasured TCP each way (a JVM's C2
# compiler spends about 11 CPU-seconds over the first 20 s of traffic, and a direction that has
# not carried a stream yet compiles its own paths) and NETBENCH_SETTLE seconds of quiet (default 10):
# idle ping RTT (NETBENCH_PINGS pings, default 200, 20 ms apart), then iperf3
# TCP throughput client->resource and back with 1 and 4 streams, each with the CPU seconds the two
# tunnel processes spent per GB moved, ping RTT under one TCP stream, and UDP at full speed
# (received rate and loss). Prints tables of the figures and of ratios to upstream wireguard-go,
# with the load average at the start and end of each mode. NETBENCH_DIAG=1 adds TCP
# retransmissions per test, per-process CPU seconds, UDP buffer errors and tunnel interface
# drops. NETBENCH_COLD=N first measures N tests of one stream from a fresh start, with the JIT
# compilers' share of the CPU (see cold_start).
#
# Needs root, iproute2, wireguard-tools, iperf3, iputils-ping, Go, JDK 25, a built tunnel module
# (./mvnw -pl tunnel package -DskipTests). Usage: tunnel/scripts/netbench.sh [seconds] [modes...]
set -euo pipefail

SECS="${1:-5}"; shift || true
MODES=("$@"); [[ ${#MODES[@]} -gt 0 ]] || MODES=(plain wggo debian gatehouse)
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
P="ghnb$$"; C="$P-c"; G="$P-g"; R="$P-r"
WORK="$(mktemp -d)"; PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for ns in "$C" "$G" "$R"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for t in ip wg iperf3 ping; do command -v "$t" >/dev/null || { echo "netbench: missing $t" >&2; exit 2; }; done
[[ $(id -u) == 0 ]] || { echo "netbench: must run as root" >&2; exit 2; }

WGGO="$("$ROOT/e2e/scripts/wireguard-go.sh")"
DEBIAN_WGGO=/usr/bin/wireguard-go
CP_FILE="$ROOT/tunnel/target/netbench.classpath"
if [[ ! -s "$CP_FILE" ]]; then
  (cd "$ROOT" && JAVA_HOME="$JAVA_HOME" ./mvnw -B -q -pl tunnel dependency:build-classpath \
     -Dmdep.outputFile="$CP_FILE" >&2)
fi
CP="$ROOT/tunnel/target/classes:$(cat "$CP_FILE")"

topology() {
  for ns in "$C" "$G" "$R"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  ip link add "$P-cg" netns "$C" type veth peer name "$P-gc" netns "$G"
  ip link add "$P-gr" netns "$G" type veth peer name "$P-rg" netns "$R"
  ip -n "$C" addr add 172.31.1.2/24 dev "$P-cg"; ip -n "$G" addr add 172.31.1.1/24 dev "$P-gc"
  ip -n "$G" addr add 172.31.2.1/24 dev "$P-gr"; ip -n "$R" addr add 172.31.2.2/24 dev "$P-rg"
  for l in "$C:$P-cg" "$G:$P-gc" "$G:$P-gr" "$R:$P-rg"; do ip -n "${l%%:*}" link set "${l#*:}" up; done
  ip netns exec "$G" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$R" route add 172.31.1.0/24 via 172.31.2.1
  ip -n "$R" route add 10.77.0.0/24 via 172.31.2.1
}

keys() { umask 077; wg genkey > "$WORK/c.key"; wg genkey > "$WORK/g.key"
  wg pubkey < "$WORK/c.key" > "$WORK/c.pub"; wg pubkey < "$WORK/g.key" > "$WORK/g.pub"; }

# $1 binary, $2 ns, $3 ifname, $4 own key, $5 peer pub, $6 tunnel addr, $7 allowed, $8 endpoint|""
start_wggo() {
  ip netns exec "$2" "$1" -f "$3" >"$WORK/$3.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 50); do [[ -S /var/run/wireguard/$3.sock ]] && break; sleep 0.1; done
  local ep=(); [[ -n "$8" ]] && ep=(endpoint "$8")
  ip netns exec "$2" wg set "$3" private-key "$4" listen-port 51820 peer "$(cat "$5")" allowed-ips "$7" "${ep[@]}"
  ip -n "$2" addr add "$6" dev "$3"; ip -n "$2" link set "$3" mtu 1420 up
}

start_ours() { # $1 ns, $2 ifname, $3 key, $4 peer pub, $5 tunnel addr, $6 allowed, $7 endpoint|"", $8 classpath, $9 runner flags
  { echo "[Interface]"; echo "PrivateKey = $(cat "$3")"; echo "ListenPort = 51820"
    echo "Address = $5"; echo "MTU = 1420"; echo "[Peer]"; echo "PublicKey = $(cat "$4")"
    echo "AllowedIPs = $6"; [[ -n "$7" ]] && echo "Endpoint = $7"; } > "$WORK/$2.conf"
  # shellcheck disable=SC2086 # TUNNEL_JAVA_OPTS and the runner flags are lists of options
  ip netns exec "$1" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC ${TUNNEL_JAVA_OPTS:-} \
    -cp "$8" dev.gatehouse.tunnel.runner.TunnelRunner "$WORK/$2.conf" --interface "$2" \
    --no-configure $9 >"$WORK/$2.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 100); do grep -q READY "$WORK/$2.log" 2>/dev/null && break; sleep 0.1; done
  ip -n "$1" addr add "$5" dev "$2"; ip -n "$1" link set "$2" mtu 1420 txqueuelen "${TUN_TXQUEUELEN:-500}" up
  ip -n "$1" route replace "${6%%,*}" dev "$2" 2>/dev/null || true
}

tunnel_up() { # $1 mode
  keys
  case "$1" in
    wggo|debian)
      local bin="$WGGO"; [[ "$1" == debian ]] && bin="$DEBIAN_WGGO"
      start_wggo "$bin" "$G" "$P-wg" "$WORK/g.key" "$WORK/c.pub" 10.77.0.1/24 10.77.0.2/32 ""
      start_wggo "$bin" "$C" "$P-wc" "$WORK/c.key" "$WORK/g.pub" 10.77.0.2/24 "10.77.0.1/32,172.31.2.0/24" 172.31.1.1:51820 ;;
    gatehouse|before)
      local cp="$CP" flags="${GATEHOUSE_ARGS:-}"
      if [[ "$1" == before ]]; then
        cp="${NETBENCH_BEFORE_CLASSES:?set NETBENCH_BEFORE_CLASSES}:$(cat "$CP_FILE")"
        flags="${NETBENCH_BEFORE_ARGS:-$flags}"
      fi
      start_ours "$G" "$P-wg" "$WORK/g.key" "$WORK/c.pub" 10.77.0.1/24 10.77.0.2/32 "" "$cp" "$flags"
      start_ours "$C" "$P-wc" "$WORK/c.key" "$WORK/g.pub" 10.77.0.2/24 "10.77.0.1/32,172.31.2.0/24" 172.31.1.1:51820 "$cp" "$flags" ;;
  esac
  ip -n "$C" route replace 172.31.2.0/24 dev "$P-wc"
  for _ in $(seq 40); do ip netns exec "$C" ping -c1 -W1 172.31.2.2 >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "netbench: $1 tunnel did not come up" >&2; return 1
}

tunnel_down() {
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
  PIDS=()
  ip -n "$C" route replace 172.31.2.0/24 via 172.31.1.1
}

cpu_ticks() { # user + system clock ticks of the tunnel processes so far (0 for plain routing)
  local t=0 pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" && -r /proc/$pid/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$t"
}

iperf() { # $@: extra iperf3 client flags; prints: receiver Mbit/s, bytes received, loss % (UDP) or -,
  # TCP retransmissions (or -)
  ip netns exec "$R" iperf3 -s -1 -B 172.31.2.2 >/dev/null 2>&1 & local s=$!
  sleep 0.5
  ip netns exec "$C" iperf3 -c 172.31.2.2 -t "$SECS" -J "$@" | python3 -c '
import json, sys
end = json.load(sys.stdin)["end"]
r = end.get("sum_received") or end["sum"]
loss = end.get("sum", {}).get("lost_percent")
retr = end.get("sum_sent", {}).get("retransmits")
print(round(r["bits_per_second"] / 1e6), r["bytes"], "-" if loss is None else f"{loss:.1f}",
      "-" if retr is None else retr)'
  wait $s || true
}

jit_ticks() { # clock ticks of the tunnel JVMs' JIT compiler threads so far (0 for wireguard-go)
  local t=0 pid task
  for pid in "${PIDS[@]:-}"; do
    for task in /proc/"$pid"/task/*; do
      [[ -n "$pid" && -r $task/comm ]] && grep -q '^C[12] Compiler' "$task/comm" 2>/dev/null &&
        t=$((t + $(awk '{print $14 + $15}' "$task/stat")))
    done
  done
  echo "$t"
}

# NETBENCH_COLD=N: before the warm-up, N tests of one TCP stream up from a fresh start, each with
# the CPU seconds the JIT compilers and the whole tunnel spent meanwhile (the cold-start curve)
cold_start() {
  local i j0 c0 mbps _ hz; hz=$(getconf CLK_TCK)
  for ((i = 1; i <= ${NETBENCH_COLD:-0}; i++)); do
    j0=$(jit_ticks); c0=$(cpu_ticks)
    read -r mbps _ < <(iperf)
    echo "  cold start, test $i: $mbps Mbit/s; JIT $(awk -v t=$(( $(jit_ticks) - j0 )) -v hz="$hz" 'BEGIN {printf "%.1f", t / hz}') of $(awk -v t=$(( $(cpu_ticks) - c0 )) -v hz="$hz" 'BEGIN {printf "%.1f", t / hz}') CPU s" >&2
  done
}

# One TCP test with the tunnel processes' CPU time around it: prints Mbit/s and CPU seconds per GB
# received (both tunnel ends together; "-" for plain routing, whose cost is the kernel's).
tcp_test() { # $@: extra iperf3 client flags
  local before after mbps bytes retr _
  before=$(cpu_ticks)
  read -r mbps bytes _ retr < <(iperf "$@")
  after=$(cpu_ticks)
  [[ -n "${NETBENCH_DIAG:-}" ]] && echo "  TCP ${*:-up}: $mbps Mbit/s, $retr retransmissions" >&2
  if ((${#PIDS[@]} == 0)); then echo "$mbps -"; return; fi
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v b="$bytes" -v m="$mbps" \
    'BEGIN {printf "%s %.2f\n", m, (b > 0 ? (t / hz) / (b / 1e9) : 0)}'
}

ping_avg() { # $1 count: average RTT in ms of pings 20 ms apart
  ip netns exec "$C" ping -q -c "$1" -i 0.02 172.31.2.2 | awk -F/ '/^rtt/ {print $5}'
}

# prints: up up_cpu down down_cpu up4 up4_cpu down4 down4_cpu udp udp_loss rtt_idle rtt_loaded
measure() {
  cold_start
  if [[ "${NETBENCH_WARMUP:-10}" != 0 ]]; then # let JIT compilers settle; same for every mode
    SECS="${NETBENCH_WARMUP:-10}" iperf >/dev/null
    SECS="${NETBENCH_WARMUP:-10}" iperf -R >/dev/null
  fi
  local up down up4 down4 udp idle loaded
  # idle RTT first (after the UDP flood, queued datagrams would still delay the pings), once the
  # warm-up's after-effects are over: a JVM's compiler threads go on for seconds after the
  # traffic stops, and pings meanwhile measure them, not the idle tunnel (same wait every mode)
  sleep "${NETBENCH_SETTLE:-10}"; idle=$(ping_avg "${NETBENCH_PINGS:-200}")
  up=$(tcp_test); down=$(tcp_test -R); up4=$(tcp_test -P 4); down4=$(tcp_test -P 4 -R)
  # RTT under load: pings through the tunnel while one TCP stream fills it
  ip netns exec "$R" iperf3 -s -1 -B 172.31.2.2 >/dev/null 2>&1 & local s=$!
  sleep 0.5
  ip netns exec "$C" iperf3 -c 172.31.2.2 -t "$SECS" >/dev/null 2>&1 & local c=$!
  sleep 1; loaded=$(ping_avg $(( (SECS - 2) * 40 > 50 ? (SECS - 2) * 40 : 50 )))
  wait $c $s || true
  udp=$(iperf -u -b 0 -l 1340 | awk '{print $1, $3}')
  echo "$up $down $up4 $down4 $udp $idle $loaded"
}

topology
ip -n "$C" route add 172.31.2.0/24 via 172.31.1.1
declare -A RESULT LOAD
echo "netbench: $(nproc) cores, ${SECS} s per test, modes: ${MODES[*]}" >&2
for m in "${MODES[@]}"; do
  load_start=$(cut -d' ' -f1 /proc/loadavg)
  if [[ "$m" != plain ]]; then tunnel_up "$m"; fi
  RESULT[$m]="$(measure)"
  LOAD[$m]="$load_start-$(cut -d' ' -f1 /proc/loadavg)"
  echo "measured $m (load average ${LOAD[$m]}): ${RESULT[$m]}" >&2
  if [[ -n "${NETBENCH_DIAG:-}" && "$m" != plain ]]; then
    for pid in "${PIDS[@]}"; do # user and system CPU seconds of each tunnel process so far
      echo "  pid $pid cpu: $(awk -v hz="$(getconf CLK_TCK)" '{printf "user=%.1fs sys=%.1fs", $14/hz, $15/hz}' "/proc/$pid/stat")" >&2
    done
    for ns in "$C" "$G"; do
      echo "  $ns udp: $(ip netns exec "$ns" awk '/^Udp:/ {getline; print "InErrors="$4" RcvbufErrors="$6" SndbufErrors="$7}' /proc/net/snmp)" >&2
      ip -n "$ns" -s link show | awk -v ns="$ns" '/wg|wc/ {dev=$2} dev && /RX:|TX:/ {hdr=$1; getline; print "  " ns " " dev " " hdr " packets=" $2 " dropped=" $4; }' >&2
    done
  fi
  if [[ "$m" != plain ]]; then tunnel_down; fi
done

for m in "${MODES[@]}"; do echo "$m ${LOAD[$m]} ${RESULT[$m]}"; done | python3 "$ROOT/tunnel/scripts/netbench-report.py"
echo "(iperf3 TCP client->resource 'up', -R 'down', -P 4 'x4', UDP -b 0 -l 1340; load = load average at start-end of the mode)"
