#!/usr/bin/env bash
# End-to-end on a kind cluster, for CI machines with Docker (it cannot run where there is no
# Docker engine; there the local stack in e2e/ plays the same scenarios on network namespaces).
#
#   1. build the operator, gateway and client images and load them into a fresh kind cluster
#      (cluster.yaml: kubelets allow the net.ipv4.ip_forward sysctl that gateway pods set)
#   2. helm install the chart with the bundled PostgreSQL; its keys and the admin token only in
#      Secrets
#   3. through the admin API (gatehouse-admin in an operator pod): the group "engineering", an
#      actor in it and a client token, which goes straight into a Secret
#   4. kubectl apply the examples, the web server they point at and an always-on Policy
#   5. wait for the Gateway, the Resource and the Policy to be Ready
#   6. run the headless client as a Job that fetches a page through the tunnel, and check it
#
# Needs: docker, kind, kubectl, helm, jq, openssl, JDK 25. Env: KIND_CLUSTER (default
# gatehouse-e2e), KEEP_CLUSTER=1 to keep the cluster for debugging.
set -euo pipefail
cd "$(dirname "$0")/../.."

CLUSTER="${KIND_CLUSTER:-gatehouse-e2e}"
TAG="e2e-$(git rev-parse --short HEAD 2>/dev/null || echo local)"
NS=gatehouse
DEMO=gatehouse-demo
OPERATOR=gatehouse-operator
LOGS=e2e/logs/kind
mkdir -p "$LOGS"

for tool in docker kind kubectl helm jq openssl; do
  command -v "$tool" >/dev/null || { echo "kind e2e: '$tool' is needed on PATH" >&2; exit 2; }
done

dump() {
  echo "kind e2e failed; logs in $LOGS" >&2
  kubectl get all,gatehouse -A -o wide > "$LOGS/objects.txt" 2>&1 || true
  kubectl get events -A --sort-by=.lastTimestamp > "$LOGS/events.txt" 2>&1 || true
  kubectl describe pods -n "$DEMO" > "$LOGS/demo-pods.txt" 2>&1 || true
  kubectl describe gateways,resources,policies -n "$DEMO" > "$LOGS/gatehouse-objects.txt" 2>&1 || true
  kubectl logs -n "$NS" -l app.kubernetes.io/name=gatehouse-operator --all-containers --prefix --tail=-1 > "$LOGS/operator.log" 2>&1 || true
  kubectl logs -n "$NS" -l app.kubernetes.io/name=gatehouse-postgresql --all-containers --prefix --tail=-1 > "$LOGS/postgresql.log" 2>&1 || true
  kubectl logs -n "$DEMO" -l app.kubernetes.io/name=gatehouse-gateway --all-containers --prefix --tail=-1 > "$LOGS/gateways.log" 2>&1 || true
  kubectl logs -n "$DEMO" job/gatehouse-client --tail=-1 > "$LOGS/client.log" 2>&1 || true
  echo "--- client Job log (tail) ---" >&2
  tail -n 40 "$LOGS/client.log" >&2 || true
}
cleanup() {
  local status=$?
  ((status == 0)) || dump
  [[ "${KEEP_CLUSTER:-}" == 1 ]] || kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT

# The admin CLI in an operator pod: the admin token is already in its environment (from the
# chart's Secret) and the API node listens on localhost, so no secret goes on a command line.
admin() {
  local out
  if ! out="$(kubectl exec -n "$NS" "deploy/$OPERATOR" -c operator -- gatehouse-admin "$@")"; then
    echo "kind e2e: gatehouse-admin $* failed: $out" >&2
    return 1
  fi
  printf '%s\n' "$out"
}

JAVA_HOME="$(bash e2e/scripts/java-home.sh)"
export JAVA_HOME
./mvnw -B -q -ntp package -DskipTests
export DOCKER_BUILDKIT=1 # COPY --chmod in the Dockerfiles
docker build -q -t "gatehouse/operator:$TAG" -f e2e/kind/images/operator.Dockerfile .
docker build -q -t "gatehouse/gateway:$TAG" -f e2e/kind/images/gateway.Dockerfile .
docker build -q -t "gatehouse/client:$TAG" -f e2e/kind/images/client.Dockerfile .

kind create cluster --name "$CLUSTER" --config e2e/kind/cluster.yaml --wait 120s
kind load docker-image --name "$CLUSTER" \
  "gatehouse/operator:$TAG" "gatehouse/gateway:$TAG" "gatehouse/client:$TAG"

# Secrets only in Secrets: the chart gets their names, never their values (which would otherwise
# sit in the Helm release). Values come through process substitution, not argv.
kubectl create namespace "$NS"
kubectl create secret generic gatehouse-e2e-api-node -n "$NS" \
  --from-file=flowKeySecret=<(openssl rand -base64 32 | tr -d '\n') \
  --from-file=adminToken=<(openssl rand -hex 32 | tr -d '\n')
kubectl create secret generic gatehouse-e2e-postgresql -n "$NS" \
  --from-file=password=<(openssl rand -hex 24 | tr -d '\n')

helm install gatehouse charts/gatehouse --namespace "$NS" --wait --timeout 5m \
  --set image.repository=gatehouse/operator --set image.tag="$TAG" --set image.pullPolicy=Never \
  --set gateway.image="gatehouse/gateway:$TAG" \
  --set postgresql.bundled.enabled=true \
  --set postgresql.bundled.existingSecret=gatehouse-e2e-postgresql \
  --set apiNode.existingSecret=gatehouse-e2e-api-node

# The admin API answers once the operator has migrated the database and started its API node.
for ((waited = 0; ; waited += 2)); do
  admin actor list >/dev/null 2>&1 && break
  ((waited < 120)) || { admin actor list; exit 1; }
  sleep 2
done

# The group before any Policy names it: the operator then uses this group rather than creating
# one of its own (it looks groups up by name).
group="$(admin group create --name engineering | jq -er .id)"
actor="$(admin actor create --name kind-e2e-client | jq -er .id)"
admin membership create --actor "$actor" --group "$group" >/dev/null
# The client token goes from the admin API's answer straight into a Secret (stdin, not argv).
kubectl create namespace "$DEMO"
token_answer="$(admin token create --actor "$actor" --ttl-seconds 3600)"
jq -e '.token | strings' >/dev/null <<<"$token_answer" ||
  { echo "kind e2e: the admin API issued no client token" >&2; exit 1; }
jq -j .token <<<"$token_answer" |
  kubectl create secret generic gatehouse-client-token -n "$DEMO" --from-file=token=/dev/stdin
unset token_answer
echo "kind e2e: actor $actor in group engineering ($group); its token in $DEMO/gatehouse-client-token"

kubectl apply -f e2e/kind/web.yaml
kubectl apply -f examples/
# examples/policy-web.yaml only holds on weekdays 07:00-20:00 Berlin time; this one always does.
kubectl apply -f e2e/kind/policy-always.yaml
kubectl wait -n "$DEMO" --for=condition=Ready gateways.gatehouse.dev/edge --timeout=300s
kubectl wait -n "$DEMO" --for=condition=Ready resources.gatehouse.dev/web --timeout=120s
kubectl wait -n "$DEMO" --for=condition=Ready policies.gatehouse.dev/e2e-engineers-web-always --timeout=120s
kubectl wait -n "$DEMO" --for=condition=Available deployment/web --timeout=180s

# The client Job: signs in with the token, waits for the web resource's route, fetches the page
# through a gateway and checks the body (client-fetch.sh says PASS or why not).
kubectl create configmap gatehouse-client-e2e -n "$DEMO" --from-file=e2e/kind/client-fetch.sh
sed "s|CLIENT_IMAGE|gatehouse/client:$TAG|" e2e/kind/client-job.yaml | kubectl apply -f -
for ((waited = 0; ; waited += 5)); do
  succeeded="$(kubectl get job -n "$DEMO" gatehouse-client -o jsonpath='{.status.succeeded}')"
  failed="$(kubectl get job -n "$DEMO" gatehouse-client -o jsonpath='{.status.failed}')"
  [[ "${succeeded:-0}" == 0 && "${failed:-0}" == 0 ]] || break
  ((waited < 330)) || { echo "kind e2e: the client Job did not finish in ${waited}s" >&2; exit 1; }
  sleep 5
done
kubectl logs -n "$DEMO" job/gatehouse-client --tail=-1 > "$LOGS/client.log"
[[ "${succeeded:-0}" != 0 ]] || { echo "kind e2e: the client Job failed" >&2; exit 1; }
grep -q "e2e: PASS:" "$LOGS/client.log" || { echo "kind e2e: the client did not fetch the page" >&2; exit 1; }
grep "e2e: PASS:" "$LOGS/client.log"
echo "kind e2e passed"
