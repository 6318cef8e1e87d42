-- Users' own editor snippets (issue 9): kept per user; `shared` ones are offered to everyone.
-- Labels are unique per owner and language, so a picker never shows one user's twins.

CREATE TABLE snippets (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    label       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    shared      INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (owner_id, language, label)
) STRICT;

CREATE INDEX snippets_shared ON snippets (shared) WHERE shared = 1;
