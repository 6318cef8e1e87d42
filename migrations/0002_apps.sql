-- Apps (issue 3). The files and their history live in git (data/repos/<repo_key>.git); this
-- table holds what lists and searches need without opening every repository.

CREATE TABLE apps (
    id            INTEGER PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,          -- URL name (domain::AppSlug)
    repo_key      TEXT    NOT NULL UNIQUE,          -- folder name of the bare repository; never changes
    display_name  TEXT    NOT NULL,                 -- from install.json displayName, refreshed on save
    runtime_level TEXT    NOT NULL,                 -- from install.json runtimeLevel, refreshed on save
    template      TEXT,                             -- the template it started from, if any
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    size_bytes    INTEGER NOT NULL DEFAULT 0,       -- total size of the files at the head
    archived_at   INTEGER                           -- set by DELETE; archived apps are hidden, not destroyed
) STRICT;
CREATE INDEX apps_by_update ON apps (updated_at);
