#!/usr/bin/env bash
# A real Kubernetes node for the local stack: containerd + runc with the CRI plugin, the lab's CNI
# plugin (cni/gatehouse-lab), the cluster's DNS (dnsmasq), kube-scheduler and a kubelet registered
# with the control plane of e2e/kube/apiserver.sh. Pods run as real containers from the images
# of images.sh, imported into containerd (no registry: the kubelet finds them present).
#
# Usage: e2e/node/node.sh start|stop|status|reset
#   start   write the configs, start the processes, import the images, wait for the node Ready
#   stop    delete every pod sandbox on the node, stop the processes this script started, undo
#           the kubelet's iptables chains and unmount what the kubelet mounted
#   reset   stop, then delete the state dir
#
# Env (the defaults suit a lone developer run; the e2e tests set all of them):
#   GATEHOUSE_NODE_DIR         state dir                       (/var/tmp/gatehouse-node)
#   GATEHOUSE_KUBE_DIR         the control plane's state dir   (/var/tmp/gatehouse-kube)
#   GATEHOUSE_NODE_NAME        the Node's name                 (gatehouse-node)
#   GATEHOUSE_NODE_IP          the node's address, non-loopback, on this machine (required)
#   GATEHOUSE_NODE_HUB         netns whose bridge br0 is the pod network (required)
#   GATEHOUSE_NODE_POD_PREFIX  the pod network's first three octets, e.g. 10.244.7 (required)
#   GATEHOUSE_NODE_HOSTS       a hosts file the cluster DNS answers from (optional)
#   GATEHOUSE_NODE_PORT        kubelet port; +1 its healthz, +2 the scheduler   (10250)
#   GATEHOUSE_NODE_IMAGES      images to import                 ("pause gateway client relay")
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${GATEHOUSE_NODE_DIR:-/var/tmp/gatehouse-node}"
KUBE_DIR="${GATEHOUSE_KUBE_DIR:-/var/tmp/gatehouse-kube}"
NODE_NAME="${GATEHOUSE_NODE_NAME:-gatehouse-node}"
PORT="${GATEHOUSE_NODE_PORT:-10250}"
IMAGES="${GATEHOUSE_NODE_IMAGES:-pause gateway client relay}"
SOCKET="$STATE/containerd/containerd.sock"
COMPONENTS=(containerd dnsmasq kube-scheduler kubelet)

log() { echo "[node.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bin_dir() { "$HERE/../kube/build-binaries.sh"; }

pid_of() { # the pid of a component this script started, if it still runs that binary
  local f="$STATE/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  local cmdline; cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$1"* ]] || return 1
  echo "$pid"
}

launch() { # name command...
  local name="$1"; shift
  if pid_of "$name" >/dev/null; then log "$name already running"; return 0; fi
  setsid nohup "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
  log "started $name (pid $!), log $STATE/logs/$name.log"
}

await() { # name seconds command... : until the command succeeds, while the component runs
  local name="$1" secs="$2" i; shift 2
  for ((i = 0; i < secs * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    [[ -f "$STATE/$name.pid" ]] && ! kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null && {
      tail -n 30 "$STATE/logs/$name.log" >&2; die "$name exited; see $STATE/logs/$name.log"; }
    sleep 0.25
  done
  tail -n 30 "$STATE/logs/$name.log" >&2
  die "$name not ready after ${secs}s ($*); see $STATE/logs/$name.log"
}

need() { command -v "$1" >/dev/null || die "$1 is missing: run e2e/setup.sh (it installs $2)"; }

write_configs() {
  local prefix="$1" hub="$2" node_ip="$3"
  mkdir -p "$STATE"/{logs,containerd,cni-bin,cni-conf,ipam,kubelet,pod-logs}
  ln -sf /usr/lib/cni/loopback "$STATE/cni-bin/loopback"
  ln -sf "$HERE/cni/gatehouse-lab" "$STATE/cni-bin/gatehouse-lab"
  cat >"$STATE/cni-conf/10-gatehouse-lab.conflist" <<JSON
{"cniVersion":"0.4.0","name":"gatehouse-lab","plugins":[{"type":"gatehouse-lab","hub":"$hub",
 "bridge":"br0","prefix":"$prefix","gateway":"$prefix.1","rangeStart":100,"rangeEnd":199,
 "dataDir":"$STATE/ipam"}]}
JSON
  # restrict_oom_score_adj: this machine refuses a negative oom_score_adj even to root, and the
  # kubelet asks -998 for sandboxes; containerd then keeps scores at or above its own.
  cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$SOCKET"
[ttrpc]
  address = "$SOCKET.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$STATE/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$STATE/cni-bin"
    conf_dir = "$STATE/cni-conf"
TOML
  printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 10\n' "$SOCKET" "$SOCKET" >"$STATE/crictl.yaml"
  echo "nameserver $prefix.1" >"$STATE/resolv.conf"
  # Gateway pods need net.ipv4.ip_forward, an "unsafe" sysctl (README, "IP forwarding").
  cat >"$STATE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $KUBE_DIR/pki/ca.crt}
authorization: {mode: AlwaysAllow}
address: $node_ip
port: $PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $((PORT + 1))
containerRuntimeEndpoint: unix://$SOCKET
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
failCgroupV1: false
clusterDNS: [$prefix.1]
clusterDomain: cluster.local
resolvConf: $STATE/resolv.conf
allowedUnsafeSysctls: [net.ipv4.ip_forward]
podLogsDir: $STATE/pod-logs
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {}
localStorageCapacityIsolation: false
serializeImagePulls: false
YAML
}

cmd_start() {
  local prefix="${GATEHOUSE_NODE_POD_PREFIX:?set GATEHOUSE_NODE_POD_PREFIX (e.g. 10.244.7)}"
  local hub="${GATEHOUSE_NODE_HUB:?set GATEHOUSE_NODE_HUB (the netns with the pod bridge br0)}"
  local node_ip="${GATEHOUSE_NODE_IP:?set GATEHOUSE_NODE_IP (a non-loopback address of this machine)}"
  local bin kubectl
  need containerd containerd; need runc runc; need jq jq; need dnsmasq dnsmasq-base; need nsenter util-linux
  [[ -x /usr/lib/cni/loopback ]] || die "/usr/lib/cni/loopback is missing: run e2e/setup.sh (it installs containernetworking-plugins)"
  ip netns list | grep -qw "$hub" || die "network namespace $hub does not exist"
  [[ -f "$KUBE_DIR/kubeconfig" ]] || die "$KUBE_DIR/kubeconfig is missing: start e2e/kube/apiserver.sh first"
  bin="$(bin_dir)"
  kubectl=("$bin/kubectl" --kubeconfig "$KUBE_DIR/kubeconfig")
  write_configs "$prefix" "$hub" "$node_ip"

  launch containerd containerd --config "$STATE/containerd/config.toml"
  await containerd 30 "$bin/crictl" --config "$STATE/crictl.yaml" version

  local ref archive
  while read -r ref archive; do
    ctr --address "$SOCKET" -n k8s.io images import "$archive" >>"$STATE/logs/images.log" 2>&1 \
      || die "importing $ref from $archive failed; see $STATE/logs/images.log"
    log "image $ref imported"
  done < <(bash "$HERE/images.sh" $IMAGES)

  # The cluster's DNS, on the pod network's router address.
  : >"$STATE/hosts"
  [[ -n "${GATEHOUSE_NODE_HOSTS:-}" ]] && cp "$GATEHOUSE_NODE_HOSTS" "$STATE/hosts"
  launch dnsmasq ip netns exec "$hub" dnsmasq --keep-in-foreground --no-daemon --no-resolv \
    --no-hosts --addn-hosts="$STATE/hosts" --listen-address="$prefix.1" --bind-interfaces \
    --user=root --pid-file="$STATE/dnsmasq.run.pid" --log-facility=-

  launch kube-scheduler "$bin/kube-scheduler" --kubeconfig "$KUBE_DIR/kubeconfig" \
    --authentication-kubeconfig "$KUBE_DIR/kubeconfig" --authorization-kubeconfig "$KUBE_DIR/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$((PORT + 2))" --leader-elect=false

  launch kubelet "$bin/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$KUBE_DIR/kubeconfig" \
    --root-dir "$STATE/kubelet" --hostname-override "$NODE_NAME" --node-ip "$node_ip" --v=1
  await kubelet 60 "${kubectl[@]}" wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
  log "ready: node $NODE_NAME ($node_ip), pods on $prefix.100-199 via $hub, DNS $prefix.1"
}

stop_one() {
  local name="$1" pid i
  if ! pid="$(pid_of "$name")"; then rm -f "$STATE/$name.pid"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { log "$name (pid $pid) did not stop; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
  rm -f "$STATE/$name.pid"
  log "stopped $name (pid $pid)"
}

cmd_stop() {
  stop_one kubelet
  stop_one kube-scheduler
  if pid_of containerd >/dev/null; then
    # Every sandbox goes: its containers, its CNI DEL (veth and address) and its netns.
    local crictl; crictl="$(bin_dir)/crictl"
    "$crictl" --config "$STATE/crictl.yaml" rmp --all --force >>"$STATE/logs/stop.log" 2>&1 || true
  fi
  stop_one containerd
  stop_one dnsmasq
  # containerd's shims outlive it; end the ones whose state lives here.
  pkill -f "containerd-shim-runc-v2 .*-address $SOCKET" 2>/dev/null || true
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v s="$STATE" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r)
  # The kubelet's iptables chains (only the canaries and KUBE-FIREWALL exist without kube-proxy).
  if command -v iptables >/dev/null; then
    iptables -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
    iptables -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
    local t c
    for t in filter nat mangle; do
      for c in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        iptables -t "$t" -F "$c" 2>/dev/null && iptables -t "$t" -X "$c" 2>/dev/null || true
        ip6tables -t "$t" -F "$c" 2>/dev/null && ip6tables -t "$t" -X "$c" 2>/dev/null || true
      done
    done
  fi
}

cmd_status() {
  local rc=0 c pid
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$c")"; then echo "$c: running (pid $pid)"; else echo "$c: stopped"; rc=3; fi
  done
  return $rc
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_stop; rm -rf "$STATE"; log "removed $STATE" ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
