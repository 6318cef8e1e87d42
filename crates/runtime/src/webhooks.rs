//! Webhooks: `/hooks/<token>` for an app deployed on a target.
//!
//! A delivery is checked (the hook exists and is enabled, the body size, the per-hook rate, the
//! optional HMAC-SHA256 signature with its replay window), stored durably — many deliveries
//! share one transaction (group commit), each caller waits for its own — and only then
//! acknowledged. A dispatcher turns stored deliveries into runs, oldest first, as run slots free
//! up; a delivery stored before a crash is dispatched after the restart (at least once).
//!
//! Signatures: the header (name configurable) carries `t=<unix seconds>,v1=<hex>` where the hex is
//! HMAC-SHA256(secret, "<t>.<raw body>"). A timestamp more than [`REPLAY_WINDOW`] away from now,
//! or a signature already seen inside the window, is refused.

use crate::Runtime;
use apps::AppsError;
use domain::Principal;
use domain::deploy::{Delivery, NewDelivery, NewWebhook, Webhook, WebhookSecrets};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc, oneshot};

/// How far a signature's timestamp may be from now.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(300);
/// How long a looked-up hook is trusted before it is read again (a disable elsewhere shows then).
const CACHE_FOR: Duration = Duration::from_secs(5);
/// Deliveries written in one transaction at most.
const BATCH: usize = 256;
/// Headers never stored or handed to the app.
const PRIVATE_HEADERS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// A request as it reached `/hooks/<token>`.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: String,
    /// Names lower-case.
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What an admin gives to enable a webhook.
#[derive(Debug, Clone, Default)]
pub struct WebhookRequest {
    pub target: Option<String>,
    pub signature_header: Option<String>,
    pub secret: Option<String>,
    pub rate_per_minute: Option<u32>,
    pub max_body_bytes: Option<u64>,
    /// The caller waits for the run and gets the app's answer.
    pub respond: bool,
    pub inputs: Map<String, Value>,
}

/// What `/hooks/<token>` answers: the stored delivery, and the app's answer when the hook
/// waits for one.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub delivery: i64,
    /// The finished run and what the app answered (`None`: it answered nothing).
    pub answer: Option<(domain::deploy::Run, Option<Value>)>,
}

/// A new webhook and the token of its URL (shown once).
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    pub token: String,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

type Write = (NewDelivery, oneshot::Sender<Result<i64, String>>);

/// The webhook machinery's shared state.
pub(crate) struct Hooks {
    cache: Mutex<HashMap<String, (WebhookSecrets, Instant)>>,
    buckets: Mutex<HashMap<i64, Bucket>>,
    seen: Mutex<HashMap<String, Instant>>,
    writes: mpsc::UnboundedSender<Write>,
    pending: Mutex<Option<mpsc::UnboundedReceiver<Write>>>,
    dispatch: Notify,
}

impl Hooks {
    pub(crate) fn new() -> Hooks {
        let (writes, pending) = mpsc::unbounded_channel();
        Hooks {
            cache: Mutex::default(),
            buckets: Mutex::default(),
            seen: Mutex::default(),
            writes,
            pending: Mutex::new(Some(pending)),
            dispatch: Notify::new(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether a delivery belongs to a hook whose caller is waiting for it right now (received in the
/// last minute): its request runs it. Older ones (a restart came between) are dispatched.
fn answers_caller(delivery: &Delivery, hook: Option<&WebhookSecrets>) -> bool {
    let fresh = time::OffsetDateTime::now_utc() - delivery.received_at < time::Duration::minutes(1);
    fresh && hook.is_some_and(|hook| hook.webhook.respond)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whk_{}", hex::encode(bytes))
}

/// Checks `t=<unix>,v1=<hex>` against the body; the signature's hex on success.
pub fn check_signature(header: &str, secret: &[u8], body: &[u8], now_unix: i64) -> Result<String, String> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return Err("the signature header is not t=<unix>,v1=<hex>".into()) };
    if (now_unix - t).unsigned_abs() > REPLAY_WINDOW.as_secs() {
        return Err(format!("the signature's timestamp is more than {} s away from now", REPLAY_WINDOW.as_secs()));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected = hex::decode(&v1).map_err(|_| "the signature is not hex".to_owned())?;
    mac.verify_slice(&expected).map_err(|_| "the signature does not match the body".to_owned())?;
    Ok(v1)
}

impl Runtime {
    /// Enables a webhook for an app deployed on the target (admins only).
    pub async fn create_webhook(
        &self,
        actor: &Principal,
        slug: &str,
        request: WebhookRequest,
    ) -> Result<CreatedWebhook, AppsError> {
        crate::service::require_admin(actor)?;
        let (app_id, slug) = self.inner.apps.find(slug).await?;
        let target = self.target(request.target.as_deref().unwrap_or("local")).await?;
        let live = self.inner.store.live_deployment(app_id, target.id, None).await?.ok_or_else(|| {
            AppsError::Invalid(format!(
                "{slug} is not deployed to {}; deploy it before enabling a webhook",
                target.name
            ))
        })?;
        let installed = self.installed(live.build).await?;
        crate::service::check_inputs(&installed, request.inputs.clone())?;
        let header = request.signature_header.map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty());
        if header.is_some() != request.secret.as_deref().is_some_and(|s| !s.is_empty()) {
            return Err(AppsError::Invalid("a signature check needs both signature_header and secret".into()));
        }
        if let Some(h) = &header
            && !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(AppsError::Invalid(format!("{h:?} is not a header name")));
        }
        let rate = request.rate_per_minute.unwrap_or(600);
        if !(1..=600_000).contains(&rate) {
            return Err(AppsError::Invalid("rate_per_minute must be between 1 and 600000".into()));
        }
        let max_body = request.max_body_bytes.unwrap_or(1024 * 1024);
        if !(1..=16 * 1024 * 1024).contains(&max_body) {
            return Err(AppsError::Invalid("max_body_bytes must be between 1 and 16 MiB".into()));
        }
        let (masked, secret_inputs) = crate::service::mask(&installed, &request.inputs);
        let seal_json =
            |m: &Map<String, Value>| self.inner.secrets.seal(&serde_json::to_vec(m).expect("JSON serialises"));
        let token = new_token();
        let new = NewWebhook {
            app_id,
            target_id: target.id,
            token_hash: token_hash(&token),
            signature_header: header,
            secret: request.secret.map(|s| self.inner.secrets.seal(s.as_bytes())),
            inputs: Value::Object(masked),
            secret_inputs: (!secret_inputs.is_empty()).then(|| seal_json(&secret_inputs)),
            rate_per_minute: rate,
            max_body_bytes: max_body,
            respond: request.respond,
            created_by: actor.user_id,
        };
        let webhook = self.inner.webhooks.create_webhook(&new).await?;
        let detail = json!({"webhook": webhook.id, "target": target.name, "signed": webhook.has_secret, "rate_per_minute": rate});
        self.inner.apps.audit().record_durable(actor.username.as_str(), "webhook.enable", slug.as_str(), detail).await;
        Ok(CreatedWebhook { webhook, token })
    }

    /// An app's webhooks.
    pub async fn webhooks(&self, slug: &str) -> Result<Vec<Webhook>, AppsError> {
        let (app_id, _) = self.inner.apps.find(slug).await?;
        Ok(self.inner.webhooks.list_webhooks(app_id).await?)
    }

    /// Disables a webhook (admins only); its URL answers 404 from then on.
    pub async fn disable_webhook(&self, actor: &Principal, id: i64) -> Result<(), AppsError> {
        crate::service::require_admin(actor)?;
        let found = self
            .inner
            .webhooks
            .find_webhook(id)
            .await?
            .ok_or_else(|| AppsError::NotFound(format!("no webhook {id}")))?;
        self.inner.webhooks.disable_webhook(id).await?;
        lock(&self.inner.hooks.cache).retain(|_, (w, _)| w.webhook.id != id);
        let detail = json!({"webhook": id});
        self.inner
            .apps
            .audit()
            .record_durable(actor.username.as_str(), "webhook.disable", &found.webhook.app, detail)
            .await;
        Ok(())
    }

    /// A webhook's deliveries, newest first, with their runs.
    pub async fn deliveries(&self, id: i64, before: Option<i64>, limit: u32) -> Result<Vec<Delivery>, AppsError> {
        self.inner.webhooks.find_webhook(id).await?.ok_or_else(|| AppsError::NotFound(format!("no webhook {id}")))?;
        Ok(self.inner.webhooks.list_deliveries(id, before, limit).await?)
    }

    /// How many deliveries a webhook has stored.
    pub async fn delivery_count(&self, id: i64) -> Result<u64, AppsError> {
        Ok(self.inner.webhooks.count_deliveries(id).await?)
    }

    async fn hook_for(&self, token: &str) -> Result<WebhookSecrets, AppsError> {
        let hash = token_hash(token);
        if let Some((hook, at)) = lock(&self.inner.hooks.cache).get(&hash)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(hook.clone());
        }
        let hook = self
            .inner
            .webhooks
            .find_webhook_by_token(&hash)
            .await?
            .ok_or_else(|| AppsError::NotFound("no such webhook".into()))?;
        lock(&self.inner.hooks.cache).insert(hash, (hook.clone(), Instant::now()));
        Ok(hook)
    }

    fn take_rate_token(&self, hook: &Webhook) -> bool {
        let mut buckets = lock(&self.inner.hooks.buckets);
        let rate = f64::from(hook.rate_per_minute.max(1));
        let bucket = buckets.entry(hook.id).or_insert(Bucket { tokens: rate, at: Instant::now() });
        let refill = bucket.at.elapsed().as_secs_f64() * rate / 60.0;
        bucket.tokens = (bucket.tokens + refill).min(rate);
        bucket.at = Instant::now();
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Accepts a delivery: checks, stores durably, then wakes the dispatcher — or, for a hook that
    /// answers its caller, runs it at once and returns the run and the app's answer.
    pub async fn deliver(&self, token: &str, incoming: Incoming) -> Result<Delivered, AppsError> {
        let hook = self.hook_for(token).await?;
        let webhook = &hook.webhook;
        if incoming.body.len() as u64 > webhook.max_body_bytes {
            return Err(AppsError::TooLarge(format!(
                "the body is over this webhook's limit of {} bytes",
                webhook.max_body_bytes
            )));
        }
        if let (Some(header), Some(sealed)) = (&webhook.signature_header, &hook.secret) {
            let value = incoming.headers.iter().find(|(k, _)| k == header).map(|(_, v)| v.as_str()).unwrap_or_default();
            let secret = self.inner.secrets.open(sealed).map_err(|e| AppsError::Internal(e.to_string()))?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let signature = check_signature(value, &secret, &incoming.body, now).map_err(AppsError::Forbidden)?;
            let mut seen = lock(&self.inner.hooks.seen);
            seen.retain(|_, at| at.elapsed() < REPLAY_WINDOW * 2);
            if seen.insert(format!("{}:{signature}", webhook.id), Instant::now()).is_some() {
                return Err(AppsError::Forbidden("this signature was used already (a replay)".into()));
            }
        }
        if !self.take_rate_token(webhook) {
            return Err(AppsError::Busy(format!(
                "this webhook takes at most {} deliveries a minute",
                webhook.rate_per_minute
            )));
        }
        let private = |name: &str| PRIVATE_HEADERS.contains(&name) || webhook.signature_header.as_deref() == Some(name);
        let headers: Map<String, Value> =
            incoming.headers.into_iter().filter(|(k, _)| !private(k)).map(|(k, v)| (k, Value::from(v))).collect();
        let query: Map<String, Value> = incoming.query.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
        let delivery = NewDelivery {
            webhook_id: webhook.id,
            method: incoming.method,
            headers: Value::Object(headers),
            query: Value::Object(query),
            body: incoming.body,
        };
        let (stored, id) = oneshot::channel();
        self.inner
            .hooks
            .writes
            .send((delivery.clone(), stored))
            .map_err(|_| AppsError::Internal("the delivery writer stopped".into()))?;
        let id = id
            .await
            .map_err(|_| AppsError::Internal("the delivery writer stopped".into()))?
            .map_err(AppsError::Internal)?;
        if !webhook.respond {
            self.inner.hooks.dispatch.notify_one();
            return Ok(Delivered { delivery: id, answer: None });
        }
        // The caller waits: run now (the dispatcher leaves fresh deliveries of such hooks alone).
        let stored = Delivery {
            id,
            webhook: webhook.id,
            received_at: time::OffsetDateTime::now_utc(),
            method: delivery.method,
            headers: delivery.headers,
            query: delivery.query,
            body: delivery.body,
            status: "received".into(),
            run: None,
            reason: None,
        };
        // Read again, not from the token cache: a hook disabled a moment ago runs nothing.
        let dispatched = match self.inner.webhooks.find_webhook(webhook.id).await {
            Ok(current) => self.dispatch(&stored, current, true).await,
            Err(err) => Err(err.into()),
        };
        let run = match dispatched {
            Ok(run) => run,
            Err(err) => {
                let _ = self.inner.webhooks.settle_delivery(id, None, Some(&err.to_string())).await;
                return Err(err);
            }
        };
        self.inner.webhooks.settle_delivery(id, Some(run.id), None).await?;
        let response = run.response.clone();
        Ok(Delivered { delivery: id, answer: Some((run, response)) })
    }

    /// Starts the delivery writer and the dispatcher (once, at start-up).
    pub(crate) fn start_webhooks(&self) {
        let Some(mut pending) = lock(&self.inner.hooks.pending).take() else { return };
        let store = self.inner.webhooks.clone();
        tokio::spawn(async move {
            while let Some(batch) = apps::audit::next_batch(&mut pending, BATCH).await {
                let (deliveries, acks): (Vec<NewDelivery>, Vec<_>) = batch.into_iter().unzip();
                match store.store_deliveries(&deliveries).await {
                    Ok(ids) => {
                        for (ack, id) in acks.into_iter().zip(ids) {
                            let _ = ack.send(Ok(id));
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "cannot store webhook deliveries");
                        for ack in acks {
                            let _ = ack.send(Err("the delivery could not be stored".into()));
                        }
                    }
                }
            }
        });
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let _ = tokio::time::timeout(Duration::from_secs(1), this.inner.hooks.dispatch.notified()).await;
                this.dispatch_pending().await;
            }
        });
    }

    async fn dispatch_pending(&self) {
        loop {
            let room = self.inner.settings.queue.saturating_sub(self.inner.waiting.load(Ordering::SeqCst));
            if room == 0 {
                return;
            }
            let batch = match self.inner.webhooks.pending_deliveries(u32::try_from(room.min(50)).unwrap_or(50)).await {
                Ok(batch) if !batch.is_empty() => batch,
                Ok(_) => return,
                Err(err) => {
                    tracing::error!(error = %err, "cannot read pending deliveries");
                    return;
                }
            };
            let mut dispatched = 0;
            for delivery in batch {
                // One read of the hook per delivery, for both questions below.
                let hook = match self.inner.webhooks.find_webhook(delivery.webhook).await {
                    Ok(hook) => hook,
                    Err(err) => {
                        // Settled as failed, so one unreadable hook does not hold up the queue.
                        tracing::error!(delivery = delivery.id, error = %err, "cannot read a delivery's webhook");
                        let reason = format!("the webhook cannot be read: {err}");
                        if let Err(err) = self.inner.webhooks.settle_delivery(delivery.id, None, Some(&reason)).await {
                            tracing::error!(delivery = delivery.id, error = %err, "cannot settle a delivery");
                            return;
                        }
                        dispatched += 1;
                        continue;
                    }
                };
                if answers_caller(&delivery, hook.as_ref()) {
                    continue;
                }
                let settled = match self.dispatch(&delivery, hook, false).await {
                    Ok(run) => self.inner.webhooks.settle_delivery(delivery.id, Some(run.id), None).await,
                    Err(err) => self.inner.webhooks.settle_delivery(delivery.id, None, Some(&err.to_string())).await,
                };
                if let Err(err) = settled {
                    tracing::error!(delivery = delivery.id, error = %err, "cannot settle a delivery");
                    return;
                }
                dispatched += 1;
            }
            if dispatched == 0 {
                // Only deliveries whose callers run them: the next wake-up looks again.
                return;
            }
        }
    }

    /// Starts the run of one delivery of `hook` (as stored now; `None`: removed) on the version
    /// deployed now, and waits for it if asked.
    async fn dispatch(
        &self,
        delivery: &Delivery,
        hook: Option<WebhookSecrets>,
        wait: bool,
    ) -> Result<domain::deploy::Run, AppsError> {
        let hook = hook.ok_or_else(|| AppsError::NotFound("the webhook is gone".into()))?;
        if !hook.webhook.enabled {
            return Err(AppsError::Invalid("the webhook was disabled before this delivery ran".into()));
        }
        let live = self
            .inner
            .store
            .live_deployment(hook.webhook.app_id, hook.webhook.target_id, None)
            .await?
            .ok_or_else(|| AppsError::Invalid("the app is no longer deployed on the webhook's target".into()))?;
        let mut inputs = hook.webhook.inputs.as_object().cloned().unwrap_or_default();
        let sealed = self.unseal(hook.secret_inputs.as_deref())?;
        let pairs = |value: &Value| -> Value {
            Value::Array(value.as_object().into_iter().flatten().map(|(k, v)| json!({"key": k, "value": v})).collect())
        };
        let body = String::from_utf8_lossy(&delivery.body).into_owned();
        inputs.insert("trg.http.body".into(), Value::from(body.clone()));
        inputs.insert("trg.http.header".into(), pairs(&delivery.headers));
        inputs.insert("trg.http.queryparam".into(), pairs(&delivery.query));
        let event =
            json!({"method": delivery.method, "headers": delivery.headers, "params": delivery.query, "body": body});
        match self
            .start_run(
                None,
                crate::service::RunSource::from(&live),
                crate::service::Given { inputs, sealed, webhook_event: Some(event) },
                "webhook",
                wait,
            )
            .await?
        {
            crate::Started::Queued(run) | crate::Started::Finished(run) => Ok(run),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("key");
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signatures_are_checked_with_their_timestamp() {
        let now = 1_800_000_000;
        let header = sign(b"k", now, b"{}");
        assert!(check_signature(&header, b"k", b"{}", now + 10).is_ok());
        assert!(check_signature(&header, b"k", b"{ }", now).expect_err("a changed body").contains("does not match"));
        assert!(check_signature(&header, b"other", b"{}", now).is_err());
        assert!(check_signature(&header, b"k", b"{}", now + 301).expect_err("stale").contains("away from now"));
        assert!(check_signature("v1=00", b"k", b"{}", now).is_err());
        assert!(check_signature("", b"k", b"{}", now).is_err());
    }
}
