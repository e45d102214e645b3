/** One schema change; `sql` is portable between SQLite and PostgreSQL unless `postgres` overrides it. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  postgres?: string;
}

/** Times are BIGINT ms since the epoch; JSON columns are TEXT, so both databases share the statements. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, keys, scans, apps, versions, findings',
    sql: `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT,
  hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE scans (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  filename TEXT NOT NULL,
  upload_path TEXT,
  entries_total INTEGER,
  entries_done INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  runner TEXT,
  lease_until BIGINT,
  error TEXT,
  summary TEXT,
  rating TEXT,
  app_id TEXT,
  version_id TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX scans_queue ON scans (status, created_at);
CREATE INDEX scans_tenant_sha ON scans (tenant_id, sha256);
CREATE INDEX scans_tenant_created ON scans (tenant_id, created_at);
CREATE TABLE reports (
  scan_id TEXT PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  package_id TEXT NOT NULL,
  name TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, platform, package_id)
);
CREATE TABLE versions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version_key TEXT NOT NULL,
  version_name TEXT,
  version_code TEXT,
  signer TEXT,
  scan_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  findings INTEGER NOT NULL,
  rating TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (app_id, version_key)
);
CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  scan_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  confidence TEXT NOT NULL,
  redacted TEXT NOT NULL,
  locations TEXT NOT NULL,
  secret_enc TEXT
);
CREATE INDEX findings_version ON findings (version_id);
CREATE INDEX findings_app_fingerprint ON findings (app_id, fingerprint);
CREATE INDEX findings_scan ON findings (scan_id);
`,
  },
  {
    version: 2,
    name: 'marketplace watches, seen versions, webhook deliveries (src/market)',
    sql: `
CREATE TABLE watches (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  source TEXT NOT NULL,
  host TEXT NOT NULL,
  interval_s INTEGER NOT NULL,
  next_check_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  state TEXT,
  errors INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_checked_at BIGINT,
  notify TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX watches_due ON watches (next_check_at);
CREATE TABLE watch_versions (
  id TEXT PRIMARY KEY,
  watch_id TEXT NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  version_key TEXT NOT NULL,
  status TEXT NOT NULL,
  scan_id TEXT,
  version_name TEXT,
  version_code TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (watch_id, version_key)
);
CREATE INDEX watch_versions_status ON watch_versions (status);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  watch_id TEXT NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  watch_version_id TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  UNIQUE (watch_version_id, target)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
`,
  },
  {
    version: 3,
    name: 'indexes for claims that take turns between tenants',
    sql: `
CREATE INDEX scans_tenant_status ON scans (tenant_id, status);
CREATE INDEX scans_tenant_started ON scans (tenant_id, started_at);
`,
  },
  {
    version: 4,
    name: 'opt-in key verification: per-scan flag, tenant settings, results per finding, cache, status changes (src/verify)',
    sql: `
ALTER TABLE scans ADD COLUMN verify INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN settings TEXT;
ALTER TABLE findings ADD COLUMN verification TEXT;
CREATE TABLE verification_cache (
  key TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX verification_cache_expiry ON verification_cache (expires_at);
CREATE TABLE verification_events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  redacted TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX verification_events_app ON verification_events (tenant_id, app_id, created_at);
`,
  },
  {
    version: 5,
    name: 'organizations and their discovered apps, known-compromised feeds, keyed value MACs on findings; webhook deliveries for organizations',
    sql: `
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  identifiers TEXT NOT NULL,
  policy TEXT NOT NULL,
  notify TEXT NOT NULL,
  interval_s INTEGER NOT NULL,
  watch_interval_s INTEGER NOT NULL,
  next_check_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  state TEXT,
  errors INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_checked_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE INDEX organizations_due ON organizations (next_check_at);
CREATE TABLE org_apps (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  app_key TEXT NOT NULL,
  source TEXT NOT NULL,
  platform TEXT NOT NULL,
  package_id TEXT,
  name TEXT,
  url TEXT NOT NULL,
  status TEXT NOT NULL,
  watch_id TEXT,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  gone_at BIGINT,
  UNIQUE (org_id, app_key)
);
CREATE TABLE org_events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX org_events_org ON org_events (org_id, created_at);
CREATE TABLE org_ratings (
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  grade TEXT NOT NULL,
  counts TEXT NOT NULL,
  PRIMARY KEY (org_id, at)
);
CREATE TABLE feeds (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  url TEXT,
  interval_s INTEGER,
  next_fetch_at BIGINT,
  etag TEXT,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT,
  last_fetched_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE TABLE feed_entries (
  feed_id TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  value_mac TEXT NOT NULL,
  source TEXT,
  seen_on TEXT,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (feed_id, value_mac)
);
CREATE INDEX feed_entries_mac ON feed_entries (tenant_id, value_mac);
ALTER TABLE findings ADD COLUMN value_mac TEXT;
ALTER TABLE findings ADD COLUMN compromised TEXT;
CREATE INDEX findings_value_mac ON findings (tenant_id, value_mac);
-- SQLite cannot drop NOT NULL: the deliveries table is rebuilt with watch_id optional and org_id beside it.
CREATE TABLE webhook_deliveries_v5 (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  watch_id TEXT REFERENCES watches(id) ON DELETE CASCADE,
  org_id TEXT REFERENCES organizations(id) ON DELETE CASCADE,
  watch_version_id TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  UNIQUE (watch_version_id, target)
);
INSERT INTO webhook_deliveries_v5 (id, tenant_id, watch_id, watch_version_id, target, status, attempts, next_attempt_at, last_status, last_error, payload, created_at, delivered_at)
  SELECT id, tenant_id, watch_id, watch_version_id, target, status, attempts, next_attempt_at, last_status, last_error, payload, created_at, delivered_at FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_v5 RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
`,
    postgres: `
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  identifiers TEXT NOT NULL,
  policy TEXT NOT NULL,
  notify TEXT NOT NULL,
  interval_s INTEGER NOT NULL,
  watch_interval_s INTEGER NOT NULL,
  next_check_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  state TEXT,
  errors INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_checked_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE INDEX organizations_due ON organizations (next_check_at);
CREATE TABLE org_apps (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  app_key TEXT NOT NULL,
  source TEXT NOT NULL,
  platform TEXT NOT NULL,
  package_id TEXT,
  name TEXT,
  url TEXT NOT NULL,
  status TEXT NOT NULL,
  watch_id TEXT,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  gone_at BIGINT,
  UNIQUE (org_id, app_key)
);
CREATE TABLE org_events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX org_events_org ON org_events (org_id, created_at);
CREATE TABLE org_ratings (
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  grade TEXT NOT NULL,
  counts TEXT NOT NULL,
  PRIMARY KEY (org_id, at)
);
CREATE TABLE feeds (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  url TEXT,
  interval_s INTEGER,
  next_fetch_at BIGINT,
  etag TEXT,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT,
  last_fetched_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE TABLE feed_entries (
  feed_id TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  value_mac TEXT NOT NULL,
  source TEXT,
  seen_on TEXT,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (feed_id, value_mac)
);
CREATE INDEX feed_entries_mac ON feed_entries (tenant_id, value_mac);
ALTER TABLE findings ADD COLUMN value_mac TEXT;
ALTER TABLE findings ADD COLUMN compromised TEXT;
CREATE INDEX findings_value_mac ON findings (tenant_id, value_mac);
ALTER TABLE webhook_deliveries ALTER COLUMN watch_id DROP NOT NULL;
ALTER TABLE webhook_deliveries ADD COLUMN org_id TEXT REFERENCES organizations(id) ON DELETE CASCADE;
`,
  },
  {
    version: 6,
    name: 'dashboard sessions (src/web), paused watches, indexes for the dashboard lists',
    sql: `
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  reveal INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
ALTER TABLE watches ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
CREATE INDEX versions_app_created ON versions (app_id, created_at);
CREATE INDEX apps_tenant_updated ON apps (tenant_id, updated_at);
-- Tenant-scoped reads of findings name the tenant first: without statistics SQLite otherwise takes findings_value_mac
-- (tenant_id, value_mac) for 'tenant_id = ? AND version_id/app_id/scan_id = ?' and reads every finding of the tenant.
CREATE INDEX findings_tenant_version ON findings (tenant_id, version_id, severity);
CREATE INDEX findings_tenant_app ON findings (tenant_id, app_id);
CREATE INDEX findings_tenant_scan ON findings (tenant_id, scan_id);
CREATE INDEX scans_app ON scans (app_id, finished_at);
CREATE INDEX watch_versions_watch_created ON watch_versions (watch_id, created_at);
`,
  },
];
