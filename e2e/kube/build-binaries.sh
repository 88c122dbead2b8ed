#!/usr/bin/env bash
# Builds real kube-apiserver, kube-controller-manager, kubectl and etcd from
# source through the Go module proxy (no Docker, no release downloads) and lays
# them out where Fabric8 kube-api-test looks for them in offline mode; beside
# them the node's binaries (kubelet, kube-scheduler, crictl) for e2e/node/node.sh:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/<KUBE_VERSION>-<os>-<arch>/
# Idempotent: when the binaries for the pinned versions are already there it
# prints the directory and exits 0 immediately.
#
# Usage: e2e/kube/build-binaries.sh            # build if needed, print the dir
#        e2e/kube/build-binaries.sh --print-dir # print the dir, build nothing
set -euo pipefail

# ---- pinned versions --------------------------------------------------------
KUBE_VERSION="1.34.4"   # k8s.io/kubernetes v1.34.4 (staging modules k8s.io/* v0.34.4)
ETCD_VERSION="3.6.4"    # go.etcd.io/etcd/server/v3, the version k8s 1.34.4's go.mod pins
CRICTL_VERSION="1.34.0" # sigs.k8s.io/cri-tools, the release for Kubernetes 1.34
GO_MIN_MINOR=24         # k8s 1.34 go.mod says "go 1.24.0"
# -----------------------------------------------------------------------------

CACHE_ROOT="${GATEHOUSE_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse}"
KUBE_API_TEST_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"

find_go() {
  if [[ -n "${GO_BIN:-}" ]]; then [[ -x "$GO_BIN" ]] && echo "$GO_BIN"; return; fi
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  if [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go; return; fi
  return 1
}

# kube-api-test's platform suffix: "-" + os + "-" + arch (linux/amd64, linux/arm64, ...)
host_os() { uname -s | tr '[:upper:]' '[:lower:]'; }
host_arch() {
  case "$(uname -m)" in
    x86_64|amd64) echo amd64 ;;
    aarch64|arm64) echo arm64 ;;
    ppc64le) echo ppc64le ;;
    s390x) echo s390x ;;
    *) uname -m ;;
  esac
}
OS="$(host_os)"; ARCH="$(host_arch)"
TARGET_DIR="${KUBE_API_TEST_DIR}/k8s/${KUBE_VERSION}-${OS}-${ARCH}"
BINARIES=(kube-apiserver kube-controller-manager kubectl etcd kubelet kube-scheduler crictl)

have_all() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$TARGET_DIR/$b" ]] || return 1; done
  "$TARGET_DIR/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes v${KUBE_VERSION}" || return 1
  "$TARGET_DIR/etcd" --version 2>/dev/null | grep -q "etcd Version: ${ETCD_VERSION}\$" || return 1
  "$TARGET_DIR/crictl" --version 2>/dev/null | grep -q "v${CRICTL_VERSION}\$" || return 1
}

if [[ "${1:-}" == "--print-dir" ]]; then echo "$TARGET_DIR"; exit 0; fi

if have_all; then
  echo "kube binaries v${KUBE_VERSION} (etcd ${ETCD_VERSION}) already built:" >&2
  echo "$TARGET_DIR"
  exit 0
fi

GO="$(find_go)" || {
  echo "Go ≥ 1.${GO_MIN_MINOR} is needed to build kube-apiserver; install it (the official Go tarball unpacked to /usr/local/go, or Debian's golang-go if it is new enough), put it on PATH or point GO_BIN at it, and re-run $0" >&2
  exit 1
}
go_ver="$("$GO" env GOVERSION)"            # e.g. go1.26.8
go_minor="$(echo "$go_ver" | sed -E 's/^go1\.([0-9]+).*/\1/')"
if ! [[ "$go_minor" =~ ^[0-9]+$ ]] || (( go_minor < GO_MIN_MINOR )); then
  echo "Go ≥ 1.${GO_MIN_MINOR} is needed to build kube-apiserver; found $go_ver at $GO. Install a newer Go." >&2
  exit 1
fi

# Build caches stay outside the repo.
export GOMODCACHE="${GATEHOUSE_GOMODCACHE:-$CACHE_ROOT/gomod}"
export GOCACHE="${GATEHOUSE_GOCACHE:-$CACHE_ROOT/gocache}"
export CGO_ENABLED=0 GOFLAGS="-mod=mod" GOTOOLCHAIN=local GOWORK=off
export GOOS="$OS" GOARCH="$ARCH"
JOBS="${GATEHOUSE_BUILD_JOBS:-2}"
NICE=(nice -n 19)

WORK="$CACHE_ROOT/kube-build/v${KUBE_VERSION}"
mkdir -p "$WORK/kube" "$WORK/etcd" "$GOMODCACHE" "$GOCACHE" "$(dirname "$TARGET_DIR")"
# One build at a time (CI and a developer, or two test modules); the loser re-checks.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$WORK/.lock"
  flock 9
  if have_all; then echo "$TARGET_DIR"; exit 0; fi
fi
# Build straight into a temp dir beside the target, renamed into place at the end.
BIN="$(mktemp -d "${TARGET_DIR}.tmp.XXXXXX")"
trap 'rm -rf "$BIN"' EXIT
chmod 0755 "$BIN"

start=$(date +%s)
echo "Building Kubernetes v${KUBE_VERSION} + etcd v${ETCD_VERSION} with $go_ver (GOMODCACHE=$GOMODCACHE, GOCACHE=$GOCACHE, -p $JOBS)" >&2

# ---- Kubernetes: scratch module requiring k8s.io/kubernetes, with the staging
# modules (which k8s.io/kubernetes replaces with ./staging/...) mapped to v0.Y.Z.
info_json="$("$GO" mod download -json "k8s.io/kubernetes@v${KUBE_VERSION}")"
kmod="$(echo "$info_json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
kinfo="$(echo "$info_json" | sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p')"
[[ -f "$kmod" ]] || { echo "could not download k8s.io/kubernetes@v${KUBE_VERSION} go.mod" >&2; exit 1; }
staging_version="v0.${KUBE_VERSION#1.}"
{
  echo "module gatehouse.local/kube-build"
  echo
  echo "go 1.${GO_MIN_MINOR}.0"
  echo
  grep -E '^godebug ' "$kmod" || true   # keep k8s' GODEBUG defaults
  echo
  echo "require k8s.io/kubernetes v${KUBE_VERSION}"
  echo
  echo "replace ("
  grep -E '^[[:space:]]*k8s\.io/[^ ]+ => \./staging/src/' "$kmod" \
    | awk -v v="$staging_version" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} > "$WORK/kube/go.mod"
[[ -f "$WORK/kube/go.sum" ]] || : > "$WORK/kube/go.sum"

KPKGS=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
       k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-scheduler)
(cd "$WORK/kube" && "$GO" get "${KPKGS[@]/%/@v${KUBE_VERSION}}" >"$WORK/kube/get.log" 2>&1) \
  || { tail -n 40 "$WORK/kube/get.log" >&2; echo "resolving k8s.io/kubernetes v${KUBE_VERSION} modules failed (log: $WORK/kube/get.log)" >&2; exit 1; }

# Version stamping as hack/lib/version.sh does it.
minor="$(echo "$KUBE_VERSION" | cut -d. -f2)"
commit="$(sed -n 's/.*"Hash":"\([0-9a-f]\{40\}\)".*/\1/p' "$kinfo" 2>/dev/null || true)"
build_date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$kinfo" | sed -E 's/\.[0-9]+//' || true)"
ldx=()
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldx+=("-X '${pkg}.gitVersion=v${KUBE_VERSION}'" "-X '${pkg}.gitMajor=1'" "-X '${pkg}.gitMinor=${minor}'"
        "-X '${pkg}.gitTreeState=clean'" "-X '${pkg}.buildDate=${build_date:-1970-01-01T00:00:00Z}'")
  ldx+=("-X '${pkg}.gitCommit=${commit:-unknown}'")   # the proxy's .info rarely carries the commit
done
(cd "$WORK/kube" && "${NICE[@]}" "$GO" build -p "$JOBS" -trimpath -ldflags "-s -w ${ldx[*]}" -o "$BIN/" "${KPKGS[@]}")
echo "  kubernetes binaries built after $(( $(date +%s) - start ))s" >&2

# ---- etcd: its own scratch module so it gets its own dependency versions.
cat > "$WORK/etcd/go.mod" <<GOMOD
module gatehouse.local/etcd-build

go 1.23.0

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
GOMOD
[[ -f "$WORK/etcd/go.sum" ]] || : > "$WORK/etcd/go.sum"
(cd "$WORK/etcd" && "$GO" get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >"$WORK/etcd/get.log" 2>&1) \
  || { tail -n 40 "$WORK/etcd/get.log" >&2; echo "resolving etcd v${ETCD_VERSION} modules failed (log: $WORK/etcd/get.log)" >&2; exit 1; }
(cd "$WORK/etcd" && "${NICE[@]}" "$GO" build -p "$JOBS" -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3)

# ---- crictl: the CRI client the node script uses to list, inspect and clean up pod sandboxes.
mkdir -p "$WORK/crictl"
cat > "$WORK/crictl/go.mod" <<GOMOD
module gatehouse.local/crictl-build

go 1.24.0

require sigs.k8s.io/cri-tools v${CRICTL_VERSION}
GOMOD
[[ -f "$WORK/crictl/go.sum" ]] || : > "$WORK/crictl/go.sum"
(cd "$WORK/crictl" && "$GO" get "sigs.k8s.io/cri-tools/cmd/crictl@v${CRICTL_VERSION}" >"$WORK/crictl/get.log" 2>&1) \
  || { tail -n 40 "$WORK/crictl/get.log" >&2; echo "resolving cri-tools v${CRICTL_VERSION} modules failed (log: $WORK/crictl/get.log)" >&2; exit 1; }
(cd "$WORK/crictl" && "${NICE[@]}" "$GO" build -p "$JOBS" -trimpath \
  -ldflags "-s -w -X 'sigs.k8s.io/cri-tools/pkg/version.Version=v${CRICTL_VERSION}'" -o "$BIN/crictl" sigs.k8s.io/cri-tools/cmd/crictl)

# ---- lay out for kube-api-test: rename the temp dir into place.
for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || { echo "build produced no $b" >&2; exit 1; }; done
rm -rf "$TARGET_DIR"
mv "$BIN" "$TARGET_DIR"

have_all || { echo "built binaries in $TARGET_DIR fail the version check" >&2; exit 1; }
total=$(( $(date +%s) - start ))
echo "Built kube-apiserver/kube-controller-manager/kubectl/kubelet/kube-scheduler v${KUBE_VERSION} + etcd v${ETCD_VERSION} + crictl v${CRICTL_VERSION} in ${total}s ($((total/60))m$((total%60))s)" >&2
echo "$TARGET_DIR"
