-- API node tables, in their own Flyway history (gatehouse_apinode_schema_history) so that the
-- control plane's own migration numbering is never affected. None of these tables is published
-- for CDC: presence is read on demand, never streamed.

-- One row per running API node (operator replica); heartbeat_at is refreshed every few seconds.
-- A node whose heartbeat is older than the TTL counts as gone, and so do its presences.
CREATE TABLE api_nodes (
  id           text PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Which node holds the channel of a connected gateway, and what flow selection needs of it.
CREATE TABLE gateway_presences (
  gateway_id   uuid PRIMARY KEY REFERENCES gateways (id),
  node_id      text NOT NULL REFERENCES api_nodes (id) ON DELETE CASCADE,
  account_id   uuid NOT NULL REFERENCES accounts (id),
  site_id      uuid NOT NULL REFERENCES sites (id),
  endpoint     text,
  connected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gateway_presences_site_idx ON gateway_presences (site_id);
CREATE INDEX gateway_presences_node_idx ON gateway_presences (node_id);

-- Which node holds the channel of a connected client (for answers and candidates across nodes).
CREATE TABLE client_presences (
  client_id    uuid PRIMARY KEY REFERENCES clients (id),
  node_id      text NOT NULL REFERENCES api_nodes (id) ON DELETE CASCADE,
  connected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_presences_node_idx ON client_presences (node_id);

-- Stable tunnel addresses: the n-th client or gateway gets 100.64.0.0 + n and fd00:2021:1111:: + n
-- (Firezone's ranges 100.64.0.0/11 and fd00:2021:1111::/107, 2^21 addresses).
CREATE SEQUENCE tunnel_address_seq MINVALUE 2 MAXVALUE 2097150 START 2;
CREATE TABLE tunnel_addresses (
  owner_id uuid PRIMARY KEY,
  n        integer NOT NULL UNIQUE
);

-- Tokens are looked up by the SHA-256 of the presented secret (then compared in constant time).
CREATE INDEX tokens_secret_hash_idx ON tokens (secret_hash);
