//! Cancelling runs: each queued or running run has a switch its sandbox watches; flipping it
//! stops a running app at once (the sandbox kills its process group) and a queued one before it
//! starts. The switch remembers who flipped it, for the run's reason.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use tokio::sync::watch;

struct Control {
    cancel: watch::Sender<bool>,
    by: Option<String>,
}

/// The switches of the runs that have not ended.
#[derive(Default)]
pub(crate) struct RunControls {
    runs: Mutex<HashMap<i64, Control>>,
}

impl RunControls {
    /// A switch for run `id`; its receiver goes to the run.
    pub(crate) fn register(&self, id: i64) -> watch::Receiver<bool> {
        let (cancel, watched) = watch::channel(false);
        self.lock().insert(id, Control { cancel, by: None });
        watched
    }

    /// Flips run `id`'s switch for `by`; false when the run has ended (or never was).
    pub(crate) fn cancel(&self, id: i64, by: &str) -> bool {
        let mut runs = self.lock();
        let Some(control) = runs.get_mut(&id) else { return false };
        control.by.get_or_insert_with(|| by.to_owned());
        let _ = control.cancel.send(true);
        true
    }

    /// Who cancelled run `id`, if anyone did.
    pub(crate) fn cancelled_by(&self, id: i64) -> Option<String> {
        self.lock().get(&id).and_then(|control| control.by.clone())
    }

    /// Forgets run `id` (it ended); who cancelled it, if anyone did.
    pub(crate) fn finish(&self, id: i64) -> Option<String> {
        self.lock().remove(&id).and_then(|control| control.by)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Control>> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::RunControls;

    #[test]
    fn a_switch_reaches_its_run_once_and_remembers_the_first_who() {
        let controls = RunControls::default();
        let watched = controls.register(7);
        assert!(!*watched.borrow());
        assert!(controls.cancel(7, "dev"));
        assert!(controls.cancel(7, "admin"), "a second cancel is harmless");
        assert!(*watched.borrow());
        assert_eq!(controls.cancelled_by(7).as_deref(), Some("dev"));
        assert_eq!(controls.finish(7).as_deref(), Some("dev"));
        assert!(!controls.cancel(7, "dev"), "an ended run cannot be cancelled");
        let _other = controls.register(8);
        assert_eq!(controls.finish(8), None);
    }
}
