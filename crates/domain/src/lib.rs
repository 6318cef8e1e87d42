//! AppBuilder's pure core: the types and rules every other crate agrees on.
//!
//! Nothing here does I/O or names a framework (no axum, sqlx, git2 or leptos), so the same rules
//! compile for the server and for the browser (`cargo check -p domain --target wasm32-unknown-unknown`).
//! Storage is reached through the small async traits in [`ports`], which adapters in `crates/store`
//! implement and services in `crates/accounts` consume as `Arc<dyn Trait>`.

pub mod app;
pub mod history;
pub mod paging;
pub mod ports;
pub mod problem;
pub mod role;
pub mod user;

pub use role::Role;
pub use user::{Me, Principal, UserSummary, Username};
