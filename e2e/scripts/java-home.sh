#!/usr/bin/env bash
# Prints the path of a JDK 25 or newer, or fails with a message saying how to get one.
# Looks at $JAVA_HOME first, then every JDK under /usr/lib/jvm (newest first).
# Usage: export JAVA_HOME="$(e2e/scripts/java-home.sh)"
set -euo pipefail
REQUIRED=25

major() { # prints the feature version of the JDK at $1, or nothing
  local release="$1/release"
  [[ -x "$1/bin/javac" && -r "$release" ]] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

candidates=()
[[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
while IFS= read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's#/$##' | sort -V -r)

for dir in "${candidates[@]}"; do
  version="$(major "$dir")"
  if [[ -n "$version" && "$version" -ge "$REQUIRED" ]]; then
    echo "$dir"
    exit 0
  fi
done
echo "java-home.sh: Gatehouse needs JDK $REQUIRED or newer and none was found (looked at \$JAVA_HOME and /usr/lib/jvm)." >&2
echo "java-home.sh: install one (e.g. Temurin 25) and point JAVA_HOME at it." >&2
exit 1
