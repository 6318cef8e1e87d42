//! `AppStore` on SQLite.

use crate::SqliteStore;
use crate::sqlite::{backend, corrupt};
use async_trait::async_trait;
use domain::app::{AppSlug, Revision};
use domain::ports::{AppChange, AppFacts, AppRecord, AppStore, NewApp, StoreError};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

const APP_COLUMNS: &str =
    "a.id, a.slug, a.repo_key, a.display_name, a.runtime_level, a.template, u.username AS created_by,
     a.created_at, a.updated_at, a.size_bytes, a.head_revision";

fn app_record(row: &SqliteRow) -> Result<AppRecord, StoreError> {
    let time = |column: &str| -> Result<OffsetDateTime, StoreError> {
        OffsetDateTime::from_unix_timestamp(row.try_get(column).map_err(backend)?).map_err(|_| corrupt("timestamp"))
    };
    let size: i64 = row.try_get("size_bytes").map_err(backend)?;
    let head: Option<String> = row.try_get("head_revision").map_err(backend)?;
    let head_revision = head.map(|head| Revision::parse(&head).map_err(|_| corrupt("head revision"))).transpose()?;
    Ok(AppRecord {
        id: row.try_get("id").map_err(backend)?,
        slug: AppSlug::parse(row.try_get("slug").map_err(backend)?).map_err(|_| corrupt("slug"))?,
        repo_key: row.try_get("repo_key").map_err(backend)?,
        display_name: row.try_get("display_name").map_err(backend)?,
        runtime_level: row.try_get("runtime_level").map_err(backend)?,
        template: row.try_get("template").map_err(backend)?,
        created_by: row.try_get("created_by").map_err(backend)?,
        created_at: time("created_at")?,
        updated_at: time("updated_at")?,
        size_bytes: size.max(0).unsigned_abs(),
        head_revision,
    })
}

/// `%`, `_` and `\` taken literally in a LIKE pattern.
fn like_pattern(query: &str) -> String {
    let escaped = query.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[async_trait]
impl AppStore for SqliteStore {
    async fn create_app(&self, app: &NewApp<'_>) -> Result<AppRecord, StoreError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO apps (slug, repo_key, display_name, runtime_level, template, created_by, created_at, updated_at,
                               size_bytes, head_revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9) RETURNING id",
        )
        .bind(app.slug.as_str())
        .bind(app.repo_key)
        .bind(app.display_name)
        .bind(app.runtime_level)
        .bind(app.template)
        .bind(app.created_by)
        .bind(now)
        .bind(i64::try_from(app.size_bytes).unwrap_or(i64::MAX))
        .bind(app.head_revision.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!("app {}", app.slug)),
            _ => backend(err),
        })?;
        let row = sqlx::query(&format!(
            "SELECT {APP_COLUMNS} FROM apps a JOIN users u ON u.id = a.created_by WHERE a.id = ?1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        app_record(&row)
    }

    async fn slug_taken(&self, slug: &AppSlug) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM apps WHERE slug = ?1")
            .bind(slug.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n > 0)
    }

    async fn find_app(&self, slug: &AppSlug) -> Result<Option<AppRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {APP_COLUMNS} FROM apps a JOIN users u ON u.id = a.created_by WHERE a.slug = ?1 AND a.archived_at IS NULL"
        ))
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(app_record).transpose()
    }

    async fn list_apps(
        &self,
        query: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AppRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {APP_COLUMNS} FROM apps a JOIN users u ON u.id = a.created_by
             WHERE a.archived_at IS NULL AND a.slug > ?1
               AND (?2 IS NULL OR a.slug LIKE ?2 ESCAPE '\\' OR lower(a.display_name) LIKE ?2 ESCAPE '\\')
             ORDER BY a.slug LIMIT ?3"
        ))
        .bind(after.unwrap_or(""))
        .bind(query.filter(|q| !q.is_empty()).map(like_pattern))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(app_record).collect()
    }

    async fn record_saves(&self, saves: &[(i64, AppChange)]) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for (id, change) in saves {
            sqlx::query(
                "UPDATE apps SET display_name = coalesce(?2, display_name), runtime_level = coalesce(?3, runtime_level),
                                 size_bytes = max(0, size_bytes + ?4), updated_at = ?5,
                                 head_revision = CASE WHEN head_revision IS ?7 THEN ?6 END
                 WHERE id = ?1",
            )
            .bind(id)
            .bind(change.display_name.as_deref())
            .bind(change.runtime_level.as_deref())
            .bind(change.size_delta)
            .bind(now)
            .bind(change.revision.as_str())
            .bind(change.parent.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn set_app_facts(&self, id: i64, facts: &AppFacts) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE apps SET display_name = coalesce(?2, display_name), runtime_level = coalesce(?3, runtime_level),
                             size_bytes = ?4, updated_at = max(updated_at, ?5), head_revision = ?6
             WHERE id = ?1",
        )
        .bind(id)
        .bind(facts.display_name.as_deref())
        .bind(facts.runtime_level.as_deref())
        .bind(i64::try_from(facts.size_bytes).unwrap_or(i64::MAX))
        .bind(facts.updated_at.unix_timestamp())
        .bind(facts.revision.as_str())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn archive_app(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE apps SET archived_at = ?2 WHERE id = ?1 AND archived_at IS NULL")
            .bind(id)
            .bind(OffsetDateTime::now_utc().unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
