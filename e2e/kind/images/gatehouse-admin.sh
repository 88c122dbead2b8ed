#!/bin/sh
# /usr/local/bin/gatehouse-admin in the operator image (operator.Dockerfile): the API node's admin
# CLI (dev.gatehouse.apinode.admin.AdminCli, whose jar the operator carries in lib/). Meant for
# `kubectl exec` in an operator pod, where GATEHOUSE_ADMIN_TOKEN comes from the chart's Secret and
# the API node listens on GATEHOUSE_API_PORT; no token ever goes on a command line:
#   kubectl exec -n gatehouse deploy/gatehouse-operator -- gatehouse-admin actor create --name alice
# A small heap and no perf data: it shares the container's memory limit with the operator.
GATEHOUSE_API_URL="${GATEHOUSE_API_URL:-http://127.0.0.1:${GATEHOUSE_API_PORT:-8443}}"
export GATEHOUSE_API_URL
exec java -Xmx64m -XX:TieredStopAtLevel=1 -XX:-UsePerfData -cp '/app/lib/*' \
  dev.gatehouse.apinode.admin.AdminCli "$@"
