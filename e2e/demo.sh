#!/usr/bin/env bash
# The README's first command: runs Gatehouse locally and tells what happened.
#
# Today it shows the Kubernetes side on a real control plane: a kube-apiserver, etcd and
# kube-controller-manager on loopback (built from source, see e2e/kube), the CRDs, the example
# Gateway/Resource/Policy objects, and the operator turning them into the objects a gateway
# needs, and writing them into the control plane (PostgreSQL) whose API node it serves. Invalid
# examples are refused by the API server with their messages. Nothing is left running
# afterwards. (Gateways and clients as processes in network namespaces come next.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
LOGS="$ROOT/e2e/logs/demo"
export GATEHOUSE_KUBE_DIR="${GATEHOUSE_KUBE_DIR:-/var/tmp/gatehouse-demo-kube}"
export GATEHOUSE_KUBE_APISERVER_PORT="${GATEHOUSE_KUBE_APISERVER_PORT:-17443}"
export GATEHOUSE_KUBE_ETCD_PORT="${GATEHOUSE_KUBE_ETCD_PORT:-13379}"
export GATEHOUSE_KUBE_KCM_PORT="${GATEHOUSE_KUBE_KCM_PORT:-21257}"
mkdir -p "$LOGS"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
operator_pid=""
cleanup() {
  local status=$?
  set +e
  if [[ -n "$operator_pid" ]]; then
    kill "$operator_pid" 2>/dev/null
    wait "$operator_pid" 2>/dev/null
  fi
  bash e2e/kube/apiserver.sh reset >/dev/null 2>&1
  exit "$status"
}
trap cleanup EXIT

step "Preparing: JDK 25, Kubernetes binaries, the operator"
JAVA_HOME="$(bash e2e/scripts/java-home.sh)"; export JAVA_HOME
export PATH="$PATH:/usr/local/go/bin"
KUBE_BIN="$(bash e2e/kube/build-binaries.sh)"
export PATH="$KUBE_BIN:$PATH"
./mvnw -B -q -ntp -pl operator -am package -DskipTests
echo "JDK: $JAVA_HOME; kube binaries: $KUBE_BIN"

step "Starting a real control plane on loopback (kube-apiserver, etcd, kube-controller-manager)"
bash e2e/kube/apiserver.sh start > "$LOGS/apiserver.out" 2>&1 || { cat "$LOGS/apiserver.out"; exit 1; }
export KUBECONFIG="$GATEHOUSE_KUBE_DIR/kubeconfig"
kubectl version 2>/dev/null | sed -n 's/^Server Version: /kube-apiserver /p'

step "kubectl apply -f crds/ and the example namespace"
kubectl apply --server-side -f crds/
kubectl create namespace gatehouse-demo --dry-run=client -o yaml | kubectl apply -f - >/dev/null

step "Starting PostgreSQL (the control plane's database, logical replication on)"
bash e2e/scripts/postgres.sh start > "$LOGS/postgres.out" 2>&1 || { cat "$LOGS/postgres.out"; exit 1; }
PG_URL="jdbc:postgresql://127.0.0.1:${GATEHOUSE_PG_PORT:-55432}/gatehouse"
echo "$PG_URL"

step "Starting the operator with its API node (log: e2e/logs/demo/operator.log)"
GATEHOUSE_DATABASE_URL="$PG_URL" GATEHOUSE_DATABASE_USER=gatehouse GATEHOUSE_DATABASE_PASSWORD=gatehouse \
GATEHOUSE_FLOW_KEY_SECRET="$(openssl rand -base64 32)" GATEHOUSE_API_PORT=18543 GATEHOUSE_API_BIND=127.0.0.1 \
GATEHOUSE_ACCOUNT=demo \
GATEHOUSE_LEADER_ELECTION=true GATEHOUSE_NAMESPACE=default GATEHOUSE_HTTP_PORT=18081 \
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -jar operator/target/gatehouse-operator-0.1.0-SNAPSHOT.jar > "$LOGS/operator.log" 2>&1 &
operator_pid=$!
for _ in $(seq 1 60); do curl -sf localhost:18081/readyz >/dev/null && break; sleep 0.5; done
curl -sf localhost:18081/readyz >/dev/null || { echo "operator did not become ready"; tail -30 "$LOGS/operator.log"; exit 1; }
echo "operator ready; leader lease: $(kubectl get lease -n default gatehouse-operator-leader -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)"
echo "API node (control channels for gateways and clients): ws://127.0.0.1:18543, health $(curl -s localhost:18543/healthz)"

step "kubectl apply -f examples/"
kubectl apply --server-side -f examples/

step "Invalid input is refused by the API server, with a message that says what to fix"
for f in examples/invalid/resource-both-address-and-service.yaml examples/invalid/resource-reversed-port-range.yaml examples/invalid/gateway-too-many-replicas.yaml; do
  kubectl apply --server-side -f "$f" 2>&1 | sed 's/^/  /' || true
done

step "What the operator made of the Gateway"
for _ in $(seq 1 60); do
  kubectl get deployment/edge-gateway -n gatehouse-demo >/dev/null 2>&1 && break; sleep 0.5
done
sleep 2
kubectl get serviceaccount,secret,deployment,service,poddisruptionbudget,replicaset -n gatehouse-demo -l app.kubernetes.io/managed-by=gatehouse-operator
echo
echo "gateway pod security context:"
kubectl get deployment/edge-gateway -n gatehouse-demo -o jsonpath='{.spec.template.spec.containers[0].securityContext}' | sed 's/^/  /'; echo

step "Status of every Gatehouse object (kubectl get gatehouse)"
kubectl get gatehouse -n gatehouse-demo
echo
kubectl get gateways.gatehouse.dev,resources.gatehouse.dev,policies.gatehouse.dev -n gatehouse-demo \
  -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}: {range .status.conditions[?(@.type=="Ready")]}Ready={.status} ({.reason}: {.message}){end}{"\n"}{end}'

step "The same objects in the control plane (PostgreSQL rows the API node serves from)"
sql() { PGPASSWORD=gatehouse psql -h 127.0.0.1 -p "${GATEHOUSE_PG_PORT:-55432}" -U gatehouse -d gatehouse -At -F ' | ' -c "$1"; }
echo "sites:";     sql "SELECT name, (SELECT count(*) FROM tokens t WHERE t.site_id = s.id AND t.deleted_at IS NULL) || ' token hash(es)' FROM sites s WHERE deleted_at IS NULL AND account_id = (SELECT id FROM accounts WHERE name = 'demo')" | sed 's/^/  /'
echo "resources:"; sql "SELECT name, type, address, filters FROM resources WHERE deleted_at IS NULL AND account_id = (SELECT id FROM accounts WHERE name = 'demo') ORDER BY name" | sed 's/^/  /'
echo "policies:";  sql "SELECT g.name || ' -> ' || r.name, coalesce(p.expires_at::text, 'no expiry') FROM policies p JOIN groups g ON g.id = p.group_id JOIN resources r ON r.id = p.resource_id WHERE p.deleted_at IS NULL AND p.account_id = (SELECT id FROM accounts WHERE name = 'demo') ORDER BY 1" | sed 's/^/  /'

cat <<'NOTE'

The gateway pods stay Pending here: this control plane has no scheduler or kubelet, so the
Gateway reports Ready=False with 0/2 pods ready. On a real cluster (see README, "Install on a
cluster") the pods start and the Gateway turns Ready.
NOTE
step "Cleaning up (operator, Kubernetes control plane; PostgreSQL keeps running for the tests: e2e/scripts/postgres.sh stop)"
