//! The server fns of the editor and history pages: thin calls into the app service.

use super::workspace::TextChange;
#[cfg(feature = "ssr")]
use crate::services::{apps_service, shown};
use domain::app::AppSummary;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A file of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
}

/// What the editor page opens with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFiles {
    pub app: AppSummary,
    /// The revision shown (the head unless one was asked for).
    pub revision: String,
    pub files: Vec<FileEntry>,
    /// Whether the signed-in user may change the app.
    pub can_write: bool,
}

/// How a save (or a restore) went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveResult {
    /// Committed as `revision`. `others` are paths someone else changed between the save's base
    /// and the commit it landed on (empty unless the head had moved).
    Saved { revision: String, others: Vec<String> },
    /// Nothing was committed: these paths changed since the base; the head is now `head`.
    Conflict { head: String, paths: Vec<String> },
}

/// The app and its files at `rev` (the head when `None`).
#[server(prefix = "/rpc", input = Json)]
pub async fn load_app_files(slug: String, rev: Option<String>) -> Result<AppFiles, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let app = apps.get(&slug).await.map_err(shown)?;
    let tree = apps.tree(&slug, rev.as_deref()).await.map_err(shown)?;
    Ok(AppFiles {
        app,
        revision: tree.revision.to_string(),
        files: tree.entries.into_iter().map(|e| FileEntry { path: e.path.to_string(), size: e.size }).collect(),
        can_write: apps::require_writer(&principal).is_ok(),
    })
}

/// The text of `path` at `rev`; `None` when the file is not UTF-8 text.
#[server(prefix = "/rpc", input = Json)]
pub async fn file_text(slug: String, rev: String, path: String) -> Result<Option<String>, ServerFnError> {
    let (_, apps) = apps_service()?;
    let (_, bytes) = apps.read_file(&slug, Some(&rev), &path).await.map_err(shown)?;
    Ok(String::from_utf8(bytes).ok())
}

/// Saves `changes` as one commit on top of `base`.
#[server(prefix = "/rpc", input = Json)]
pub async fn save_changes(
    slug: String,
    base: String,
    message: String,
    changes: Vec<TextChange>,
) -> Result<SaveResult, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let changes = changes.into_iter().map(file_change).collect::<Result<Vec<_>, _>>().map_err(shown)?;
    let outcome = apps.save(&principal, &slug, &base, &message, changes).await;
    landed(&apps, &slug, &base, outcome).await
}

/// Makes a new commit whose files are `rev`'s, on top of `base` (which must be the head).
#[server(prefix = "/rpc", input = Json)]
pub async fn restore_version(slug: String, rev: String, base: String) -> Result<SaveResult, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let outcome = apps.restore(&principal, &slug, &rev, &base).await;
    landed(&apps, &slug, &base, outcome).await
}

/// The paths that differ between two revisions (both ends of a rename).
#[server(prefix = "/rpc", input = Json)]
pub async fn changed_paths(slug: String, from: String, to: String) -> Result<Vec<String>, ServerFnError> {
    let (_, apps) = apps_service()?;
    changed(&apps, &slug, &from, &to).await
}

#[cfg(feature = "ssr")]
fn file_change(change: TextChange) -> Result<domain::app::FileChange, apps::AppsError> {
    use domain::app::FileChange;
    let path = |raw: &str| apps::parse_path(raw);
    Ok(match change {
        TextChange::Put { path: p, text } => FileChange::Put { path: path(&p)?, content: text.into_bytes() },
        TextChange::Delete { path: p } => FileChange::Delete { path: path(&p)? },
        TextChange::Move { from, path: p } => FileChange::Move { from: path(&from)?, to: path(&p)? },
    })
}

/// A save's or restore's outcome for the UI: a conflict is an answer, not an error.
#[cfg(feature = "ssr")]
async fn landed(
    apps: &apps::Apps,
    slug: &str,
    base: &str,
    outcome: Result<apps::SaveOutcome, apps::AppsError>,
) -> Result<SaveResult, ServerFnError> {
    match outcome {
        Ok(saved) => {
            let revision = saved.revision.to_string();
            let detail = apps.commit_detail(slug, &revision).await.map_err(shown)?;
            let others = match detail.commit.parents.first() {
                Some(parent) if parent.as_str() != base => changed(apps, slug, base, parent.as_str()).await?,
                _ => Vec::new(),
            };
            Ok(SaveResult::Saved { revision, others })
        }
        Err(apps::AppsError::Conflict { head, paths }) => {
            Ok(SaveResult::Conflict { head: head.to_string(), paths: paths.into_iter().map(String::from).collect() })
        }
        Err(err) => Err(shown(err)),
    }
}

/// Python syntax problems of the given top-level `.py` sources (the editor's unsaved text): parsed
/// on the server (never run), since the browser has no Python parser.
#[server(prefix = "/rpc", input = Json)]
pub async fn check_python(sources: Vec<(String, String)>) -> Result<Vec<domain::problem::Problem>, ServerFnError> {
    apps_service()?;
    let sources: Vec<(String, Vec<u8>)> = sources
        .into_iter()
        .filter(|(path, _)| !path.contains('/') && path.ends_with(".py"))
        .take(50)
        .map(|(path, text)| (path, text.into_bytes()))
        .collect();
    Ok(apps::problems::check_python_off_thread(sources).await)
}

/// Every path that differs between two revisions (both ends of a rename), sorted.
#[cfg(feature = "ssr")]
pub(crate) async fn changed(apps: &apps::Apps, slug: &str, from: &str, to: &str) -> Result<Vec<String>, ServerFnError> {
    let diff = apps.diff(slug, from, to, None).await.map_err(shown)?;
    let mut paths: Vec<String> = diff
        .files
        .into_iter()
        .flat_map(|f| std::iter::once(f.file.path.to_string()).chain(f.file.old_path.map(String::from)))
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}
