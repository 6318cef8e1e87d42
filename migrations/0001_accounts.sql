-- Accounts: users, browser sessions, API tokens, and sign-in throttling (issue 2).
-- Times are Unix seconds, UTC. Secrets are never stored in clear: sessions and tokens by the
-- SHA-256 of the secret handed to the client, passwords as argon2id PHC strings.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,          -- canonical lower-case form (domain::Username)
    password_hash TEXT    NOT NULL,                 -- argon2id, PHC string format
    role          TEXT    NOT NULL CHECK (role IN ('reviewer', 'developer', 'admin')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- One row per signed-in browser; a restart keeps users signed in.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash BLOB    NOT NULL UNIQUE,            -- SHA-256 of the cookie value
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Bearer tokens for scripts and CI; shown once at creation.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    secret_hash  BLOB    NOT NULL UNIQUE,           -- SHA-256 of the token
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Recent failed sign-ins per throttle key: 'account:<username>' or 'address:<ip>'.
-- Kept in the database so that a restart does not reset an attacker's back-off.
CREATE TABLE sign_in_failures (
    key             TEXT    PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
) STRICT;
