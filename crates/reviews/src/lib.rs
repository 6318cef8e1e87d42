//! Releases and reviews (issue 8).
//!
//! A release is the annotated git tag `v<programVersion>` on a revision plus the build of that
//! revision; versions only go up per app. [`Releases::propose`] drafts one: the contract changes
//! since the last release (`domain::manifest::contract`), the semver bump they call for, and notes
//! from the commit messages. A developer asks for a review; reviewers and admins comment (on the
//! release, a line of a file, or a manifest field) and approve or request changes — never the
//! release's own author. Protected targets take only approved releases (checked by the runtime
//! through `ReleaseStore::approved_release_of_build`). Review requests and answers reach people
//! as notifications.

mod notes;
mod service;

pub use service::Releases;
