#!/usr/bin/env bash
# Prepares this machine for Gatehouse's tests and demo. Idempotent; run as root.
#  - installs the OS packages the tests use (PostgreSQL, WireGuard tools, iperf3, ...)
#  - builds a real kube-apiserver/etcd/kube-controller-manager/kubectl from source (cached)
#  - builds upstream wireguard-go from its Go module (cached)
#  - starts a local PostgreSQL with logical replication on 127.0.0.1:55432
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "must run as root (network namespaces, TUN devices, apt)"; exit 1
fi

# containerd, runc, the CNI plugins, jq and dnsmasq: the real node (e2e/node/node.sh);
# coturn: turnutils_uclient/_peer for the relay's interop test (its turnserver is never started)
# libssl3: libcrypto for the tunnel's ChaCha20-Poly1305 (TransportAead; without it the JDK's is used)
PACKAGES=(libssl3 postgresql wireguard-tools wireguard-go iperf3 iproute2 iputils-ping nftables openssl curl procps psmisc shellcheck
          containerd runc containernetworking-plugins jq dnsmasq-base util-linux
          coturn)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export PATH="$PATH:/usr/local/go/bin"
say "kube-apiserver binaries: $(e2e/kube/build-binaries.sh)"
say "wireguard-go: $(e2e/scripts/wireguard-go.sh)"
e2e/scripts/postgres.sh start >&2
say "ready"
