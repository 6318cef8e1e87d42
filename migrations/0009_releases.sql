-- Releases and reviews (issue 8). A release is the tag v<version> on a revision plus its build;
-- versions only go up per app. A review belongs to a release; its comments may point at a line of
-- a file or at a manifest field. Notifications are per user.

CREATE TABLE releases (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps (id),
    major       INTEGER NOT NULL CHECK (major >= 0),
    minor       INTEGER NOT NULL CHECK (minor >= 0),
    patch       INTEGER NOT NULL CHECK (patch >= 0),
    revision    TEXT    NOT NULL,
    build_id    INTEGER NOT NULL REFERENCES builds (id),
    notes       TEXT    NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    UNIQUE (app_id, major, minor, patch)
) STRICT;
CREATE INDEX releases_by_build ON releases (build_id);

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases (id),
    state        TEXT    NOT NULL CHECK (state IN ('open', 'approved', 'changes_requested')),
    requested_by INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    decided_by   INTEGER REFERENCES users (id),
    decided_at   INTEGER
) STRICT;
CREATE INDEX reviews_by_release ON reviews (release_id, id);
CREATE INDEX reviews_by_state ON reviews (state, id);
-- At most one open review per release.
CREATE UNIQUE INDEX one_open_review ON reviews (release_id) WHERE state = 'open';

CREATE TABLE review_comments (
    id         INTEGER PRIMARY KEY,
    review_id  INTEGER NOT NULL REFERENCES reviews (id),
    author     INTEGER NOT NULL REFERENCES users (id),
    body       TEXT    NOT NULL,
    path       TEXT,
    line       INTEGER CHECK (line > 0),
    pointer    TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX comments_by_review ON review_comments (review_id, id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    actor      INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;
CREATE INDEX notifications_by_user ON notifications (user_id, id);
