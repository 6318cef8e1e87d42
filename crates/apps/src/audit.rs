//! The audit log as services write it: `record` for frequent changes (saves), which returns at
//! once and is written within a moment in a batch; `record_durable` for rare, weighty ones
//! (deploys, rollbacks, targets, users), which returns once the event is stored. One writer task
//! appends everything in order.
//!
//! A save's event can be lost if the process dies in the moment before its batch is written; the
//! save itself is in git with its author and time, so nothing about it is lost.

use domain::deploy::NewAuditEvent;
use domain::ports::AuditStore;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Events written in one transaction at most.
const BATCH: usize = 500;

type Queued = (NewAuditEvent, Option<oneshot::Sender<()>>);

/// Waits for the next item, then takes what else is already waiting, up to `max` in all: the
/// batching of group commits (one transaction for whatever queued while the last one ran).
pub async fn next_batch<T>(queue: &mut mpsc::UnboundedReceiver<T>, max: usize) -> Option<Vec<T>> {
    let mut batch = vec![queue.recv().await?];
    while batch.len() < max {
        match queue.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// The audit log writer; cheap to clone.
#[derive(Clone)]
pub struct Audit {
    queue: mpsc::UnboundedSender<Queued>,
}

impl Audit {
    /// Starts the writer task (needs a tokio runtime).
    pub fn start(store: Arc<dyn AuditStore>) -> Audit {
        let (queue, mut pending) = mpsc::unbounded_channel::<Queued>();
        tokio::spawn(async move {
            while let Some(batch) = next_batch(&mut pending, BATCH).await {
                let (events, acks): (Vec<NewAuditEvent>, Vec<Option<oneshot::Sender<()>>>) = batch.into_iter().unzip();
                if let Err(err) = store.record_events(&events).await {
                    tracing::error!(error = %err, lost = events.len(), "cannot write the audit log");
                }
                for ack in acks.into_iter().flatten() {
                    let _ = ack.send(());
                }
            }
        });
        Audit { queue }
    }

    fn event(actor: &str, action: &str, subject: &str, detail: Value) -> NewAuditEvent {
        NewAuditEvent { actor: actor.to_owned(), action: action.to_owned(), subject: subject.to_owned(), detail }
    }

    /// Queues an event; written within a moment.
    pub fn record(&self, actor: &str, action: &str, subject: &str, detail: Value) {
        let _ = self.queue.send((Self::event(actor, action, subject, detail), None));
    }

    /// Writes an event and waits until it is stored.
    pub async fn record_durable(&self, actor: &str, action: &str, subject: &str, detail: Value) {
        let (ack, stored) = oneshot::channel();
        if self.queue.send((Self::event(actor, action, subject, detail), Some(ack))).is_ok() {
            let _ = stored.await;
        }
    }
}
