//! The build pipeline: what turns an app's files at one revision into a `.tcx` that tcex-cli and
//! the platform accept (see `docs/builds.md`).
//!
//! - [`excludes`]: which files a package leaves out, decided as `tcex package` decides.
//! - [`normalize`]: install.json as tcex-cli rewrites it for a package.
//! - [`package()`]: the deterministic zip (same files, same bytes) and its sha256.
//! - [`source`]: reading a folder from disk without following links (the CLI; vendored deps).
//!
//! Nothing here knows about HTTP, the database or git: the server's build worker and
//! `appbuilder package DIR` call the same functions.

pub mod excludes;
pub mod normalize;
mod package;
pub mod pipeline;
pub mod sandbox;
mod service;
pub mod source;
pub mod toolbox;

pub use package::{Package, folder_name, package, vendored_tcex};
pub use service::Builds;

use std::collections::BTreeMap;

/// An app's files: relative `/`-separated path → bytes, sorted by path.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Why a build step could not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The app itself is wrong; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// Something on the server failed (disk, a missing tool); logged, not the user's fault.
    #[error("internal: {0}")]
    Internal(String),
}
