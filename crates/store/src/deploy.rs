//! `DeployStore` and `AuditStore` on SQLite.

use crate::SqliteStore;
use crate::sqlite::{backend, corrupt, newest_first, now_ms, optional_time, time_ms};
use async_trait::async_trait;
use domain::deploy::{
    AuditEvent, DeployStep, Deployment, NewAuditEvent, NewDeployment, NewRun, NewTarget, NewTestCase, Run, RunFinish,
    RunOutput, Target, TargetChange, TestCase,
};
use domain::ports::{AuditStore, DeployStore, StoreError};
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

fn json_column<T: serde::de::DeserializeOwned>(row: &SqliteRow, column: &str) -> Result<T, StoreError> {
    let text: String = row.try_get(column).map_err(backend)?;
    serde_json::from_str(&text).map_err(|_| corrupt(column))
}

impl SqliteStore {
    /// Runs `sql`, an UPDATE that ends the rows a stopped server left unfinished, with the
    /// reason as ?1 and now as ?2; how many rows it ended.
    async fn end_unfinished(&self, sql: &str, reason: &str) -> Result<u64, StoreError> {
        let done = sqlx::query(sql).bind(reason).bind(now_ms()).execute(&self.pool).await.map_err(backend)?;
        Ok(done.rows_affected())
    }
}

fn target(row: &SqliteRow) -> Result<Target, StoreError> {
    Ok(Target {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        kind: row.try_get("kind").map_err(backend)?,
        url: row.try_get("url").map_err(backend)?,
        access_id: row.try_get("access_id").map_err(backend)?,
        protected: row.try_get::<i64, _>("protected").map_err(backend)? != 0,
        require_tests: row.try_get::<i64, _>("require_tests").map_err(backend)? != 0,
        has_secret: row.try_get::<Option<Vec<u8>>, _>("secret").map_err(backend)?.is_some(),
    })
}

const DEPLOYMENT_SELECT: &str =
    "SELECT d.id, d.app_id, a.slug, d.build_id, t.name AS target, d.target_id, d.version, d.revision,
        d.status, d.reason, d.override_reason, d.breaking, d.rollback_of, d.steps, u.username, d.created_at, d.finished_at
     FROM deployments d JOIN apps a ON a.id = d.app_id JOIN targets t ON t.id = d.target_id
     JOIN users u ON u.id = d.requested_by";

fn deployment(row: &SqliteRow) -> Result<Deployment, StoreError> {
    Ok(Deployment {
        id: row.try_get("id").map_err(backend)?,
        app_id: row.try_get("app_id").map_err(backend)?,
        app: row.try_get("slug").map_err(backend)?,
        build: row.try_get("build_id").map_err(backend)?,
        target: row.try_get("target").map_err(backend)?,
        target_id: row.try_get("target_id").map_err(backend)?,
        version: row.try_get("version").map_err(backend)?,
        revision: row.try_get("revision").map_err(backend)?,
        status: row.try_get("status").map_err(backend)?,
        reason: row.try_get("reason").map_err(backend)?,
        override_reason: row.try_get("override_reason").map_err(backend)?,
        breaking: json_column(row, "breaking")?,
        rollback_of: row.try_get("rollback_of").map_err(backend)?,
        steps: json_column(row, "steps")?,
        requested_by: row.try_get("username").map_err(backend)?,
        created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
        finished_at: optional_time(row, "finished_at")?,
    })
}

const RUN_SELECT: &str =
    "SELECT r.id, r.app_id, a.slug, r.build_id, r.deployment_id, r.version, r.revision, r.trigger, r.status,
        r.inputs, r.secrets, r.outputs, r.exit_message, r.exit_code, r.reason, r.log, r.python, r.duration_ms, r.response,
        u.username, r.created_at, r.finished_at
     FROM runs r JOIN apps a ON a.id = r.app_id LEFT JOIN users u ON u.id = r.requested_by";

fn run(row: &SqliteRow) -> Result<Run, StoreError> {
    let outputs: Vec<RunOutput> = json_column(row, "outputs")?;
    Ok(Run {
        id: row.try_get("id").map_err(backend)?,
        app_id: row.try_get("app_id").map_err(backend)?,
        app: row.try_get("slug").map_err(backend)?,
        build: row.try_get("build_id").map_err(backend)?,
        deployment: row.try_get("deployment_id").map_err(backend)?,
        version: row.try_get("version").map_err(backend)?,
        revision: row.try_get("revision").map_err(backend)?,
        trigger: row.try_get("trigger").map_err(backend)?,
        status: row.try_get("status").map_err(backend)?,
        inputs: json_column(row, "inputs")?,
        outputs,
        exit_message: row.try_get("exit_message").map_err(backend)?,
        exit_code: row.try_get::<Option<i64>, _>("exit_code").map_err(backend)?.and_then(|c| i32::try_from(c).ok()),
        reason: row.try_get("reason").map_err(backend)?,
        log: row.try_get("log").map_err(backend)?,
        python: row.try_get("python").map_err(backend)?,
        duration_ms: row.try_get::<Option<i64>, _>("duration_ms").map_err(backend)?.map(|d| d.max(0).unsigned_abs()),
        response: row
            .try_get::<Option<String>, _>("response")
            .map_err(backend)?
            .map(|t| serde_json::from_str(&t).map_err(|_| corrupt("run response")))
            .transpose()?,
        requested_by: row.try_get("username").map_err(backend)?,
        created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
        finished_at: optional_time(row, "finished_at")?,
    })
}

impl SqliteStore {
    async fn deployment_by_id(&self, id: i64) -> Result<Option<Deployment>, StoreError> {
        let sql = format!("{DEPLOYMENT_SELECT} WHERE d.id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await.map_err(backend)?;
        row.as_ref().map(deployment).transpose()
    }
}

#[async_trait]
impl DeployStore for SqliteStore {
    async fn find_target(&self, name: &str) -> Result<Option<Target>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, kind, url, access_id, secret, protected, require_tests FROM targets WHERE name = ?1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(target).transpose()
    }

    async fn list_targets(&self) -> Result<Vec<Target>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, kind, url, access_id, secret, protected, require_tests FROM targets ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(target).collect()
    }

    async fn create_target(&self, new: &NewTarget) -> Result<Target, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO targets (name, kind, url, access_id, secret, protected, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&new.name)
        .bind(&new.kind)
        .bind(&new.url)
        .bind(&new.access_id)
        .bind(&new.secret)
        .bind(i64::from(new.protected))
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Err(StoreError::Conflict(format!("a target named {:?}", new.name)));
            }
            other => other.map_err(backend)?,
        };
        self.find_target(&new.name).await?.ok_or(StoreError::NotFound)
    }

    async fn update_target(&self, name: &str, change: &TargetChange) -> Result<Target, StoreError> {
        let done = sqlx::query(
            "UPDATE targets SET url = COALESCE(?2, url), access_id = COALESCE(?3, access_id), secret = COALESCE(?4, secret),
                    protected = COALESCE(?5, protected), require_tests = COALESCE(?6, require_tests)
             WHERE name = ?1",
        )
        .bind(name)
        .bind(&change.url)
        .bind(&change.access_id)
        .bind(&change.secret)
        .bind(change.protected.map(i64::from))
        .bind(change.require_tests.map(i64::from))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.find_target(name).await?.ok_or(StoreError::NotFound)
    }

    async fn delete_target(&self, name: &str) -> Result<(), StoreError> {
        let used: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deployments d JOIN targets t ON t.id = d.target_id WHERE t.name = ?1",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        if used > 0 {
            return Err(StoreError::Conflict(format!("deployments to {name:?} (their history stays)")));
        }
        let done =
            sqlx::query("DELETE FROM targets WHERE name = ?1").bind(name).execute(&self.pool).await.map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn target_secret(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let secret: Option<Option<Vec<u8>>> = sqlx::query_scalar("SELECT secret FROM targets WHERE name = ?1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        Ok(secret.flatten())
    }

    async fn create_test_case(&self, new: &NewTestCase) -> Result<TestCase, StoreError> {
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO test_cases (app_id, name, inputs, secret_inputs, expected, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(new.app_id)
        .bind(&new.name)
        .bind(new.inputs.to_string())
        .bind(&new.secret_inputs)
        .bind(new.expected.to_string())
        .bind(new.created_by)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await;
        let id = match inserted {
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Err(StoreError::Conflict(format!("a test case named {:?}", new.name)));
            }
            other => other.map_err(backend)?,
        };
        let cases = self.test_cases(new.app_id).await?;
        cases.into_iter().map(|(case, _)| case).find(|c| c.id == id).ok_or(StoreError::NotFound)
    }

    async fn test_cases(&self, app_id: i64) -> Result<Vec<(TestCase, Option<Vec<u8>>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.app_id, c.name, c.inputs, c.secret_inputs, c.expected, u.username, c.created_at
             FROM test_cases c JOIN users u ON u.id = c.created_by WHERE c.app_id = ?1 ORDER BY c.name",
        )
        .bind(app_id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let case = TestCase {
                    id: row.try_get("id").map_err(backend)?,
                    app_id: row.try_get("app_id").map_err(backend)?,
                    name: row.try_get("name").map_err(backend)?,
                    inputs: json_column(row, "inputs")?,
                    expected: json_column(row, "expected")?,
                    created_by: row.try_get("username").map_err(backend)?,
                    created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
                };
                Ok((case, row.try_get("secret_inputs").map_err(backend)?))
            })
            .collect()
    }

    async fn delete_test_case(&self, app_id: i64, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM test_cases WHERE id = ?1 AND app_id = ?2")
            .bind(id)
            .bind(app_id)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn create_deployment(&self, new: &NewDeployment) -> Result<Deployment, StoreError> {
        let breaking = serde_json::to_string(&new.breaking).expect("strings serialise");
        let steps = serde_json::to_string(&new.steps).expect("steps serialise");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deployments (app_id, build_id, target_id, version, revision, status, override_reason, breaking,
                                      rollback_of, steps, requested_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
        )
        .bind(new.app_id)
        .bind(new.build_id)
        .bind(new.target_id)
        .bind(&new.version)
        .bind(&new.revision)
        .bind(&new.override_reason)
        .bind(breaking)
        .bind(new.rollback_of)
        .bind(steps)
        .bind(new.requested_by)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        self.deployment_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn finish_deployment(
        &self,
        id: i64,
        status: &str,
        reason: Option<&str>,
        steps: &[DeployStep],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE deployments SET status = ?2, reason = ?3, finished_at = ?4, steps = ?5
             WHERE id = ?1 AND status = 'running'",
        )
        .bind(id)
        .bind(status)
        .bind(reason)
        .bind(now_ms())
        .bind(serde_json::to_string(steps).expect("steps serialise"))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn find_deployment(&self, id: i64) -> Result<Option<Deployment>, StoreError> {
        self.deployment_by_id(id).await
    }

    async fn list_deployments(
        &self,
        app_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Deployment>, StoreError> {
        let sql = format!("{DEPLOYMENT_SELECT} WHERE d.app_id = ?1 AND d.id < ?2 ORDER BY d.id DESC LIMIT ?3");
        newest_first(&self.pool, &sql, app_id, before, limit, deployment).await
    }

    async fn live_deployment(
        &self,
        app_id: i64,
        target_id: i64,
        before: Option<i64>,
    ) -> Result<Option<Deployment>, StoreError> {
        let sql = format!(
            "{DEPLOYMENT_SELECT} WHERE d.app_id = ?1 AND d.target_id = ?2 AND d.status = 'succeeded' AND d.id < ?3
             ORDER BY d.id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(app_id)
            .bind(target_id)
            .bind(before.unwrap_or(i64::MAX))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(deployment).transpose()
    }

    async fn create_run(&self, new: &NewRun) -> Result<Run, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO runs (app_id, build_id, deployment_id, version, revision, trigger, status, inputs, secrets,
                               requested_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8, ?9, ?10) RETURNING id",
        )
        .bind(new.app_id)
        .bind(new.build_id)
        .bind(new.deployment_id)
        .bind(&new.version)
        .bind(&new.revision)
        .bind(&new.trigger)
        .bind(new.inputs.to_string())
        .bind(&new.secrets)
        .bind(new.requested_by)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(self.find_run(id).await?.ok_or(StoreError::NotFound)?.0)
    }

    async fn start_run(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE runs SET status = 'running', started_at = ?2 WHERE id = ?1 AND status = 'queued'")
            .bind(id)
            .bind(now_ms())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn finish_run(&self, id: i64, finish: &RunFinish) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE runs SET status = ?2, outputs = ?3, exit_message = ?4, exit_code = ?5, reason = ?6, log = ?7,
                    python = ?8, duration_ms = ?9, finished_at = ?10, response = ?11
             WHERE id = ?1",
        )
        .bind(id)
        .bind(&finish.status)
        .bind(serde_json::to_string(&finish.outputs).expect("outputs serialise"))
        .bind(&finish.exit_message)
        .bind(finish.exit_code.map(i64::from))
        .bind(&finish.reason)
        .bind(&finish.log)
        .bind(&finish.python)
        .bind(finish.duration_ms.map(|d| i64::try_from(d).unwrap_or(i64::MAX)))
        .bind(now_ms())
        .bind(finish.response.as_ref().map(Value::to_string))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn find_run(&self, id: i64) -> Result<Option<(Run, Option<Vec<u8>>)>, StoreError> {
        let sql = format!("{RUN_SELECT} WHERE r.id = ?1");
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await.map_err(backend)? else {
            return Ok(None);
        };
        let secrets: Option<Vec<u8>> = row.try_get("secrets").map_err(backend)?;
        Ok(Some((run(&row)?, secrets)))
    }

    async fn list_runs(&self, app_id: i64, before: Option<i64>, limit: u32) -> Result<Vec<Run>, StoreError> {
        let sql = format!("{RUN_SELECT} WHERE r.app_id = ?1 AND r.id < ?2 ORDER BY r.id DESC LIMIT ?3");
        newest_first(&self.pool, &sql, app_id, before, limit, run).await
    }

    async fn fail_unfinished_runs(&self, reason: &str) -> Result<u64, StoreError> {
        self.end_unfinished(
            "UPDATE runs SET status = 'failed', reason = ?1, finished_at = ?2 WHERE status IN ('queued', 'running')",
            reason,
        )
        .await
    }

    async fn fail_unfinished_deployments(&self, reason: &str) -> Result<u64, StoreError> {
        self.end_unfinished(
            "UPDATE deployments SET status = 'failed', reason = ?1, finished_at = ?2,
                    steps = CASE json_array_length(steps) WHEN 0 THEN steps
                            ELSE json_set(steps, '$[#-1].status', 'failed', '$[#-1].detail', ?1) END
             WHERE status = 'running'",
            reason,
        )
        .await
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn record_events(&self, events: &[NewAuditEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for event in events {
            sqlx::query("INSERT INTO audit_events (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
                .bind(now_ms())
                .bind(&event.actor)
                .bind(&event.action)
                .bind(&event.subject)
                .bind(event.detail.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn list_events(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, detail FROM audit_events WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(AuditEvent {
                    id: row.try_get("id").map_err(backend)?,
                    at: time_ms(row.try_get("at").map_err(backend)?)?,
                    actor: row.try_get("actor").map_err(backend)?,
                    action: row.try_get("action").map_err(backend)?,
                    subject: row.try_get("subject").map_err(backend)?,
                    detail: json_column(row, "detail")?,
                })
            })
            .collect()
    }
}
