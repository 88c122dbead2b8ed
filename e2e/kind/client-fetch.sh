#!/usr/bin/env bash
# Runs in the kind e2e's client Job (client-job.yaml; run.sh puts this file in the ConfigMap
# gatehouse-client-e2e): starts the headless client, waits until the API's init has given it the
# "web" resource and its route points into the client's TUN interface, fetches a page from the web
# Service through the tunnel and checks the body. The last line says PASS or why it failed; the
# client's own log and its status snapshot are in the Job's log either way.
#
# Env: GATEHOUSE_API_URL and GATEHOUSE_TOKEN (for the client), WEB_HOST (the web Service's name),
# CLIENT_STATUS_FILE (default /run/gatehouse-client/status; KindClientJobScriptTest moves it).
set -euo pipefail

WEB_HOST="${WEB_HOST:?WEB_HOST names the web Service}"
IFACE=gatehouse0
STATUS="${CLIENT_STATUS_FILE:-/run/gatehouse-client/status}"
MESSAGE=gatehouse-kind-e2e-through-the-tunnel
WAIT_SECONDS=180

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) e2e: $*"; }
fail() {
  log "client status:"
  cat "$STATUS" 2>/dev/null || echo "(no status file)"
  log "routes:"
  ip route show || true
  log "FAIL: $*"
  exit 1
}

# The Service's ClusterIP, the address the operator resolved the Resource's serviceRef to. DNS
# itself does not go through the tunnel (the resource is an address, not a name).
web_ip="$(getent hosts "$WEB_HOST" | awk '{ print $1; exit }')" || true
[[ -n "$web_ip" ]] || fail "cannot resolve $WEB_HOST"
log "$WEB_HOST is $web_ip"

gatehouse-client --interface "$IFACE" --status-file "$STATUS" --give-up-after 120 &
client=$!
stop_client() {
  kill -TERM "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
}
trap stop_client EXIT

# Status lines look like `resource: <id> ip 10.96.12.34/32` once init has listed the resource.
resource_id=""
for ((waited = 0; ; waited++)); do
  if ! kill -0 "$client" 2>/dev/null; then
    code=0
    wait "$client" || code=$?
    trap - EXIT
    fail "the client exited with $code before it had a route to $web_ip (see its log above)"
  fi
  resource_id="$(awk -v prefix="$web_ip/32" '$1 == "resource:" && $4 == prefix { print $2 }' \
    "$STATUS" 2>/dev/null || true)"
  route="$(ip route get "$web_ip" 2>&1 || true)"
  if [[ -n "$resource_id" && "$route" == *" dev $IFACE "* ]]; then
    break
  fi
  ((waited < WAIT_SECONDS)) || fail "no route to $web_ip through $IFACE after ${WAIT_SECONDS}s"
  sleep 1
done
log "resource $resource_id ($web_ip) is routed through $IFACE: ${route%%$'\n'*}"

# The first packet makes the client ask for a flow; it is held until the gateway is its peer.
url="http://$web_ip/echo?msg=$MESSAGE"
body="$(curl --silent --show-error --fail --max-time 10 --retry 5 --retry-delay 2 \
  --retry-all-errors "$url")" || fail "could not fetch $url through the tunnel"
[[ "$body" == "$MESSAGE" ]] || fail "$url answered '$body', expected '$MESSAGE'"

# The status file is rewritten every second: give it a few to show the flow.
for ((waited = 0; ; waited++)); do
  flow="$(grep "^flow: $resource_id " "$STATUS" || true)"
  [[ "$flow" != *"active via "* ]] || break
  ((waited < 5)) || fail "fetched the page, but the flow is not active: '$flow'"
  sleep 1
done
log "client status:"
cat "$STATUS"
log "PASS: fetched '$body' from $url through the tunnel (${flow#flow: })"
