-- Webhooks (issue 7): an admin enables one for an app deployed on a target and gets a URL
-- /hooks/<token>. Deliveries are stored before the caller gets its 202, then dispatched, in
-- order, to runs as slots free up. Times are unix milliseconds.

CREATE TABLE webhooks (
    id               INTEGER PRIMARY KEY,
    app_id           INTEGER NOT NULL REFERENCES apps (id),
    target_id        INTEGER NOT NULL REFERENCES targets (id),
    token_hash       TEXT    NOT NULL UNIQUE,          -- sha256 of the URL's token (the token is shown once)
    signature_header TEXT,                             -- header carrying t=<unix>,v1=<hex HMAC-SHA256>
    secret           BLOB,                             -- the HMAC secret, sealed
    inputs           TEXT    NOT NULL DEFAULT '{}',    -- the app's inputs for every delivery, secrets masked
    secret_inputs    BLOB,                             -- those secrets, sealed
    rate_per_minute  INTEGER NOT NULL,
    max_body_bytes   INTEGER NOT NULL,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    disabled_at      INTEGER                           -- set by DELETE; a disabled hook answers 404
) STRICT;
CREATE INDEX webhooks_by_app ON webhooks (app_id, id);

CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks (id),
    received_at INTEGER NOT NULL,
    method      TEXT    NOT NULL,
    headers     TEXT    NOT NULL,                      -- JSON object, lower-case names
    query       TEXT    NOT NULL,                      -- JSON object
    body        BLOB    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('received', 'dispatched', 'failed')),
    run_id      INTEGER REFERENCES runs (id),
    reason      TEXT
) STRICT;
CREATE INDEX deliveries_pending ON deliveries (status, id);
CREATE INDEX deliveries_by_hook ON deliveries (webhook_id, id);
