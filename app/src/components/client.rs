//! Browser-only objects kept by components (a Monaco editor, an EventSource).

use leptos::prelude::*;

/// Where the page keeps browser-only objects: thread-local in the browser (JavaScript objects
/// cannot move between threads); on the server, whose stand-ins are plain data and whose
/// renders move between threads, ordinary shared storage.
#[cfg(feature = "browser")]
pub type ClientStorage = LocalStorage;
#[cfg(not(feature = "browser"))]
pub type ClientStorage = SyncStorage;

/// A `StoredValue` for a browser-only object (see [`ClientStorage`]).
#[cfg(feature = "browser")]
pub fn client_value<T: 'static>(value: T) -> StoredValue<T, ClientStorage> {
    StoredValue::new_local(value)
}

/// A `StoredValue` for a browser-only object's server stand-in (see [`ClientStorage`]).
#[cfg(not(feature = "browser"))]
pub fn client_value<T: Send + Sync + 'static>(value: T) -> StoredValue<T, ClientStorage> {
    StoredValue::new(value)
}
