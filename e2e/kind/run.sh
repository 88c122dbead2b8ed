#!/usr/bin/env bash
# End-to-end on a kind cluster, for CI machines with Docker (it cannot run where there is no
# Docker engine; there the local stack in e2e/ plays the same scenarios on network namespaces).
#
#   1. build the operator and gateway images and load them into a fresh kind cluster
#   2. helm install the chart with the bundled PostgreSQL
#   3. kubectl apply the examples and the web server they point at
#   4. wait for the Gateway and the Resource to be Ready
#   5. run the headless client as a Job that fetches the web page through the tunnel
#
# Needs: docker, kind, kubectl, helm, JDK 25. Env: KIND_CLUSTER (default gatehouse-e2e),
# KEEP_CLUSTER=1 to keep the cluster for debugging.
set -euo pipefail
cd "$(dirname "$0")/../.."

CLUSTER="${KIND_CLUSTER:-gatehouse-e2e}"
TAG="e2e-$(git rev-parse --short HEAD 2>/dev/null || echo local)"
NS=gatehouse
DEMO=gatehouse-demo
LOGS=e2e/logs/kind
mkdir -p "$LOGS"

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "kind e2e: '$tool' is needed on PATH" >&2; exit 2; }
done

dump() {
  echo "kind e2e failed; logs in $LOGS" >&2
  kubectl get all,gatehouse -A > "$LOGS/objects.txt" 2>&1 || true
  kubectl logs -n "$NS" -l app.kubernetes.io/name=gatehouse --all-containers --tail=-1 > "$LOGS/operator.log" 2>&1 || true
  kubectl logs -n "$DEMO" -l app.kubernetes.io/name=gatehouse-gateway --all-containers --tail=-1 > "$LOGS/gateways.log" 2>&1 || true
  kubectl logs -n "$DEMO" job/gatehouse-client --tail=-1 > "$LOGS/client.log" 2>&1 || true
}
cleanup() {
  local status=$?
  ((status == 0)) || dump
  [[ "${KEEP_CLUSTER:-}" == 1 ]] || kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT

JAVA_HOME="$(bash e2e/scripts/java-home.sh)"
export JAVA_HOME
./mvnw -B -q -ntp package -DskipTests
docker build -q -t "gatehouse/operator:$TAG" -f e2e/kind/images/operator.Dockerfile .
docker build -q -t "gatehouse/gateway:$TAG" -f e2e/kind/images/gateway.Dockerfile .

kind create cluster --name "$CLUSTER" --config e2e/kind/cluster.yaml --wait 120s
kind load docker-image --name "$CLUSTER" "gatehouse/operator:$TAG" "gatehouse/gateway:$TAG"

helm install gatehouse charts/gatehouse --namespace "$NS" --create-namespace --wait --timeout 5m \
  --set image.repository=gatehouse/operator --set image.tag="$TAG" --set image.pullPolicy=Never \
  --set gateway.image="gatehouse/gateway:$TAG" \
  --set postgresql.bundled.enabled=true --set postgresql.bundled.password=e2e-only \
  --set apiNode.flowKeySecret="$(openssl rand -base64 32)"

kubectl create namespace "$DEMO" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f e2e/kind/web.yaml
kubectl apply -f examples/
kubectl wait -n "$DEMO" --for=condition=Ready gateways.gatehouse.dev/edge --timeout=300s
kubectl wait -n "$DEMO" --for=condition=Ready resources.gatehouse.dev/web --timeout=120s
kubectl wait -n "$DEMO" --for=condition=Available deployment/web --timeout=180s

# The client Job: signs in with a token an admin created, brings up its tunnel and fetches the
# page through the gateway. (The client image and admin token come with the client work.)
if [[ ! -f e2e/kind/client-job.yaml ]]; then
  echo "kind e2e: e2e/kind/client-job.yaml does not exist yet: the headless client and its image" \
    "come with the gateway/client work; the cluster part above passed" >&2
  exit 1
fi
kubectl apply -f e2e/kind/client-job.yaml
kubectl wait -n "$DEMO" --for=condition=Complete job/gatehouse-client --timeout=300s
kubectl logs -n "$DEMO" job/gatehouse-client | grep -q "NOW:" || { echo "client did not fetch the page" >&2; exit 1; }
echo "kind e2e passed"
