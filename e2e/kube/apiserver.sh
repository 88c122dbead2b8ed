#!/usr/bin/env bash
# Runs a standalone, loopback-only control plane for the local demo:
#   etcd + kube-apiserver + kube-controller-manager
# (no kubelet / scheduler: pods are never scheduled or run, but Deployments get
# ReplicaSets, ownerReference garbage collection works, namespaces get their
# default ServiceAccount, CRDs with CEL validation work, ...).
#
# Usage: e2e/kube/apiserver.sh start|stop|status|restart|reset
#   start   build the binaries if needed (build-binaries.sh), generate certs and
#           kubeconfig on first use, start the three processes, wait for /readyz
#   stop    stop only the processes whose pid files this script wrote
#   status  show the processes and /readyz
#   reset   stop, then delete the state dir (certs, etcd data, logs)
#
# Env: GATEHOUSE_KUBE_DIR (state dir, default /var/tmp/gatehouse-kube),
#      GATEHOUSE_KUBE_APISERVER_PORT (default 16443), GATEHOUSE_KUBE_ETCD_PORT
#      (client, default 12379; peer = +1), GATEHOUSE_KUBE_KCM_PORT (default 20257),
#      KUBE_BIN_DIR (binaries; default: what build-binaries.sh prints).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${GATEHOUSE_KUBE_DIR:-/var/tmp/gatehouse-kube}"
API_PORT="${GATEHOUSE_KUBE_APISERVER_PORT:-16443}"
ETCD_PORT="${GATEHOUSE_KUBE_ETCD_PORT:-12379}"
ETCD_PEER_PORT="$((ETCD_PORT + 1))"
KCM_PORT="${GATEHOUSE_KUBE_KCM_PORT:-20257}"
SERVICE_CIDR="10.0.0.0/24"
SERVICE_IP="10.0.0.1"
PKI="$STATE/pki"
KUBECONFIG_PATH="$STATE/kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager)

log() { echo "[apiserver.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bin_dir() {
  if [[ -n "${KUBE_BIN_DIR:-}" ]]; then echo "$KUBE_BIN_DIR"; return; fi
  "$HERE/build-binaries.sh"
}

pid_of() { # prints the pid of a component we started, if it is still that process
  local name="$1" f="$STATE/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against a recycled pid: the process must be our binary
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "/$name " || return 1
  echo "$pid"
}

alive() { # whether the process we just started still runs; right after the fork its cmdline may
  # still be this script's (not yet exec'd), so unlike pid_of this does not check the binary
  local f="$STATE/$1.pid"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

gen_pki() {
  mkdir -p "$PKI"; chmod 700 "$PKI"
  command -v openssl >/dev/null || die "openssl is needed to generate certificates"
  [[ -f "$PKI/ca.crt" ]] && return 0
  log "generating certificates in $PKI"
  local d="$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gatehouse-local-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  sign() { # name subject [extfile]
    local n="$1" subj="$2" ext="${3:-}"
    openssl req -new -newkey rsa:2048 -nodes -subj "$subj" -keyout "$d/$n.key" -out "$d/$n.csr" 2>/dev/null
    openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
      -days 3650 -out "$d/$n.crt" ${ext:+-extfile "$ext"} 2>/dev/null
    rm -f "$d/$n.csr"
  }
  cat > "$d/apiserver.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:${SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EXT
  cat > "$d/client.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
EXT
  sign apiserver "/CN=kube-apiserver" "$d/apiserver.ext"
  sign admin "/O=system:masters/CN=gatehouse-admin" "$d/client.ext"
  sign controller-manager "/CN=system:kube-controller-manager" "$d/client.ext"
  # service-account token signing key pair
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  # static bearer token for curl: Authorization: Bearer $(cat admin.token)
  openssl rand -hex 24 > "$d/admin.token"
  echo "$(cat "$d/admin.token"),gatehouse-admin-token,gatehouse-admin-token,system:masters" > "$d/tokens.csv"
  chmod 600 "$d"/*.key "$d/admin.token" "$d/tokens.csv"
}

write_kubeconfig() { # path user cert key
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: gatehouse-local
  cluster:
    server: https://127.0.0.1:${API_PORT}
    certificate-authority: ${PKI}/ca.crt
users:
- name: $2
  user:
    client-certificate: ${PKI}/$3.crt
    client-key: ${PKI}/$3.key
contexts:
- name: gatehouse-local
  context:
    cluster: gatehouse-local
    user: $2
    namespace: default
current-context: gatehouse-local
KC
  chmod 600 "$1"
}

launch() { # name binary args...
  local name="$1"; shift
  if pid_of "$name" >/dev/null; then log "$name already running (pid $(pid_of "$name"))"; return 0; fi
  # setsid: own session, so the shell that called start can exit; nohup output goes to the log
  setsid nohup "$@" >>"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.pid"
  log "started $name (pid $!), log $STATE/logs/$name.log"
}

wait_for() { # name url seconds [curl args...]
  local name="$1" url="$2" secs="$3"; shift 3
  local i
  for ((i = 0; i < secs * 2; i++)); do
    alive "$name" || { tail -n 30 "$STATE/logs/$name.log" >&2; die "$name exited; see $STATE/logs/$name.log"; }
    if curl -fsS --max-time 2 "$@" "$url" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  tail -n 30 "$STATE/logs/$name.log" >&2
  die "$name not healthy at $url after ${secs}s"
}

cmd_start() {
  local bin; bin="$(bin_dir)"
  for b in etcd kube-apiserver kube-controller-manager; do
    [[ -x "$bin/$b" ]] || die "$bin/$b missing; run $HERE/build-binaries.sh"
  done
  mkdir -p "$STATE/logs" "$STATE/etcd-data" "$STATE/kcm-certs"
  gen_pki
  write_kubeconfig "$KUBECONFIG_PATH" gatehouse-admin admin
  write_kubeconfig "$STATE/controller-manager.kubeconfig" system:kube-controller-manager controller-manager

  launch etcd "$bin/etcd" \
    --name gatehouse --data-dir "$STATE/etcd-data" \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "gatehouse=http://127.0.0.1:${ETCD_PEER_PORT}" \
    --quota-backend-bytes 1073741824
  wait_for etcd "http://127.0.0.1:${ETCD_PORT}/health" 30

  launch kube-apiserver "$bin/kube-apiserver" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
    --authorization-mode RBAC \
    --service-account-issuer "https://kubernetes.default.svc.cluster.local" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --api-audiences "https://kubernetes.default.svc.cluster.local" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --allow-privileged=true \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --kubelet-client-certificate "$PKI/admin.crt" --kubelet-client-key "$PKI/admin.key" \
    --cert-dir "$STATE/apiserver-certs"
  wait_for kube-apiserver "https://127.0.0.1:${API_PORT}/readyz" 120 \
    --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key"

  launch kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --cert-dir "$STATE/kcm-certs" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR"
  wait_for kube-controller-manager "https://127.0.0.1:${KCM_PORT}/healthz" 60 --insecure

  log "ready: kube-apiserver https://127.0.0.1:${API_PORT}, etcd http://127.0.0.1:${ETCD_PORT}, kube-controller-manager https://127.0.0.1:${KCM_PORT}"
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  echo "export PATH=$bin:\$PATH   # kubectl"
  echo "# bearer token for curl: $PKI/admin.token (CA: $PKI/ca.crt)"
}

stop_one() {
  local name="$1" pid i
  if ! pid="$(pid_of "$name")"; then rm -f "$STATE/$name.pid"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "$name (pid $pid) did not stop; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$STATE/$name.pid"
  log "stopped $name (pid $pid)"
}

cmd_stop() { stop_one kube-controller-manager; stop_one kube-apiserver; stop_one etcd; }

cmd_status() {
  local rc=0 c pid
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$c")"; then echo "$c: running (pid $pid)"; else echo "$c: stopped"; rc=3; fi
  done
  if [[ -f "$PKI/admin.crt" ]] && curl -fsS --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
       "https://127.0.0.1:${API_PORT}/readyz" >/dev/null 2>&1; then
    echo "readyz: ok (https://127.0.0.1:${API_PORT}); KUBECONFIG=$KUBECONFIG_PATH"
  else
    echo "readyz: not ready"; rc=3
  fi
  return $rc
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  reset) cmd_stop; rm -rf "$STATE"; log "removed $STATE" ;;
  *) echo "usage: $0 start|stop|status|restart|reset" >&2; exit 2 ;;
esac
