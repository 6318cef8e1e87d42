//! Users' editor snippets (`migrations/0010_snippets.sql`).

use crate::SqliteStore;
use crate::sqlite::{backend, is_unique_violation, now_ms, time_ms};
use async_trait::async_trait;
use domain::ports::{SnippetStore, StoreError};
use domain::snippets::{SnippetDraft, UserSnippet};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

const SNIPPET_SELECT: &str = "SELECT s.id, s.owner_id, u.username, s.label, s.description, s.language, s.body,
        s.shared, s.updated_at
     FROM snippets s JOIN users u ON u.id = s.owner_id";

fn snippet(row: &SqliteRow) -> Result<UserSnippet, StoreError> {
    Ok(UserSnippet {
        id: row.try_get("id").map_err(backend)?,
        label: row.try_get("label").map_err(backend)?,
        description: row.try_get("description").map_err(backend)?,
        language: row.try_get("language").map_err(backend)?,
        body: row.try_get("body").map_err(backend)?,
        shared: row.try_get::<i64, _>("shared").map_err(backend)? == 1,
        owner: row.try_get("username").map_err(backend)?,
        updated_at: time_ms(row.try_get("updated_at").map_err(backend)?)?,
    })
}

/// A taken label, or the database's failure.
fn taken(draft: &SnippetDraft) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |err| {
        if is_unique_violation(&err) {
            StoreError::Conflict(format!("a {} snippet labelled {:?}", draft.language, draft.label))
        } else {
            backend(err)
        }
    }
}

#[async_trait]
impl SnippetStore for SqliteStore {
    async fn visible_snippets(&self, user_id: i64) -> Result<Vec<UserSnippet>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SNIPPET_SELECT} WHERE s.owner_id = ?1 OR s.shared = 1 ORDER BY s.label COLLATE NOCASE, s.id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(snippet).collect()
    }

    async fn find_snippet(&self, id: i64) -> Result<Option<(UserSnippet, i64)>, StoreError> {
        let row = sqlx::query(&format!("{SNIPPET_SELECT} WHERE s.id = ?1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|row| Ok((snippet(&row)?, row.try_get("owner_id").map_err(backend)?))).transpose()
    }

    async fn count_snippets(&self, owner_id: i64) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM snippets WHERE owner_id = ?1")
            .bind(owner_id)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    async fn create_snippet(&self, owner_id: i64, draft: &SnippetDraft) -> Result<UserSnippet, StoreError> {
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO snippets (owner_id, label, description, language, body, shared, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
        )
        .bind(owner_id)
        .bind(&draft.label)
        .bind(&draft.description)
        .bind(&draft.language)
        .bind(&draft.body)
        .bind(i64::from(draft.shared))
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(taken(draft))?;
        self.find_snippet(id).await?.map(|(s, _)| s).ok_or(StoreError::NotFound)
    }

    async fn update_snippet(&self, id: i64, draft: &SnippetDraft) -> Result<UserSnippet, StoreError> {
        let changed = sqlx::query(
            "UPDATE snippets SET label = ?2, description = ?3, language = ?4, body = ?5, shared = ?6, updated_at = ?7
             WHERE id = ?1",
        )
        .bind(id)
        .bind(&draft.label)
        .bind(&draft.description)
        .bind(&draft.language)
        .bind(&draft.body)
        .bind(i64::from(draft.shared))
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(taken(draft))?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.find_snippet(id).await?.map(|(s, _)| s).ok_or(StoreError::NotFound)
    }

    async fn delete_snippet(&self, id: i64) -> Result<(), StoreError> {
        let gone = sqlx::query("DELETE FROM snippets WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(backend)?
            .rows_affected();
        if gone == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
