//! `AccountStore` on SQLite: users, sessions, API tokens and sign-in failures.

use crate::SqliteStore;
use crate::sqlite::{backend, is_unique_violation};
use async_trait::async_trait;
use domain::ports::{AccountStore, FailureCount, StoreError, StoredUser, UserChange};
use domain::user::Credential;
use domain::{Principal, Role, UserSummary, Username};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

const USER_COLUMNS: &str = "id, username, role, disabled, created_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("unreadable {what} in the database").into())
}

fn timestamp(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| corrupt("timestamp"))
}

fn username(text: String) -> Result<Username, StoreError> {
    Username::parse(&text).map_err(|_| corrupt("user name"))
}

fn role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(|_| corrupt("role"))
}

fn user_summary(row: &SqliteRow) -> Result<UserSummary, StoreError> {
    Ok(UserSummary {
        id: row.try_get("id").map_err(backend)?,
        username: username(row.try_get("username").map_err(backend)?)?,
        role: role(row.try_get("role").map_err(backend)?)?,
        disabled: row.try_get("disabled").map_err(backend)?,
        created_at: timestamp(row.try_get("created_at").map_err(backend)?)?,
    })
}

fn principal(row: &SqliteRow, credential: Credential) -> Result<Principal, StoreError> {
    Ok(Principal {
        user_id: row.try_get("user_id").map_err(backend)?,
        username: username(row.try_get("username").map_err(backend)?)?,
        role: role(row.try_get("role").map_err(backend)?)?,
        credential,
    })
}

impl SqliteStore {
    /// Runs a session or token lookup whose row has `credential_id`, `user_id`, `username`, `role`.
    async fn principal_by_secret(
        &self,
        sql: &str,
        secret_hash: &[u8],
        now: OffsetDateTime,
        credential: fn(i64) -> Credential,
    ) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(sql)
            .bind(secret_hash)
            .bind(now.unix_timestamp())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|row| {
            let id = row.try_get("credential_id").map_err(backend)?;
            principal(&row, credential(id))
        })
        .transpose()
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, name: &Username, password_hash: &str, role: Role) -> Result<UserSummary, StoreError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let row = sqlx::query(&format!(
            "INSERT INTO users (username, password_hash, role, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4) RETURNING {USER_COLUMNS}"
        ))
        .bind(name.as_str())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|err| {
            if is_unique_violation(&err) { StoreError::Conflict(format!("user {name}")) } else { backend(err) }
        })?;
        user_summary(&row)
    }

    async fn find_user_for_sign_in(&self, name: &Username) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query("SELECT id, username, role, disabled, password_hash FROM users WHERE username = ?1")
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|row| {
            Ok(StoredUser {
                id: row.try_get("id").map_err(backend)?,
                username: username(row.try_get("username").map_err(backend)?)?,
                role: role(row.try_get("role").map_err(backend)?)?,
                disabled: row.try_get("disabled").map_err(backend)?,
                password_hash: row.try_get("password_hash").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn find_user(&self, name: &Username) -> Result<Option<UserSummary>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(user_summary).transpose()
    }

    async fn list_users(&self, after_id: Option<i64>, limit: u32) -> Result<Vec<UserSummary>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id > ?1 ORDER BY id LIMIT ?2"))
            .bind(after_id.unwrap_or(0))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(user_summary).collect()
    }

    async fn update_user(&self, id: i64, change: &UserChange) -> Result<UserSummary, StoreError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let row = sqlx::query(&format!(
            "UPDATE users SET role = coalesce(?2, role),
                              password_hash = coalesce(?3, password_hash),
                              disabled = coalesce(?4, disabled),
                              updated_at = ?5
             WHERE id = ?1 RETURNING {USER_COLUMNS}"
        ))
        .bind(id)
        .bind(change.role.map(Role::as_str))
        .bind(change.password_hash.as_deref())
        .bind(change.disabled)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(user_summary).transpose()?.ok_or(StoreError::NotFound)
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&self.pool).await.map_err(backend)?;
        Ok(n.unsigned_abs())
    }

    async fn count_active_admins(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n.unsigned_abs())
    }

    async fn create_session(
        &self,
        user_id: i64,
        secret_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO sessions (user_id, secret_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )
        .bind(user_id)
        .bind(secret_hash)
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .bind(expires_at.unix_timestamp())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)
    }

    async fn find_session(&self, secret_hash: &[u8], now: OffsetDateTime) -> Result<Option<Principal>, StoreError> {
        let sql = "SELECT s.id AS credential_id, u.id AS user_id, u.username, u.role
                   FROM sessions s JOIN users u ON u.id = s.user_id
                   WHERE s.secret_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0";
        self.principal_by_secret(sql, secret_hash, now, Credential::Session).await
    }

    async fn delete_session(&self, session_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = ?1")
            .bind(session_id)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: i64, keep: Option<i64>) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = ?1 AND id IS NOT ?2")
            .bind(user_id)
            .bind(keep)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?1")
            .bind(now.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn create_token(&self, user_id: i64, name: &str, secret_hash: &[u8]) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(secret_hash)
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)
    }

    async fn find_token(&self, secret_hash: &[u8], now: OffsetDateTime) -> Result<Option<Principal>, StoreError> {
        let sql = "UPDATE api_tokens SET last_used_at = ?2
                   WHERE secret_hash = ?1 AND user_id IN (SELECT id FROM users WHERE disabled = 0)
                   RETURNING id AS credential_id, user_id,
                             (SELECT username FROM users WHERE users.id = api_tokens.user_id) AS username,
                             (SELECT role FROM users WHERE users.id = api_tokens.user_id) AS role";
        self.principal_by_secret(sql, secret_hash, now, Credential::Token).await
    }

    async fn failures(&self, key: &str) -> Result<Option<FailureCount>, StoreError> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT failures, last_failure_at FROM sign_in_failures WHERE key = ?1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        row.map(failure_count).transpose()
    }

    async fn record_failure(&self, key: &str, now: OffsetDateTime) -> Result<FailureCount, StoreError> {
        let row: (i64, i64) = sqlx::query_as(
            "INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES (?1, 1, ?2)
             ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
             RETURNING failures, last_failure_at",
        )
        .bind(key)
        .bind(now.unix_timestamp())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        failure_count(row)
    }

    async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = ?1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

fn failure_count((failures, last): (i64, i64)) -> Result<FailureCount, StoreError> {
    Ok(FailureCount {
        failures: u32::try_from(failures).map_err(|_| corrupt("failure count"))?,
        last_failure: timestamp(last)?,
    })
}
