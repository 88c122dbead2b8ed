-- Client tokens the operator mints for injected workloads (one per pod, see the operator's
-- WorkloadTokenReconciler): "workload" names the pod (namespace/name) for the admin's eyes and
-- marks the token as the operator's to revoke when the pod goes.
ALTER TABLE tokens ADD COLUMN workload text;
CREATE INDEX tokens_workload_idx ON tokens (account_id) WHERE workload IS NOT NULL AND deleted_at IS NULL;

-- One live service account per workload identity name (k8s:<namespace>/<identity>), so that
-- operator replicas and the admin API meet on one actor whatever order they come in.
CREATE UNIQUE INDEX actors_workload_identity_idx ON actors (account_id, name)
  WHERE type = 'service_account' AND deleted_at IS NULL AND name LIKE 'k8s:%';
