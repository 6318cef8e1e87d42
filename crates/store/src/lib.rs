//! Storage adapters for AppBuilder.
//!
//! [`SqliteStore`] is the embedded default: one SQLite file (WAL mode) in the data directory,
//! its schema in the workspace's `migrations/` folder, applied on [`SqliteStore::open`]. It
//! implements the ports of `domain::ports`; services never see sqlx types.

mod accounts;
mod apps;
mod builds;
mod deploy;
mod releases;
mod snippets;
mod sqlite;
mod webhooks;

pub use sqlite::SqliteStore;
