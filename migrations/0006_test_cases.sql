-- Saved test cases (issue 7): inputs and the outputs they must produce, per app. A target with
-- require_tests only takes builds that pass every test case of their app.

CREATE TABLE test_cases (
    id            INTEGER PRIMARY KEY,
    app_id        INTEGER NOT NULL REFERENCES apps (id),
    name          TEXT    NOT NULL,
    inputs        TEXT    NOT NULL,                    -- JSON object, secret values masked
    secret_inputs BLOB,                                -- those secrets, sealed
    expected      TEXT    NOT NULL,                    -- JSON object: output name -> value
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    UNIQUE (app_id, name)
) STRICT;

ALTER TABLE targets ADD COLUMN require_tests INTEGER NOT NULL DEFAULT 0 CHECK (require_tests IN (0, 1));
