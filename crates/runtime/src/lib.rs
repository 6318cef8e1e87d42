//! The embedded runtime (the `local` deploy target): installs `.tcx` packages and runs apps in
//! the sandbox through the run contract of `docs/runtime.md`.
//!
//! - [`install`]: a package unpacked once into `runtime/apps/<sha256>/` (archives are hostile:
//!   the import rules apply), read-only from then on.
//! - [`run`]: one run — inputs in, output variables, exit message, log and duration out.

mod cancel;
pub mod install;
pub mod remote;
pub mod run;
pub mod secrets;
mod service;
pub mod webhooks;

pub use domain::deploy::TargetRequest;
pub use service::{Runtime, RuntimeSettings, RuntimeStores, Started};

/// Why the runtime could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// The package or the inputs are wrong; the message says what.
    #[error("{0}")]
    Invalid(String),
    /// Disk, a missing tool: logged, not the user's fault.
    #[error("internal: {0}")]
    Internal(String),
}
