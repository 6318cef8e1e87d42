//! Releases, reviews, their comments and notifications (`migrations/0009_releases.sql`).

use crate::SqliteStore;
use crate::sqlite::{backend, corrupt, now_ms, optional_time, time_ms};
use async_trait::async_trait;
use domain::Role;
use domain::ports::{ReleaseStore, StoreError};
use domain::release::{
    NewComment, NewNotification, NewRelease, Notification, Release, Review, ReviewComment, ReviewState,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// A release with its app, author and newest review.
const RELEASE_SELECT: &str =
    "SELECT r.id, r.app_id, a.slug, r.major, r.minor, r.patch, r.revision, r.build_id, r.notes,
        r.created_by, u.username AS author, r.created_at, v.id AS review_id, v.state AS review_state
     FROM releases r JOIN apps a ON a.id = r.app_id JOIN users u ON u.id = r.created_by
     LEFT JOIN reviews v ON v.id = (SELECT max(id) FROM reviews WHERE release_id = r.id)";

fn release(row: &SqliteRow) -> Result<Release, StoreError> {
    let number = |column: &str| -> Result<i64, StoreError> { row.try_get(column).map_err(backend) };
    let version = format!("{}.{}.{}", number("major")?, number("minor")?, number("patch")?);
    let review_state: Option<String> = row.try_get("review_state").map_err(backend)?;
    Ok(Release {
        id: row.try_get("id").map_err(backend)?,
        app_id: row.try_get("app_id").map_err(backend)?,
        app: row.try_get("slug").map_err(backend)?,
        tag: format!("v{version}"),
        version,
        revision: row.try_get("revision").map_err(backend)?,
        build: row.try_get("build_id").map_err(backend)?,
        notes: row.try_get("notes").map_err(backend)?,
        author: row.try_get("author").map_err(backend)?,
        author_id: row.try_get("created_by").map_err(backend)?,
        created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
        review: row.try_get("review_id").map_err(backend)?,
        review_state: review_state
            .map(|s| ReviewState::parse(&s).ok_or_else(|| corrupt("review state")))
            .transpose()?,
    })
}

/// A review's own columns; the release is read separately.
const REVIEW_SELECT: &str =
    "SELECT v.id, v.release_id, v.state, q.username AS requested_by, v.requested_by AS requested_by_id, v.created_at,
        d.username AS decided_by, v.decided_at
     FROM reviews v JOIN users q ON q.id = v.requested_by LEFT JOIN users d ON d.id = v.decided_by";

fn comment(row: &SqliteRow) -> Result<ReviewComment, StoreError> {
    Ok(ReviewComment {
        id: row.try_get("id").map_err(backend)?,
        author: row.try_get("username").map_err(backend)?,
        body: row.try_get("body").map_err(backend)?,
        path: row.try_get("path").map_err(backend)?,
        line: row.try_get::<Option<i64>, _>("line").map_err(backend)?.and_then(|l| u32::try_from(l).ok()),
        pointer: row.try_get("pointer").map_err(backend)?,
        created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
    })
}

impl SqliteStore {
    async fn release_by_id(&self, id: i64) -> Result<Option<Release>, StoreError> {
        let row = sqlx::query(&format!("{RELEASE_SELECT} WHERE r.id = ?1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(release).transpose()
    }

    /// A review row made whole: its release, and its comments when asked for.
    async fn review_of(&self, row: &SqliteRow, with_comments: bool) -> Result<Review, StoreError> {
        let id: i64 = row.try_get("id").map_err(backend)?;
        let release_id: i64 = row.try_get("release_id").map_err(backend)?;
        let release = self.release_by_id(release_id).await?.ok_or_else(|| corrupt("review's release"))?;
        let state: String = row.try_get("state").map_err(backend)?;
        let comments = if with_comments {
            let rows = sqlx::query(
                "SELECT c.id, u.username, c.body, c.path, c.line, c.pointer, c.created_at
                 FROM review_comments c JOIN users u ON u.id = c.author WHERE c.review_id = ?1 ORDER BY c.id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
            rows.iter().map(comment).collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        Ok(Review {
            id,
            app: release.app.clone(),
            release,
            state: ReviewState::parse(&state).ok_or_else(|| corrupt("review state"))?,
            requested_by: row.try_get("requested_by").map_err(backend)?,
            requested_by_id: row.try_get("requested_by_id").map_err(backend)?,
            created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
            decided_by: row.try_get("decided_by").map_err(backend)?,
            decided_at: optional_time(row, "decided_at")?,
            comments,
        })
    }
}

#[async_trait]
impl ReleaseStore for SqliteStore {
    async fn create_release(&self, new: &NewRelease) -> Result<Release, StoreError> {
        let (major, minor, patch) = new.version;
        let as_int = |n: u64| i64::try_from(n).map_err(|_| StoreError::Conflict(format!("version {n} is too large")));
        let (major, minor, patch) = (as_int(major)?, as_int(minor)?, as_int(patch)?);
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO releases (app_id, major, minor, patch, revision, build_id, notes, created_by, created_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
             WHERE NOT EXISTS (SELECT 1 FROM releases WHERE app_id = ?1 AND (major, minor, patch) >= (?2, ?3, ?4))
             RETURNING id",
        )
        .bind(new.app_id)
        .bind(major)
        .bind(minor)
        .bind(patch)
        .bind(&new.revision)
        .bind(new.build_id)
        .bind(&new.notes)
        .bind(new.author_id)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match id {
            Some(id) => self.release_by_id(id).await?.ok_or(StoreError::NotFound),
            None => {
                let highest: Option<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT major, minor, patch FROM releases WHERE app_id = ?1
                     ORDER BY major DESC, minor DESC, patch DESC LIMIT 1",
                )
                .bind(new.app_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
                let highest = highest.map_or_else(String::new, |(a, b, c)| format!("{a}.{b}.{c}"));
                Err(StoreError::Conflict(highest))
            }
        }
    }

    async fn find_release(&self, app_id: i64, version: &str) -> Result<Option<Release>, StoreError> {
        let Some((major, minor, patch)) = domain::manifest::contract::semver(version) else {
            return Ok(None);
        };
        let row = sqlx::query(&format!(
            "{RELEASE_SELECT} WHERE r.app_id = ?1 AND r.major = ?2 AND r.minor = ?3 AND r.patch = ?4"
        ))
        .bind(app_id)
        .bind(i64::try_from(major).unwrap_or(i64::MAX))
        .bind(i64::try_from(minor).unwrap_or(i64::MAX))
        .bind(i64::try_from(patch).unwrap_or(i64::MAX))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(release).transpose()
    }

    async fn list_releases(&self, app_id: i64) -> Result<Vec<Release>, StoreError> {
        let rows = sqlx::query(&format!(
            "{RELEASE_SELECT} WHERE r.app_id = ?1 ORDER BY r.major DESC, r.minor DESC, r.patch DESC"
        ))
        .bind(app_id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(release).collect()
    }

    async fn approved_release_of_build(&self, build_id: i64) -> Result<Option<Release>, StoreError> {
        let rows = sqlx::query(&format!("{RELEASE_SELECT} WHERE r.build_id = ?1 ORDER BY r.id DESC"))
            .bind(build_id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        for row in &rows {
            let found = release(row)?;
            if found.review_state == Some(ReviewState::Approved) {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    async fn create_review(&self, release_id: i64, requested_by: i64) -> Result<i64, StoreError> {
        let inserted = sqlx::query_scalar(
            "INSERT INTO reviews (release_id, state, requested_by, created_at) VALUES (?1, 'open', ?2, ?3) RETURNING id",
        )
        .bind(release_id)
        .bind(requested_by)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(id) => Ok(id),
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                Err(StoreError::Conflict("an open review of this release".into()))
            }
            Err(err) => Err(backend(err)),
        }
    }

    async fn find_review(&self, id: i64) -> Result<Option<Review>, StoreError> {
        let row = sqlx::query(&format!("{REVIEW_SELECT} WHERE v.id = ?1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        match row {
            Some(row) => Ok(Some(self.review_of(&row, true).await?)),
            None => Ok(None),
        }
    }

    async fn list_reviews(&self, state: Option<ReviewState>, limit: u32) -> Result<Vec<Review>, StoreError> {
        let rows =
            sqlx::query(&format!("{REVIEW_SELECT} WHERE ?1 IS NULL OR v.state = ?1 ORDER BY v.id DESC LIMIT ?2"))
                .bind(state.map(ReviewState::as_str))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        let mut reviews = Vec::with_capacity(rows.len());
        for row in &rows {
            reviews.push(self.review_of(row, false).await?);
        }
        Ok(reviews)
    }

    async fn add_comment(&self, new: &NewComment) -> Result<ReviewComment, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO review_comments (review_id, author, body, path, line, pointer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(new.review_id)
        .bind(new.author_id)
        .bind(&new.body)
        .bind(&new.path)
        .bind(new.line.map(i64::from))
        .bind(&new.pointer)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        let row = sqlx::query(
            "SELECT c.id, u.username, c.body, c.path, c.line, c.pointer, c.created_at
             FROM review_comments c JOIN users u ON u.id = c.author WHERE c.id = ?1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        comment(&row)
    }

    async fn decide_review(&self, id: i64, state: ReviewState, by: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE reviews SET state = ?2, decided_by = ?3, decided_at = ?4
             WHERE id = ?1 AND state != 'approved'
               AND id = (SELECT MAX(v.id) FROM reviews v WHERE v.release_id = reviews.release_id)",
        )
        .bind(id)
        .bind(state.as_str())
        .bind(by)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            Err(StoreError::Conflict("an approved review, or one a newer review replaced".into()))
        } else {
            Ok(())
        }
    }

    async fn user_ids_with_roles(&self, roles: &[Role]) -> Result<Vec<i64>, StoreError> {
        let names = serde_json::to_string(&roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()).expect("strings");
        sqlx::query_scalar(
            "SELECT id FROM users WHERE disabled = 0 AND role IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )
        .bind(names)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)
    }

    async fn notify(&self, items: &[NewNotification]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let at = now_ms();
        for item in items {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, text, link, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(item.user_id)
            .bind(&item.kind)
            .bind(&item.text)
            .bind(&item.link)
            .bind(item.actor_id)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn notifications(&self, user_id: i64, limit: u32) -> Result<(Vec<Notification>, u32), StoreError> {
        let rows = sqlx::query(
            "SELECT n.id, n.kind, n.text, n.link, u.username, n.created_at, n.read_at
             FROM notifications n JOIN users u ON u.id = n.actor WHERE n.user_id = ?1 ORDER BY n.id DESC LIMIT ?2",
        )
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(Notification {
                    id: row.try_get("id").map_err(backend)?,
                    kind: row.try_get("kind").map_err(backend)?,
                    text: row.try_get("text").map_err(backend)?,
                    link: row.try_get("link").map_err(backend)?,
                    actor: row.try_get("username").map_err(backend)?,
                    created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
                    read: row.try_get::<Option<i64>, _>("read_at").map_err(backend)?.is_some(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let unread: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
        Ok((items, u32::try_from(unread).unwrap_or(u32::MAX)))
    }

    async fn mark_read(&self, user_id: i64, ids: Option<&[i64]>) -> Result<(), StoreError> {
        let ids = ids.map(|ids| serde_json::to_string(ids).expect("numbers"));
        sqlx::query(
            "UPDATE notifications SET read_at = ?3 WHERE user_id = ?1 AND read_at IS NULL
               AND (?2 IS NULL OR id IN (SELECT value FROM json_each(?2)))",
        )
        .bind(user_id)
        .bind(ids)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
}
