//! App rows written behind saves. A save updates the row the service keeps in memory at once and
//! queues the same change here; one writer task records whatever queued meanwhile in a single
//! transaction (group commit, as the audit log does). The save's commit in git is what is
//! durable; the row only mirrors it (name, runtime level, size, time), so:
//! - reads that go to the database (`Apps::list`) first wait until everything queued before
//!   them is written ([`RowWriter::settled`]), and see their own saves;
//! - each row names the commit it describes (`head_revision`), taking a save's commit only on
//!   top of that save's parent — a lost or reordered change leaves it unknown. Rows that do not
//!   name their repository's head (a stopped process did not write them, or a change was lost)
//!   are set again from git at the next start (`Apps::repair_rows`).
//!
//! Measured with `bench/store.sh` (16 clients on 16 apps, 2 cores): writing each save's row
//! before answering cost a quarter of the save's time (p50 3.99 ms against 2.94 ms without it).

use crate::audit::next_batch;
use domain::ports::{AppChange, AppStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, watch};

/// Row changes recorded in one transaction at most.
const BATCH: usize = 500;

/// The row writer; cheap to clone.
#[derive(Clone)]
pub(crate) struct RowWriter {
    queue: mpsc::UnboundedSender<(i64, AppChange)>,
    /// How many changes were queued, and how many are written (or failed: logged).
    queued: Arc<AtomicU64>,
    written: watch::Receiver<u64>,
}

impl RowWriter {
    /// Starts the writer task (needs a tokio runtime).
    pub(crate) fn start(store: Arc<dyn AppStore>) -> RowWriter {
        let (queue, mut pending) = mpsc::unbounded_channel::<(i64, AppChange)>();
        let (done, written) = watch::channel(0u64);
        tokio::spawn(async move {
            while let Some(batch) = next_batch(&mut pending, BATCH).await {
                let count = batch.len() as u64;
                if let Err(err) = store.record_saves(&batch).await {
                    // The commits are in git: the next start sets these rows again from there.
                    tracing::error!(error = %err, rows = batch.len(), "cannot record saves in the app rows");
                }
                done.send_modify(|written| *written += count);
            }
        });
        RowWriter { queue, queued: Arc::default(), written }
    }

    /// Queues a save's change to app `id`'s row.
    pub(crate) fn record(&self, id: i64, change: AppChange) {
        self.queued.fetch_add(1, Ordering::SeqCst);
        if self.queue.send((id, change)).is_err() {
            // No writer (the runtime is shutting down): nothing will be written, so don't wait for it.
            self.queued.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Waits until every change queued before this call is written.
    pub(crate) async fn settled(&self) {
        let target = self.queued.load(Ordering::SeqCst);
        let mut written = self.written.clone();
        // An error means the writer is gone; then nothing more will be written.
        let _ = written.wait_for(|written| *written >= target).await;
    }
}
