#!/usr/bin/env bash
# Builds upstream wireguard-go (pinned) from its Go module and prints the binary's path.
# Idempotent: the binary is cached under ${GATEHOUSE_CACHE:-~/.cache/gatehouse}/wireguard-go/<version>/.
# Usage: e2e/scripts/wireguard-go.sh            -> prints /path/to/wireguard-go on stdout
# Env:   WIREGUARD_GO_VERSION to override the pinned module version.
set -euo pipefail

VERSION="${WIREGUARD_GO_VERSION:-v0.0.0-20260522210424-ecfc5a8d5446}"
CACHE_ROOT="${GATEHOUSE_CACHE:-${HOME}/.cache/gatehouse}"
DIR="${CACHE_ROOT}/wireguard-go/${VERSION}"
BIN="${DIR}/wireguard-go"

if [[ -x "${BIN}" ]]; then
  echo "${BIN}"
  exit 0
fi

GO="$(command -v go || true)"
if [[ -z "${GO}" && -x /usr/local/go/bin/go ]]; then
  GO=/usr/local/go/bin/go
fi
if [[ -z "${GO}" ]]; then
  echo "wireguard-go.sh: 'go' not found on PATH (nor /usr/local/go/bin/go); install Go >= 1.23 to build wireguard-go ${VERSION}" >&2
  exit 2
fi

mkdir -p "${DIR}"
TMP="$(mktemp -d "${DIR}/.build.XXXXXX")"
trap 'rm -rf "${TMP}"' EXIT
echo "wireguard-go.sh: building golang.zx2c4.com/wireguard@${VERSION} with $("${GO}" version)" >&2
if ! GOBIN="${TMP}" CGO_ENABLED=0 GOFLAGS=-mod=mod "${GO}" install "golang.zx2c4.com/wireguard@${VERSION}" >&2; then
  echo "wireguard-go.sh: go install golang.zx2c4.com/wireguard@${VERSION} failed" >&2
  exit 3
fi
mv -f "${TMP}/wireguard" "${BIN}"
echo "${BIN}"
