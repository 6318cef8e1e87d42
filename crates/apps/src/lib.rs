//! The app service: apps as developers see them.
//!
//! [`Apps`] ties the version store (`repo`, one git repository per app) to the app rows in the
//! database (`domain::ports::AppStore`): it creates apps from [`templates`], checks every path
//! and size before anything is written, turns a save into one commit authored by the signed-in
//! user, and keeps the row's display name, runtime level and size in step with `install.json`
//! (written behind the save, see `rows`). [`Snippets`] keeps users' own editor snippets.
//! The service enforces who may write (developers and admins; archiving: admins), so the REST
//! handlers and the UI's server fns share one rule; reading needs only a signed-in user, which
//! the HTTP layer guarantees before anything reaches here.

pub mod archive;
pub mod audit;
mod error;
pub mod problems;
mod rows;
mod service;
mod snippets;
pub mod templates;

pub use domain::app::AppSummary;
pub use error::AppsError;
pub use service::{Apps, CreatedApp, ImportedApp, RowRepair, SaveOutcome, parse_path, require_writer};
pub use snippets::Snippets;
