#!/usr/bin/env bash
# The per-packet ChaCha20-Poly1305 seal cost of the crypto wireguard-go uses (golang.org/x/crypto's
# chacha20poly1305, the version upstream wireguard-go pins) on this machine, for the sizes of
# AeadBenchmark: the baseline for our OpenSSL path (BENCHMARKS.md, "Data path for #16"). Run
# AeadBenchmark in the same session to compare:
#   tunnel/scripts/aead-baseline.sh
#   (cd tunnel && java ... org.openjdk.jmh.Main -p size=64,1420 'AeadBenchmark.openSsl')
# Needs Go (the module proxy fetches x/crypto once). Prints Go's ns/op per size.
set -euo pipefail
GO="$(command -v go || echo /usr/local/go/bin/go)"
[[ -x "$GO" ]] || { echo "aead-baseline.sh: Go not found" >&2; exit 2; }
VERSION="${XCRYPTO_VERSION:-v0.37.0}"
DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
cat > "$DIR/go.mod" <<MOD
module aeadbaseline
go 1.23
require golang.org/x/crypto $VERSION
MOD
cat > "$DIR/seal_test.go" <<'GO'
package aeadbaseline

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// One WireGuard transport seal per op: in place, fresh counter, no associated data.
func BenchmarkSeal(b *testing.B) {
	for _, n := range []int{64, 512, 1420} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			aead, _ := chacha20poly1305.New(make([]byte, 32))
			nonce, buf := make([]byte, 12), make([]byte, n+16)
			b.SetBytes(int64(n))
			for i := 0; i < b.N; i++ {
				nonce[4], nonce[5] = byte(i), byte(i>>8)
				aead.Seal(buf[:0], nonce, buf[:n], nil)
			}
		})
	}
}
GO
cd "$DIR"
"$GO" mod tidy >/dev/null 2>&1 || true
"$GO" test -run none -bench Seal -benchtime "${BENCHTIME:-2s}" -count "${COUNT:-3}" | grep -E '^(cpu|BenchmarkSeal)'
