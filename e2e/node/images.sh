#!/usr/bin/env bash
# Builds the container images the real node runs, without Docker or a registry, as Docker image
# archives (`docker save` layout) that `ctr images import` takes:
#   pause     the pod sandbox: a static Go program that waits for SIGTERM
#   gateway   the gateway-sidecar (Quarkus fast-jar) on a jlink'd Java 25 runtime, with `ip` and
#             `nft` (the gateway routes and filters through them) and the shared libraries they
#             and the runtime link against, copied from this machine (a distroless-style rootfs)
#   client    the headless client (client/target) on the same runtime, with `ip` and curl
#   relay     the TURN relay (relay/target) on the same runtime; the chart's relay Deployment
#             runs it (e2e/kind/images/relay.Dockerfile is the Docker build of the same thing)
# Each archive is cached under ${GATEHOUSE_CACHE:-~/.cache/gatehouse}/images/ by a hash of what
# goes into it, so an unchanged build is not repeated.
#
# Usage: e2e/node/images.sh [pause|gateway|client|relay ...]   prints "<image ref> <archive path>"
# Env:   GATEHOUSE_GATEWAY_IMAGE / GATEHOUSE_CLIENT_IMAGE / GATEHOUSE_RELAY_IMAGE /
#        GATEHOUSE_PAUSE_IMAGE override the refs.
set -euo pipefail
cd "$(dirname "$0")/../.."

PAUSE_IMAGE="${GATEHOUSE_PAUSE_IMAGE:-registry.k8s.io/pause:3.10}"
GATEWAY_IMAGE="${GATEHOUSE_GATEWAY_IMAGE:-ghcr.io/gatehouse-dev/gateway-sidecar:0.1.0}"
CLIENT_IMAGE="${GATEHOUSE_CLIENT_IMAGE:-ghcr.io/gatehouse-dev/client:0.1.0}"
RELAY_IMAGE="${GATEHOUSE_RELAY_IMAGE:-ghcr.io/gatehouse-dev/relay:0.1.0}"
CACHE="${GATEHOUSE_CACHE:-$HOME/.cache/gatehouse}/images"
# The runtime's modules: what Quarkus, Netty, Jackson, Fabric8 and pgjdbc reach for, and the
# JDK HTTP server of the client's --health-port.
JAVA_MODULES="java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.cryptoki,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs"

say() { echo "images: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

JAVA_HOME="${JAVA_HOME_25:-$(bash e2e/scripts/java-home.sh)}"
GO="$(command -v go || echo /usr/local/go/bin/go)"

# The files a binary needs: itself (unless already in the rootfs), its shared libraries and the
# dynamic loader (ldd's closure).
copy_with_libs() { # rootfs file...
  local root="$1" f lib; shift
  for f in "$@"; do
    [[ -e "$f" ]] || die "$f not found on this machine (install its package: e2e/setup.sh)"
    if [[ "$f" != "$root"/* ]]; then # a file already in the rootfs (the JDK's .so) needs only its libraries
      mkdir -p "$root$(dirname "$f")"
      cp -L "$f" "$root$f"
    fi
    for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
      [[ "$lib" == "$root"/* ]] && continue # the JDK's own libraries, found through $ORIGIN
      if [[ ! -e "$root$lib" ]]; then mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; fi
    done
  done
}

base_rootfs() { # rootfs: /etc basics, /tmp, the Java runtime, ip and nft
  local root="$1"
  mkdir -p "$root"/{etc,tmp,app,run,proc,sys,dev,var/tmp,usr/lib/x86_64-linux-gnu,lib64}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
  [[ -d /etc/iproute2 ]] && cp -r /etc/iproute2 "$root/etc/" || true
  [[ -d /usr/share/iproute2 ]] && { mkdir -p "$root/usr/share"; cp -r /usr/share/iproute2 "$root/usr/share/"; } || true
  "$JAVA_HOME/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-man-pages \
    --no-header-files --output "$root/opt/java"
  copy_with_libs "$root" "$(command -v ip)" "$(command -v nft)"
  local so
  while IFS= read -r so; do copy_with_libs "$root" "$so"; done < <(find "$root/opt/java" -name '*.so')
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl-ca.crt" 2>/dev/null || true
}

# OpenSSL's libcrypto, which the tunnel's ChaCha20-Poly1305 uses through FFM (else the JDK's).
add_libcrypto() { # rootfs
  local root="$1" so
  so="$(find /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu -name 'libcrypto.so.3' 2>/dev/null | head -1)"
  [[ -n "$so" ]] || { say "libcrypto.so.3 missing: apt-get install libssl3"; exit 1; }
  copy_with_libs "$root" "$so"
}

# Writes a Docker image archive: one layer (the rootfs), a config with the entrypoint.
archive() { # ref rootfs out config-json-body
  local ref="$1" root="$2" out="$3" body="$4" work diff cfg cfgsum
  work="$(mktemp -d)"
  tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$root" -cf "$work/layer.tar" .
  diff="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  mkdir -p "$work/$diff"; mv "$work/layer.tar" "$work/$diff/layer.tar"
  cfg="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{$body},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]}}"
  printf '%s' "$cfg" > "$work/config.json"
  cfgsum="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  mv "$work/config.json" "$work/$cfgsum.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfgsum" "$ref" "$diff" > "$work/manifest.json"
  tar -C "$work" -cf "$out.tmp" manifest.json "$cfgsum.json" "$diff/layer.tar"
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# Prints the cached archive for key $2 of image $1, building it with function $3 when missing.
cached() { # name key builder
  local name="$1" key="$2" builder="$3" out
  out="$CACHE/$name-$key.tar"
  if [[ ! -f "$out" ]]; then
    mkdir -p "$CACHE"
    local start=$SECONDS
    "$builder" "$out"
    say "built $name image in $((SECONDS - start)) s: $out"
    find "$CACHE" -name "$name-*.tar" ! -name "$(basename "$out")" -delete
  fi
  echo "$out"
}

build_pause() {
  local out="$1" root work
  work="$(mktemp -d)"; root="$work/rootfs"; mkdir -p "$root" "$work/src"
  cat > "$work/src/main.go" <<'GO'
// pause holds a pod's namespaces open until it is told to stop.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
GO
  (cd "$work/src" && printf 'module gatehouse.local/pause\n\ngo 1.22\n' > go.mod \
    && CGO_ENABLED=0 GOTOOLCHAIN=local GOWORK=off "$GO" build -trimpath -ldflags '-s -w' -o "$root/pause" .)
  archive "$PAUSE_IMAGE" "$root" "$out" '"Entrypoint":["/pause"],"User":"65535:65535"'
  rm -rf "$work"
}

build_gateway() {
  local out="$1" root work
  work="$(mktemp -d)"; root="$work/rootfs"
  base_rootfs "$root"
  add_libcrypto "$root"
  cp -r gateway-sidecar/target/quarkus-app/. "$root/app/"
  archive "$GATEWAY_IMAGE" "$root" "$out" \
    '"Entrypoint":["/opt/java/bin/java","--enable-native-access=ALL-UNNAMED","-XX:MaxRAMPercentage=75","-XX:-UsePerfData","-jar","/app/quarkus-run.jar"],"WorkingDir":"/app","Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java"],"ExposedPorts":{"8080/tcp":{},"51820/udp":{}}'
  rm -rf "$work"
}

# A plain-jar module (its jar and target/lib) into /app/<name>.jar and /app/lib.
add_jar_app() { # rootfs module name
  local root="$1" module="$2" name="$3"
  mkdir -p "$root/app/lib"
  cp "$module"/target/lib/*.jar "$root/app/lib/"
  cp "$module"/target/"$name"-*.jar "$root/app/$name.jar"
}

build_client() {
  local out="$1" root work
  work="$(mktemp -d)"; root="$work/rootfs"
  base_rootfs "$root"
  copy_with_libs "$root" "$(command -v curl)"
  add_libcrypto "$root"
  add_jar_app "$root" client gatehouse-client
  archive "$CLIENT_IMAGE" "$root" "$out" \
    '"Entrypoint":["/opt/java/bin/java","--enable-native-access=ALL-UNNAMED","-XX:MaxRAMPercentage=75","-XX:-UsePerfData","-jar","/app/gatehouse-client.jar"],"WorkingDir":"/app","Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java"]'
  rm -rf "$work"
}

build_relay() {
  local out="$1" root work
  work="$(mktemp -d)"; root="$work/rootfs"
  base_rootfs "$root"
  add_jar_app "$root" relay gatehouse-relay
  archive "$RELAY_IMAGE" "$root" "$out" \
    '"Entrypoint":["/opt/java/bin/java","-XX:+ExitOnOutOfMemoryError","-XX:MaxRAMPercentage=75","-XX:-UsePerfData","-jar","/app/gatehouse-relay.jar"],"WorkingDir":"/app","User":"65532:65532","Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java"],"ExposedPorts":{"3478/udp":{},"9464/tcp":{}}'
  rm -rf "$work"
}

# A key over what goes into an image: this script, the JDK, the app's files.
key_of() { # paths...
  { sha256sum <"$0"; "$JAVA_HOME/bin/java" -version 2>&1; find "$@" -type f -printf '%P %s %T@\n' 2>/dev/null | sort; } \
    | sha256sum | cut -c1-16
}

images=("$@"); ((${#images[@]})) || images=(pause gateway)
for image in "${images[@]}"; do
  case "$image" in
    pause) echo "$PAUSE_IMAGE $(cached pause "$(key_of /dev/null)" build_pause)" ;;
    gateway)
      [[ -f gateway-sidecar/target/quarkus-app/quarkus-run.jar ]] \
        || die "gateway-sidecar/target/quarkus-app is missing: ./mvnw -pl gateway-sidecar -am package"
      echo "$GATEWAY_IMAGE $(cached gateway "$(key_of gateway-sidecar/target/quarkus-app)" build_gateway)" ;;
    client)
      compgen -G "client/target/gatehouse-client-*.jar" >/dev/null \
        || die "client/target is missing its jar: ./mvnw -pl client -am package"
      echo "$CLIENT_IMAGE $(cached client "$(key_of client/target/lib client/target/*.jar)" build_client)" ;;
    relay)
      compgen -G "relay/target/gatehouse-relay-*.jar" >/dev/null \
        || die "relay/target is missing its jar: ./mvnw -pl relay -am package"
      echo "$RELAY_IMAGE $(cached relay "$(key_of relay/target/lib relay/target/gatehouse-relay-*.jar)" build_relay)" ;;
    *) die "unknown image $image (pause, gateway, client, relay)" ;;
  esac
done
