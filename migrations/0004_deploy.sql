-- Deploy targets, deployments, runs and the audit log (issue 7).
-- Times are unix milliseconds, as for builds.

-- Where packages deploy to. `local` is the embedded runtime and always exists.
CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('local', 'appbuilder', 'threatconnect')),
    url         TEXT,                                  -- remote kinds
    access_id   TEXT,                                  -- threatconnect
    secret      BLOB,                                  -- API token or secret key, encrypted; never returned
    protected   INTEGER NOT NULL DEFAULT 0 CHECK (protected IN (0, 1)),
    created_at  INTEGER NOT NULL
) STRICT;
INSERT INTO targets (name, kind, created_at) VALUES ('local', 'local', 0);

-- Every deployment of a build to a target, in order; the newest succeeded one per app and
-- target is what runs there.
CREATE TABLE deployments (
    id              INTEGER PRIMARY KEY,
    app_id          INTEGER NOT NULL REFERENCES apps (id),
    build_id        INTEGER NOT NULL REFERENCES builds (id),
    target_id       INTEGER NOT NULL REFERENCES targets (id),
    version         TEXT    NOT NULL,                  -- programVersion of the package
    revision        TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    reason          TEXT,                              -- why it failed
    override_reason TEXT,                              -- the admin's reason to deploy a breaking change
    breaking        TEXT    NOT NULL DEFAULT '[]',     -- JSON list of the breaking contract changes
    rollback_of     INTEGER REFERENCES deployments (id),
    requested_by    INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
) STRICT;
CREATE INDEX deployments_by_app ON deployments (app_id, id);
CREATE INDEX deployments_by_target ON deployments (target_id, app_id, status, id);

-- Runs of deployed apps (and test runs of builds).
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    app_id        INTEGER NOT NULL REFERENCES apps (id),
    build_id      INTEGER NOT NULL REFERENCES builds (id),
    deployment_id INTEGER REFERENCES deployments (id),
    version       TEXT    NOT NULL,
    revision      TEXT    NOT NULL,
    trigger       TEXT    NOT NULL CHECK (trigger IN ('manual', 'rerun', 'webhook', 'test')),
    status        TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    inputs        TEXT    NOT NULL,                    -- JSON object, secret values masked
    secrets       BLOB,                                -- the secret values, encrypted (for re-runs)
    outputs       TEXT    NOT NULL DEFAULT '[]',       -- JSON [{"variable","name","type","value"}]
    exit_message  TEXT,
    exit_code     INTEGER,
    reason        TEXT,                                -- why it failed, when not the app's own exit
    log           TEXT    NOT NULL DEFAULT '',
    python        TEXT,
    duration_ms   INTEGER,
    requested_by  INTEGER REFERENCES users (id),       -- NULL for webhook deliveries
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
) STRICT;
CREATE INDEX runs_by_app ON runs (app_id, id);

-- Who changed what, when: every state change (saves, builds, deploys, targets, users, webhooks).
CREATE TABLE audit_events (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,                          -- a user name, or "system"
    action  TEXT    NOT NULL,                          -- e.g. deploy, rollback, build.queue
    subject TEXT    NOT NULL,                          -- what it acted on: an app slug, a target name
    detail  TEXT    NOT NULL DEFAULT '{}'              -- JSON
) STRICT;
CREATE INDEX audit_by_time ON audit_events (at);
