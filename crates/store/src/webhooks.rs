//! `WebhookStore` on SQLite.

use crate::SqliteStore;
use crate::sqlite::{backend, corrupt, newest_first, now_ms, time_ms};
use async_trait::async_trait;
use domain::deploy::{Delivery, NewDelivery, NewWebhook, Webhook, WebhookSecrets};
use domain::ports::{StoreError, WebhookStore};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

const WEBHOOK_SELECT: &str = "SELECT w.id, w.app_id, a.slug, w.target_id, t.name AS target, w.signature_header, w.secret,
        w.inputs, w.secret_inputs, w.rate_per_minute, w.max_body_bytes, w.respond, u.username, w.created_at, w.disabled_at
     FROM webhooks w JOIN apps a ON a.id = w.app_id JOIN targets t ON t.id = w.target_id JOIN users u ON u.id = w.created_by";

fn webhook(row: &SqliteRow) -> Result<WebhookSecrets, StoreError> {
    let secret: Option<Vec<u8>> = row.try_get("secret").map_err(backend)?;
    let inputs: String = row.try_get("inputs").map_err(backend)?;
    let webhook = Webhook {
        id: row.try_get("id").map_err(backend)?,
        app_id: row.try_get("app_id").map_err(backend)?,
        app: row.try_get("slug").map_err(backend)?,
        target_id: row.try_get("target_id").map_err(backend)?,
        target: row.try_get("target").map_err(backend)?,
        signature_header: row.try_get("signature_header").map_err(backend)?,
        has_secret: secret.is_some(),
        inputs: serde_json::from_str(&inputs).map_err(|_| corrupt("webhook inputs"))?,
        rate_per_minute: u32::try_from(row.try_get::<i64, _>("rate_per_minute").map_err(backend)?).unwrap_or(0),
        max_body_bytes: row.try_get::<i64, _>("max_body_bytes").map_err(backend)?.max(0).unsigned_abs(),
        respond: row.try_get::<i64, _>("respond").map_err(backend)? != 0,
        created_by: row.try_get("username").map_err(backend)?,
        created_at: time_ms(row.try_get("created_at").map_err(backend)?)?,
        enabled: row.try_get::<Option<i64>, _>("disabled_at").map_err(backend)?.is_none(),
    };
    Ok(WebhookSecrets { webhook, secret, secret_inputs: row.try_get("secret_inputs").map_err(backend)? })
}

const DELIVERY_SELECT: &str =
    "SELECT id, webhook_id, received_at, method, headers, query, body, status, run_id, reason FROM deliveries";

fn delivery(row: &SqliteRow) -> Result<Delivery, StoreError> {
    let json = |column: &str| -> Result<serde_json::Value, StoreError> {
        let text: String = row.try_get(column).map_err(backend)?;
        serde_json::from_str(&text).map_err(|_| corrupt(column))
    };
    Ok(Delivery {
        id: row.try_get("id").map_err(backend)?,
        webhook: row.try_get("webhook_id").map_err(backend)?,
        received_at: time_ms(row.try_get("received_at").map_err(backend)?)?,
        method: row.try_get("method").map_err(backend)?,
        headers: json("headers")?,
        query: json("query")?,
        body: row.try_get("body").map_err(backend)?,
        status: row.try_get("status").map_err(backend)?,
        run: row.try_get("run_id").map_err(backend)?,
        reason: row.try_get("reason").map_err(backend)?,
    })
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, new: &NewWebhook) -> Result<Webhook, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhooks (app_id, target_id, token_hash, signature_header, secret, inputs, secret_inputs,
                                   rate_per_minute, max_body_bytes, created_by, created_at, respond)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        )
        .bind(new.app_id)
        .bind(new.target_id)
        .bind(&new.token_hash)
        .bind(&new.signature_header)
        .bind(&new.secret)
        .bind(new.inputs.to_string())
        .bind(&new.secret_inputs)
        .bind(i64::from(new.rate_per_minute))
        .bind(i64::try_from(new.max_body_bytes).unwrap_or(i64::MAX))
        .bind(new.created_by)
        .bind(now_ms())
        .bind(i64::from(new.respond))
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(self.find_webhook(id).await?.ok_or(StoreError::NotFound)?.webhook)
    }

    async fn find_webhook_by_token(&self, token_hash: &str) -> Result<Option<WebhookSecrets>, StoreError> {
        let sql = format!("{WEBHOOK_SELECT} WHERE w.token_hash = ?1 AND w.disabled_at IS NULL");
        let row = sqlx::query(&sql).bind(token_hash).fetch_optional(&self.pool).await.map_err(backend)?;
        row.as_ref().map(webhook).transpose()
    }

    async fn find_webhook(&self, id: i64) -> Result<Option<WebhookSecrets>, StoreError> {
        let sql = format!("{WEBHOOK_SELECT} WHERE w.id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await.map_err(backend)?;
        row.as_ref().map(webhook).transpose()
    }

    async fn list_webhooks(&self, app_id: i64) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!("{WEBHOOK_SELECT} WHERE w.app_id = ?1 ORDER BY w.id DESC");
        let rows = sqlx::query(&sql).bind(app_id).fetch_all(&self.pool).await.map_err(backend)?;
        rows.iter().map(|r| webhook(r).map(|w| w.webhook)).collect()
    }

    async fn disable_webhook(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE webhooks SET disabled_at = ?2 WHERE id = ?1 AND disabled_at IS NULL")
            .bind(id)
            .bind(now_ms())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn store_deliveries(&self, deliveries: &[NewDelivery]) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut ids = Vec::with_capacity(deliveries.len());
        let now = now_ms();
        for d in deliveries {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO deliveries (webhook_id, received_at, method, headers, query, body, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'received') RETURNING id",
            )
            .bind(d.webhook_id)
            .bind(now)
            .bind(&d.method)
            .bind(d.headers.to_string())
            .bind(d.query.to_string())
            .bind(&d.body)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            ids.push(id);
        }
        tx.commit().await.map_err(backend)?;
        Ok(ids)
    }

    async fn pending_deliveries(&self, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!("{DELIVERY_SELECT} WHERE status = 'received' ORDER BY id LIMIT ?1");
        let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(backend)?;
        rows.iter().map(delivery).collect()
    }

    async fn settle_delivery(&self, id: i64, run_id: Option<i64>, reason: Option<&str>) -> Result<(), StoreError> {
        let status = if run_id.is_some() { "dispatched" } else { "failed" };
        sqlx::query("UPDATE deliveries SET status = ?2, run_id = ?3, reason = ?4 WHERE id = ?1")
            .bind(id)
            .bind(status)
            .bind(run_id)
            .bind(reason)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn list_deliveries(
        &self,
        webhook_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!("{DELIVERY_SELECT} WHERE webhook_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3");
        newest_first(&self.pool, &sql, webhook_id, before, limit, delivery).await
    }

    async fn count_deliveries(&self, webhook_id: i64) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE webhook_id = ?1")
            .bind(webhook_id)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n.max(0).unsigned_abs())
    }
}
