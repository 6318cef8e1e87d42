-- Builds (issue 6). A build turns one revision of an app into a .tcx package; the worker pool
-- takes queued builds in id order. Times are unix milliseconds (steps take milliseconds).
-- The package itself is a file: data/artifacts/<package_sha256>.tcx (content-addressed).

CREATE TABLE builds (
    id                INTEGER PRIMARY KEY,
    app_id            INTEGER NOT NULL REFERENCES apps (id),
    revision          TEXT    NOT NULL,                -- full commit id built
    status            TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    requested_by      INTEGER NOT NULL REFERENCES users (id),
    queued_at         INTEGER NOT NULL,
    started_at        INTEGER,                         -- when a worker last took it
    finished_at       INTEGER,
    attempts          INTEGER NOT NULL DEFAULT 0,      -- times a worker took it (>1 after a restart)
    cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    reason            TEXT,                            -- why it failed or was cancelled
    python            TEXT,                            -- the interpreter the checks used
    package_file_name TEXT,
    package_sha256    TEXT,
    package_size      INTEGER
) STRICT;
CREATE INDEX builds_by_app ON builds (app_id, id);
CREATE INDEX builds_by_status ON builds (status, id);

-- The steps of a build's latest attempt, in order.
CREATE TABLE build_steps (
    build_id    INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,                      -- validate, python, dependencies, package, artifact
    status      TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    summary     TEXT,
    PRIMARY KEY (build_id, position)
) STRICT;

-- Every line a build logged, in order (all attempts: a restart is written into the log).
CREATE TABLE build_log (
    build_id INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    step     TEXT    NOT NULL,
    line     TEXT    NOT NULL,
    PRIMARY KEY (build_id, seq)
) STRICT, WITHOUT ROWID;
