//! The app service: apps as developers see them.
//!
//! [`Apps`] ties the version store (`repo`, one git repository per app) to the app rows in the
//! database (`domain::ports::AppStore`): it creates apps from [`templates`], checks every path
//! and size before anything is written, turns a save into one commit authored by the signed-in
//! user, and keeps the row's display name, runtime level and size in step with `install.json`.
//! Authorization is the caller's job (the HTTP layer checks roles before calling).

pub mod archive;
mod error;
mod service;
pub mod templates;

pub use domain::app::AppSummary;
pub use error::AppsError;
pub use service::{Apps, CreatedApp, ImportedApp, SaveOutcome, parse_path};
