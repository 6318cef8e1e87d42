//! Unsaved work kept in the browser's local storage, per user and app, so that a reload, a crash
//! or a closed tab loses nothing. A draft holds only what the user changed: base texts are read
//! from the server again.

use super::workspace::WorkingCopy;

fn key(user: &str, slug: &str) -> String {
    format!("appbuilder.draft.{user}.{slug}")
}

/// The draft of `slug`, if one was kept.
pub fn load(user: &str, slug: &str) -> Option<WorkingCopy> {
    let text = storage()?.get_item(&key(user, slug)).ok()??;
    serde_json::from_str(&text).ok()
}

/// Keeps `copy`'s changes, or forgets the draft when there are none.
pub fn keep(user: &str, slug: &str, copy: &WorkingCopy) {
    let Some(storage) = storage() else { return };
    if copy.has_changes() {
        if let Ok(text) = serde_json::to_string(&copy.draft()) {
            let _ = storage.set_item(&key(user, slug), &text);
        }
    } else {
        let _ = storage.remove_item(&key(user, slug));
    }
}

#[cfg(feature = "browser")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

#[cfg(not(feature = "browser"))]
fn storage() -> Option<NoStorage> {
    None
}

/// The server has no local storage.
#[cfg(not(feature = "browser"))]
struct NoStorage;

#[cfg(not(feature = "browser"))]
impl NoStorage {
    fn get_item(&self, _: &str) -> Result<Option<String>, ()> {
        Ok(None)
    }
    fn set_item(&self, _: &str, _: &str) -> Result<(), ()> {
        Ok(())
    }
    fn remove_item(&self, _: &str) -> Result<(), ()> {
        Ok(())
    }
}
