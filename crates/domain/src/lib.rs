//! AppBuilder's pure core: the types and rules every other crate agrees on.
//!
//! Nothing here does I/O or names a framework (no axum, sqlx, git2 or leptos), so the same rules
//! compile for the server and for the browser (`cargo check -p domain --target wasm32-unknown-unknown`).
//! Storage is reached through the small async traits in [`ports`], which adapters in `crates/store`
//! implement and services in `crates/accounts` consume as `Arc<dyn Trait>`.

/// The conversions every validated string type shares: `TryFrom<String>` through its `parse`
/// (so serde checks it too), `From<T> for String`, and `Display`.
macro_rules! string_newtype {
    ($name:ident, $error:ty) => {
        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod app;
pub mod build;
pub mod deploy;
pub mod guides;
pub mod history;
pub mod manifest;
pub mod paging;
pub mod ports;
pub mod problem;
pub mod release;
pub mod role;
pub mod snippets;
pub mod user;

pub use role::Role;
pub use user::{Me, Principal, UserSummary, Username};
