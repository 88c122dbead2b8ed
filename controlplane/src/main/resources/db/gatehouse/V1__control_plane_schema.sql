-- Gatehouse control-plane schema (PostgreSQL 15+).
-- Soft deletes: a row whose deleted_at is set is gone for every reader and for CDC consumers
-- (the CDC classifier turns "deleted_at set" into a delete). For policies, setting disabled_at
-- is a delete and clearing it an insert; for accounts, disabling is a delete.
-- Every table has REPLICA IDENTITY FULL so that logical replication carries old values for
-- updates and deletes (caches need e.g. the old resource_id of a policy).

CREATE TABLE accounts (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  slug        text NOT NULL UNIQUE,
  disabled_at timestamptz,
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE actors (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  name        text NOT NULL,
  type        text NOT NULL CHECK (type IN ('account_user', 'account_admin_user', 'service_account')),
  disabled_at timestamptz,
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE groups (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  name        text NOT NULL,
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now()
);

-- Memberships are hard-deleted (a join row has no history worth keeping).
CREATE TABLE memberships (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  actor_id    uuid NOT NULL REFERENCES actors (id),
  group_id    uuid NOT NULL REFERENCES groups (id),
  UNIQUE (actor_id, group_id)
);
CREATE INDEX memberships_group_idx ON memberships (group_id);

CREATE TABLE clients (
  id                  uuid PRIMARY KEY,
  account_id          uuid NOT NULL REFERENCES accounts (id),
  actor_id            uuid NOT NULL REFERENCES actors (id),
  external_id         text NOT NULL,
  name                text NOT NULL,
  public_key          text NOT NULL,
  last_seen_version   text,
  last_seen_remote_ip inet,
  last_seen_at        timestamptz,
  verified_at         timestamptz,
  deleted_at          timestamptz,
  inserted_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (actor_id, external_id)
);

-- Only a hash of a token's secret is stored (SHA-256 of the secret); the plain secret exists
-- only in the hands of its holder (a client, or a gateway's Kubernetes Secret).
CREATE TABLE tokens (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  type        text NOT NULL CHECK (type IN ('client', 'site')),
  actor_id    uuid REFERENCES actors (id),
  site_id     uuid,
  secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
  expires_at  timestamptz,
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  name        text NOT NULL,
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);
ALTER TABLE tokens ADD FOREIGN KEY (site_id) REFERENCES sites (id);

CREATE TABLE gateways (
  id                uuid PRIMARY KEY,
  account_id        uuid NOT NULL REFERENCES accounts (id),
  site_id           uuid NOT NULL REFERENCES sites (id),
  external_id       text NOT NULL,
  name              text NOT NULL,
  public_key        text NOT NULL,
  last_seen_version text,
  last_seen_at      timestamptz,
  deleted_at        timestamptz,
  inserted_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, external_id)
);

-- filters: a JSON array of {"protocol":"tcp|udp|icmp","ports":["443","1000-2000"]}; [] = all.
CREATE TABLE resources (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  name        text NOT NULL,
  type        text NOT NULL CHECK (type IN ('ip', 'cidr', 'dns', 'internet')),
  address     text,
  ip_stack    text NOT NULL DEFAULT 'dual' CHECK (ip_stack IN ('dual', 'ipv4_only', 'ipv6_only')),
  filters     jsonb NOT NULL DEFAULT '[]',
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now(),
  CHECK (type = 'internet' OR address IS NOT NULL)
);

-- The join between resources and the sites that serve them (hard-deleted).
CREATE TABLE resource_connections (
  resource_id uuid NOT NULL REFERENCES resources (id),
  site_id     uuid NOT NULL REFERENCES sites (id),
  account_id  uuid NOT NULL REFERENCES accounts (id),
  PRIMARY KEY (resource_id, site_id)
);
CREATE INDEX resource_connections_site_idx ON resource_connections (site_id);

-- conditions: a JSON array of {"property","operator","values"[,"timezone"]} (see Conditions).
CREATE TABLE policies (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  group_id    uuid NOT NULL REFERENCES groups (id),
  resource_id uuid NOT NULL REFERENCES resources (id),
  description text,
  conditions  jsonb NOT NULL DEFAULT '[]',
  expires_at  timestamptz,
  disabled_at timestamptz,
  deleted_at  timestamptz,
  inserted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policies_group_idx ON policies (group_id) WHERE deleted_at IS NULL;
CREATE INDEX policies_resource_idx ON policies (resource_id) WHERE deleted_at IS NULL;

-- An authorized client -> resource pairing through one gateway, until expires_at.
CREATE TABLE flows (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  client_id   uuid NOT NULL REFERENCES clients (id),
  gateway_id  uuid NOT NULL REFERENCES gateways (id),
  resource_id uuid NOT NULL REFERENCES resources (id),
  policy_id   uuid NOT NULL REFERENCES policies (id),
  token_id    uuid REFERENCES tokens (id),
  expires_at  timestamptz NOT NULL,
  inserted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flows_gateway_idx ON flows (gateway_id, expires_at);
CREATE INDEX flows_policy_idx ON flows (policy_id);
CREATE INDEX flows_resource_idx ON flows (resource_id);
CREATE INDEX flows_client_idx ON flows (client_id);

ALTER TABLE accounts REPLICA IDENTITY FULL;
ALTER TABLE actors REPLICA IDENTITY FULL;
ALTER TABLE groups REPLICA IDENTITY FULL;
ALTER TABLE memberships REPLICA IDENTITY FULL;
ALTER TABLE clients REPLICA IDENTITY FULL;
ALTER TABLE tokens REPLICA IDENTITY FULL;
ALTER TABLE sites REPLICA IDENTITY FULL;
ALTER TABLE gateways REPLICA IDENTITY FULL;
ALTER TABLE resources REPLICA IDENTITY FULL;
ALTER TABLE resource_connections REPLICA IDENTITY FULL;
ALTER TABLE policies REPLICA IDENTITY FULL;
ALTER TABLE flows REPLICA IDENTITY FULL;

-- Access that is revoked must drop its flows, so that gateways receive flow deletes through
-- CDC (Firezone's Flows.delete_flows_for, done here in the database so that every writer,
-- including the operator's sync, gets it).
CREATE FUNCTION gatehouse_revoke_flows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'policies' THEN
    IF TG_OP = 'DELETE' THEN
      DELETE FROM flows WHERE policy_id = OLD.id;
    ELSIF (NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL)
       OR (NEW.disabled_at IS NOT NULL AND OLD.disabled_at IS NULL)
       OR NEW.conditions IS DISTINCT FROM OLD.conditions
       OR NEW.group_id <> OLD.group_id OR NEW.resource_id <> OLD.resource_id
       OR NEW.expires_at IS DISTINCT FROM OLD.expires_at THEN
      DELETE FROM flows WHERE policy_id = OLD.id;
    END IF;
  ELSIF TG_TABLE_NAME = 'resources' THEN
    IF (NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL)
       OR NEW.address IS DISTINCT FROM OLD.address OR NEW.type <> OLD.type
       OR NEW.ip_stack <> OLD.ip_stack THEN
      DELETE FROM flows WHERE resource_id = OLD.id;
    END IF;
  ELSIF TG_TABLE_NAME = 'memberships' THEN
    DELETE FROM flows f USING clients c, policies p
     WHERE f.client_id = c.id AND c.actor_id = OLD.actor_id
       AND f.policy_id = p.id AND p.group_id = OLD.group_id;
  ELSIF TG_TABLE_NAME = 'resource_connections' THEN
    DELETE FROM flows f USING gateways g
     WHERE f.gateway_id = g.id AND g.site_id = OLD.site_id AND f.resource_id = OLD.resource_id;
  ELSIF TG_TABLE_NAME = 'clients' THEN
    IF (NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL)
       OR (NEW.verified_at IS NULL AND OLD.verified_at IS NOT NULL) THEN
      DELETE FROM flows WHERE client_id = OLD.id;
    END IF;
  ELSIF TG_TABLE_NAME = 'gateways' THEN
    IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
      DELETE FROM flows WHERE gateway_id = OLD.id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER policies_revoke_flows AFTER UPDATE OR DELETE ON policies
  FOR EACH ROW EXECUTE FUNCTION gatehouse_revoke_flows();
CREATE TRIGGER resources_revoke_flows AFTER UPDATE ON resources
  FOR EACH ROW EXECUTE FUNCTION gatehouse_revoke_flows();
CREATE TRIGGER memberships_revoke_flows AFTER DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION gatehouse_revoke_flows();
CREATE TRIGGER resource_connections_revoke_flows AFTER DELETE ON resource_connections
  FOR EACH ROW EXECUTE FUNCTION gatehouse_revoke_flows();
CREATE TRIGGER clients_revoke_flows AFTER UPDATE ON clients
  FOR EACH ROW EXECUTE FUNCTION gatehouse_revoke_flows();
CREATE TRIGGER gateways_revoke_flows AFTER UPDATE ON gateways
  FOR EACH ROW EXECUTE FUNCTION gatehouse_revoke_flows();
