//! `BuildStore` on SQLite.

use crate::SqliteStore;
use crate::sqlite::{backend, corrupt, newest_first, now_ms, optional_time, time_ms};
use async_trait::async_trait;
use domain::build::{Build, BuildStatus, BuildStep, LogLine, PackageInfo, duration_ms};
use domain::ports::{BuildEnd, BuildStore, Recovered, StoreError};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

const BUILD_COLUMNS: &str = "b.id, b.app_id, a.slug, b.revision, b.status, u.username AS requested_by, b.queued_at,
     b.started_at, b.finished_at, b.attempts, b.cancel_requested, b.reason, b.python,
     b.package_file_name, b.package_sha256, b.package_size";
const BUILD_FROM: &str = "FROM builds b JOIN apps a ON a.id = b.app_id JOIN users u ON u.id = b.requested_by";

fn build(row: &SqliteRow) -> Result<Build, StoreError> {
    let status: String = row.try_get("status").map_err(backend)?;
    let started_at = optional_time(row, "started_at")?;
    let finished_at = optional_time(row, "finished_at")?;
    let sha: Option<String> = row.try_get("package_sha256").map_err(backend)?;
    let package = match sha {
        Some(sha256) => Some(PackageInfo {
            file_name: row.try_get("package_file_name").map_err(backend)?,
            sha256,
            size: row.try_get::<i64, _>("package_size").map_err(backend)?.max(0).unsigned_abs(),
        }),
        None => None,
    };
    Ok(Build {
        id: row.try_get("id").map_err(backend)?,
        app_id: row.try_get("app_id").map_err(backend)?,
        app: row.try_get("slug").map_err(backend)?,
        revision: row.try_get("revision").map_err(backend)?,
        status: BuildStatus::parse(&status).ok_or_else(|| corrupt("build status"))?,
        requested_by: row.try_get("requested_by").map_err(backend)?,
        queued_at: time_ms(row.try_get("queued_at").map_err(backend)?)?,
        started_at,
        finished_at,
        duration_ms: duration_ms(started_at, finished_at),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(backend)?).unwrap_or(0),
        cancel_requested: row.try_get::<i64, _>("cancel_requested").map_err(backend)? != 0,
        reason: row.try_get("reason").map_err(backend)?,
        python: row.try_get("python").map_err(backend)?,
        package,
        steps: Vec::new(),
    })
}

impl SqliteStore {
    async fn build_by_id(&self, id: i64) -> Result<Option<Build>, StoreError> {
        let sql = format!("SELECT {BUILD_COLUMNS} {BUILD_FROM} WHERE b.id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await.map_err(backend)?;
        row.as_ref().map(build).transpose()
    }
}

#[async_trait]
impl BuildStore for SqliteStore {
    async fn create_build(&self, app_id: i64, revision: &str, requested_by: i64) -> Result<Build, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO builds (app_id, revision, status, requested_by, queued_at) VALUES (?1, ?2, 'queued', ?3, ?4) RETURNING id",
        )
        .bind(app_id)
        .bind(revision)
        .bind(requested_by)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        self.build_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn claim_build(&self) -> Result<Option<Build>, StoreError> {
        // One statement: two workers can never take the same build.
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE builds SET status = 'running', started_at = ?1, finished_at = NULL, attempts = attempts + 1
             WHERE id = (SELECT id FROM builds WHERE status = 'queued' ORDER BY id LIMIT 1)
             RETURNING id",
        )
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match id {
            Some(id) => {
                sqlx::query("DELETE FROM build_steps WHERE build_id = ?1")
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                self.build_by_id(id).await
            }
            None => Ok(None),
        }
    }

    async fn find_build(&self, id: i64) -> Result<Option<Build>, StoreError> {
        let Some(mut found) = self.build_by_id(id).await? else { return Ok(None) };
        let rows = sqlx::query(
            "SELECT name, status, started_at, finished_at, summary FROM build_steps WHERE build_id = ?1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        for row in &rows {
            let started_at = time_ms(row.try_get("started_at").map_err(backend)?)?;
            let finished_at = optional_time(row, "finished_at")?;
            found.steps.push(BuildStep {
                name: row.try_get("name").map_err(backend)?,
                status: row.try_get("status").map_err(backend)?,
                started_at,
                finished_at,
                duration_ms: duration_ms(Some(started_at), finished_at),
                summary: row.try_get("summary").map_err(backend)?,
            });
        }
        Ok(Some(found))
    }

    async fn list_builds(&self, app_id: i64, before: Option<i64>, limit: u32) -> Result<Vec<Build>, StoreError> {
        let sql = format!(
            "SELECT {BUILD_COLUMNS} {BUILD_FROM} WHERE b.app_id = ?1 AND b.id < ?2 ORDER BY b.id DESC LIMIT ?3"
        );
        newest_first(&self.pool, &sql, app_id, before, limit, build).await
    }

    async fn start_step(&self, build_id: i64, position: u32, name: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR REPLACE INTO build_steps (build_id, position, name, status, started_at) VALUES (?1, ?2, ?3, 'running', ?4)",
        )
        .bind(build_id)
        .bind(i64::from(position))
        .bind(name)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn finish_step(&self, build_id: i64, position: u32, status: &str, summary: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE build_steps SET status = ?3, summary = ?4, finished_at = ?5 WHERE build_id = ?1 AND position = ?2",
        )
        .bind(build_id)
        .bind(i64::from(position))
        .bind(status)
        .bind(summary)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn append_log(&self, build_id: i64, lines: &[LogLine]) -> Result<(), StoreError> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for line in lines {
            sqlx::query("INSERT OR IGNORE INTO build_log (build_id, seq, step, line) VALUES (?1, ?2, ?3, ?4)")
                .bind(build_id)
                .bind(line.seq)
                .bind(&line.step)
                .bind(&line.line)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn last_log_seq(&self, build_id: i64) -> Result<i64, StoreError> {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM build_log WHERE build_id = ?1")
            .bind(build_id)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(last.unwrap_or(0))
    }

    async fn read_log(&self, build_id: i64, after_seq: i64, limit: u32) -> Result<Vec<LogLine>, StoreError> {
        let rows =
            sqlx::query("SELECT seq, step, line FROM build_log WHERE build_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
                .bind(build_id)
                .bind(after_seq)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(LogLine {
                    seq: row.try_get("seq").map_err(backend)?,
                    step: row.try_get("step").map_err(backend)?,
                    line: row.try_get("line").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn finish_build(&self, id: i64, end: &BuildEnd) -> Result<bool, StoreError> {
        let package = end.package.as_ref();
        let done = sqlx::query(
            "UPDATE builds SET status = ?2, reason = COALESCE(?3, reason), python = ?4, package_file_name = ?5, package_sha256 = ?6,
                    package_size = ?7, finished_at = ?8
             WHERE id = ?1 AND status = 'running'",
        )
        .bind(id)
        .bind(end.status.as_str())
        .bind(&end.reason)
        .bind(&end.python)
        .bind(package.map(|p| p.file_name.clone()))
        .bind(package.map(|p| p.sha256.clone()))
        .bind(package.map(|p| i64::try_from(p.size).unwrap_or(i64::MAX)))
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn cancel_build(&self, id: i64, reason: &str) -> Result<Option<Build>, StoreError> {
        sqlx::query(
            "UPDATE builds SET
                status = CASE status WHEN 'queued' THEN 'cancelled' ELSE status END,
                finished_at = CASE status WHEN 'queued' THEN ?2 ELSE finished_at END,
                reason = CASE WHEN status IN ('queued', 'running') THEN ?3 ELSE reason END,
                cancel_requested = CASE WHEN status IN ('queued', 'running') THEN 1 ELSE cancel_requested END
             WHERE id = ?1",
        )
        .bind(id)
        .bind(now_ms())
        .bind(reason)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        self.build_by_id(id).await
    }

    async fn recover_builds(&self, max_attempts: u32, reason: &str) -> Result<Vec<Recovered>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let rows = sqlx::query("SELECT id, attempts, cancel_requested FROM builds WHERE status = 'running'")
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        let mut recovered = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id").map_err(backend)?;
            let attempts: i64 = row.try_get("attempts").map_err(backend)?;
            let cancelled = row.try_get::<i64, _>("cancel_requested").map_err(backend)? != 0;
            let next = sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM build_log WHERE build_id = ?1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?
                .unwrap_or(0)
                + 1;
            let (status, note, outcome) = if cancelled {
                (
                    "cancelled",
                    "The server stopped while the build was being cancelled.".to_owned(),
                    Recovered::Ended(id),
                )
            } else if attempts < i64::from(max_attempts) {
                ("queued", "The server stopped during this build; it runs again.".to_owned(), Recovered::Requeued(id))
            } else {
                ("failed", format!("The server stopped during this build: {reason}"), Recovered::Ended(id))
            };
            let final_reason = (status != "queued").then_some(note.as_str());
            sqlx::query(
                "UPDATE builds SET status = ?2, reason = ?3, finished_at = CASE WHEN ?2 = 'queued' THEN NULL ELSE ?4 END
                 WHERE id = ?1",
            )
            .bind(id)
            .bind(status)
            .bind(final_reason)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            sqlx::query("INSERT INTO build_log (build_id, seq, step, line) VALUES (?1, ?2, 'server', ?3)")
                .bind(id)
                .bind(next)
                .bind(&note)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            recovered.push(outcome);
        }
        tx.commit().await.map_err(backend)?;
        Ok(recovered)
    }
}
