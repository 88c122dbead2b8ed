{{/* Full name of the release's objects, at most 63 characters. */}}
{{- define "gatehouse.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.operatorName" -}}
{{- printf "%s-operator" (include "gatehouse.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gatehouse.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: gatehouse
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "gatehouse.operatorSelector" -}}
app.kubernetes.io/name: gatehouse-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of the operator's objects: common labels plus its name and component. */}}
{{- define "gatehouse.operatorLabels" -}}
{{ include "gatehouse.labels" . }}
app.kubernetes.io/name: gatehouse-operator
app.kubernetes.io/component: operator
{{- end -}}

{{- define "gatehouse.postgresqlLabels" -}}
{{ include "gatehouse.labels" . }}
app.kubernetes.io/name: gatehouse-postgresql
app.kubernetes.io/component: database
{{- end -}}

{{/* Secret and key holding the bundled PostgreSQL's password. */}}
{{- define "gatehouse.postgresqlSecret" -}}
{{- default (include "gatehouse.postgresqlName" .) .Values.postgresql.bundled.existingSecret -}}
{{- end -}}

{{- define "gatehouse.postgresqlName" -}}
{{- printf "%s-postgresql" (include "gatehouse.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gatehouse.postgresqlSelector" -}}
app.kubernetes.io/name: gatehouse-postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gatehouse.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
What the operator needs to reconcile Gateways, Resources and Policies: read and patch them (server-
side apply, finalizers, status), resolve serviceRefs (read Services) and record Events; create the
Resource of a Service labelled gatehouse.dev/expose=true and delete it when the label goes.
*/}}
{{- define "gatehouse.reconcileRules" -}}
- apiGroups: [gatehouse.dev]
  resources: [gateways, resources, policies]
  verbs: [get, list, watch, patch]
- apiGroups: [gatehouse.dev]
  resources: [resources]
  verbs: [create, delete]
- apiGroups: [gatehouse.dev]
  resources: [gateways/status, resources/status, policies/status]
  verbs: [patch]
- apiGroups: [gatehouse.dev]
  resources: [gateways/finalizers, resources/finalizers, policies/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [services]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/*
What the operator creates for each Gateway. Server-side apply is a patch, and a create when the
object is new. Only PodDisruptionBudgets are deleted by the operator itself (when a Gateway scales
down to one replica); everything else goes by ownerReference garbage collection.
*/}}
{{- define "gatehouse.workloadsRules" -}}
- apiGroups: [""]
  resources: [serviceaccounts, services]
  verbs: [get, list, watch, create, patch]
# A gateway's Service addresses are written for its pods to read, never read back.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [create, patch]
# Gateway and workload token Secrets are written, never read: no get, list or watch on any Secret.
- apiGroups: [""]
  resources: [secrets]
  verbs: [create]
{{- if .Values.sidecarInjection.enabled }}
# Injected pods (label gatehouse.dev/workload-token=true): their tokens are minted and revoked.
# Only with sidecar injection on; otherwise the operator cannot see pods at all.
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
{{- end }}
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, patch, delete]
{{- end -}}

{{/* The Secret holding the API node's flow key (and admin token). */}}
{{- define "gatehouse.apiNodeSecret" -}}
{{- default (printf "%s-api-node" (include "gatehouse.fullname" .)) .Values.apiNode.existingSecret -}}
{{- end }}

{{/* Whether the operator has a control-plane database (and so serves the API node). */}}
{{- define "gatehouse.controlPlane" -}}
{{- if or .Values.postgresql.bundled.enabled .Values.database.url }}true{{ end -}}
{{- end }}

{{/* Whether the API node serves TLS: a control plane and a TLS Secret. */}}
{{- define "gatehouse.apiNodeTls" -}}
{{- if and (include "gatehouse.controlPlane" .) .Values.apiNode.tls.existingSecret }}true{{ end -}}
{{- end }}

{{/* The Secret holding the secret the relays share with the API node (key "secret"). */}}
{{- define "gatehouse.relaySecret" -}}
{{- default (printf "%s-relay" (include "gatehouse.fullname" .)) .Values.relay.existingSecret -}}
{{- end }}
