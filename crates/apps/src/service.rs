//! [`Apps`]: create, list, read, save, history, diff, blame, restore.

use crate::archive;
use crate::error::AppsError;
use crate::rows::RowWriter;
use crate::templates;
use domain::app::{AppSlug, AppSummary, FileChange, MAX_APP_BYTES, MAX_FILE_BYTES, RepoPath, Revision};
use domain::history::{BlameLine, CommitDetail, CommitInfo, Diff, HistoryFilter, Tree};
use domain::manifest::contract::{Contract, ContractDiff};
use domain::paging::{Page, PageRequest};
use domain::ports::{AppChange, AppFacts, AppRecord, AppStore, NewApp};
use domain::problem::{Problem, Severity};
use domain::{Principal, Role};
use repo::{AppRepos, RepoKey, Signature, SizeBudget};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// The app service. Cheap to clone; build it once at start-up.
#[derive(Clone)]
pub struct Apps {
    store: Arc<dyn AppStore>,
    repos: AppRepos,
    audit: crate::audit::Audit,
    /// App rows by slug, kept in step with every change this service makes (all changes to
    /// apps go through it), so a save reads no row from the database.
    rows: Arc<Mutex<HashMap<String, AppRecord>>>,
    /// Writes saves' row changes behind them (see `rows`).
    row_writer: RowWriter,
}

/// A new app: its slug and first revision.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedApp {
    pub slug: AppSlug,
    pub head: Revision,
}

/// An imported app, with what the importer should look at.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedApp {
    pub slug: AppSlug,
    pub head: Revision,
    pub problems: Vec<Problem>,
}

/// Where a new app comes from.
struct NewOrigin {
    template: Option<&'static str>,
    runtime_level: String,
    message: String,
}

/// install.json with an `appId` added right after its opening brace (keeping the rest of the
/// text as it was), or `None` when it has one already or is not a JSON object.
fn ensure_app_id(install_json: &[u8]) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(install_json).ok()?;
    if !value.is_object() || value.get("appId").and_then(|v| v.as_str()).is_some_and(|id| !id.is_empty()) {
        return None;
    }
    let text = std::str::from_utf8(install_json).ok()?;
    let brace = text.find('{')?;
    let rest = &text[brace + 1..];
    let separator = if value.as_object().is_some_and(|o| o.is_empty()) { "" } else { "," };
    Some(format!("{}{{\n  \"appId\": \"{}\"{separator}{rest}", &text[..brace], uuid::Uuid::new_v4()).into_bytes())
}

/// What [`Apps::repair_rows`] did: how many rows it compared with their repositories, and how
/// many it set again because they named another head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRepair {
    pub checked: usize,
    pub repaired: usize,
}

/// What a save did.
#[derive(Debug, Clone, Serialize)]
pub struct SaveOutcome {
    pub revision: Revision,
    /// False when the changes matched what was there (no commit was made).
    pub changed: bool,
}

/// Who may change apps: developers and admins (reviewers read). Every writing method of
/// [`Apps`] checks this first; callers that validate input before calling may check it earlier.
pub fn require_writer(actor: &Principal) -> Result<(), AppsError> {
    require(actor, Role::Developer)
}

fn require(actor: &Principal, needed: Role) -> Result<(), AppsError> {
    if actor.role.allows(needed) {
        Ok(())
    } else {
        Err(AppsError::Forbidden(format!("this needs the {needed} role; you are {}", actor.role)))
    }
}

/// Checks a path from a client or an archive.
pub fn parse_path(raw: &str) -> Result<RepoPath, AppsError> {
    RepoPath::parse(raw).map_err(|reason| AppsError::InvalidPath { path: raw.chars().take(200).collect(), reason })
}

fn parse_revision(raw: &str) -> Result<Revision, AppsError> {
    Revision::parse(raw).map_err(|err| AppsError::Invalid(format!("{raw:?}: {err}")))
}

fn signature(actor: &Principal) -> Signature {
    Signature {
        name: actor.username.to_string(),
        email: format!("{}@appbuilder.invalid", actor.username),
        time: OffsetDateTime::now_utc(),
    }
}

/// A commit message for changes saved without one.
fn default_message(changes: &[FileChange]) -> String {
    match changes {
        [FileChange::Put { path, .. }] => format!("Update {path}"),
        [FileChange::Delete { path }] => format!("Delete {path}"),
        [FileChange::Move { from, to }] => format!("Move {from} to {to}"),
        many => format!("Update {} files", many.len()),
    }
}

/// The display name and runtime level an install.json declares, when it parses.
fn manifest_facts(install_json: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(doc) = domain::manifest::Document::parse(&String::from_utf8_lossy(install_json)) else {
        return (None, None);
    };
    let install = domain::manifest::model::InstallJson::read(&doc.value);
    let shown = |text: Option<String>| text.filter(|s| !s.trim().is_empty());
    (shown(install.display_name), shown(install.runtime_level))
}

impl Apps {
    pub fn new(store: Arc<dyn AppStore>, repos: AppRepos, audit: crate::audit::Audit) -> Self {
        let row_writer = RowWriter::start(store.clone());
        Self { store, repos, audit, rows: Arc::default(), row_writer }
    }

    /// The audit log writer the app service shares with the other services.
    pub fn audit(&self) -> &crate::audit::Audit {
        &self.audit
    }

    async fn record(&self, slug: &str) -> Result<(AppRecord, RepoKey), AppsError> {
        let not_found = || AppsError::NotFound(format!("no app {slug:?}"));
        let slug = AppSlug::parse(slug).map_err(|_| not_found())?;
        let cached = self.rows().get(slug.as_str()).cloned();
        let record = match cached {
            Some(record) => record,
            None => {
                let record = self.store.find_app(&slug).await?.ok_or_else(not_found)?;
                self.rows().insert(slug.to_string(), record.clone());
                record
            }
        };
        let key =
            RepoKey::parse(&record.repo_key).ok_or_else(|| AppsError::Internal(format!("bad repo key for {slug}")))?;
        Ok((record, key))
    }

    fn rows(&self) -> std::sync::MutexGuard<'_, HashMap<String, AppRecord>> {
        self.rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a save in the remembered row at once and in the database behind it.
    fn record_save(&self, record: &AppRecord, change: AppChange) {
        if let Some(row) = self.rows().get_mut(record.slug.as_str()) {
            if let Some(name) = &change.display_name {
                row.display_name = name.clone();
            }
            if let Some(level) = &change.runtime_level {
                row.runtime_level = level.clone();
            }
            row.size_bytes = row.size_bytes.saturating_add_signed(change.size_delta);
            // The same rule as the database's (see `AppChange::parent`).
            row.head_revision = (row.head_revision.as_ref() == Some(&change.parent)).then(|| change.revision.clone());
            let now = OffsetDateTime::now_utc().unix_timestamp();
            row.updated_at = OffsetDateTime::from_unix_timestamp(now).unwrap_or(row.updated_at);
        }
        self.row_writer.record(record.id, change);
    }

    /// Sets the rows of apps whose last saves a stopped process may not have recorded (the row
    /// names another head than the repository's) from git: name and runtime level from
    /// install.json, the size of the files, the head. Run once at start-up, before serving.
    pub async fn repair_rows(&self) -> Result<RowRepair, AppsError> {
        let (mut checked, mut repaired) = (0, 0);
        let mut after: Option<String> = None;
        loop {
            let page = self.store.list_apps(None, after.as_deref(), 500).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.slug.as_str().to_owned());
            for record in &page {
                let Some(key) = RepoKey::parse(&record.repo_key) else { continue };
                checked += 1;
                let head = match self.repos.head_facts_unless(&key, record.head_revision.clone()).await {
                    Ok(Some(head)) => head,
                    Ok(None) => continue,
                    Err(err) => {
                        tracing::warn!(app = %record.slug, error = %err, "cannot read the app's head to check its row");
                        continue;
                    }
                };
                let (display_name, runtime_level) = head.install_json.as_deref().map_or((None, None), manifest_facts);
                let facts = AppFacts {
                    display_name,
                    runtime_level,
                    size_bytes: head.size,
                    updated_at: head.time,
                    revision: head.revision,
                };
                self.store.set_app_facts(record.id, &facts).await?;
                repaired += 1;
            }
        }
        Ok(RowRepair { checked, repaired })
    }

    fn summary(record: AppRecord, head: Revision) -> AppSummary {
        AppSummary {
            slug: record.slug,
            display_name: record.display_name,
            runtime_level: record.runtime_level,
            head,
            template: record.template,
            created_by: record.created_by,
            created_at: record.created_at,
            updated_at: record.updated_at,
            size_bytes: record.size_bytes,
        }
    }

    /// Creates an app from a template: a new repository with one commit, then its row. The slug
    /// comes from the name, with a numeric suffix when it is taken.
    pub async fn create(&self, actor: &Principal, name: &str, template: &str) -> Result<CreatedApp, AppsError> {
        require_writer(actor)?;
        let template = templates::find(template).ok_or_else(|| {
            let names: Vec<_> = templates::TEMPLATES.iter().map(|t| t.name).collect();
            AppsError::Invalid(format!("unknown template {template:?}; choose one of {}", names.join(", ")))
        })?;
        let display_name = templates::check_display_name(name).map_err(AppsError::Invalid)?;
        let origin = NewOrigin {
            template: Some(template.name),
            runtime_level: template.runtime_level.to_owned(),
            message: format!("Create {display_name} from the {} template", template.name),
        };
        let name_for_files = display_name.clone();
        self.create_with(actor, &display_name, origin, move |slug| {
            template.render(&name_for_files, slug, &uuid::Uuid::new_v4().to_string())
        })
        .await
    }

    /// Imports an archive (.zip folder, .tcx package or .abx export) as a new app, keeping every
    /// file of the app folder. Unsafe archives are refused before anything is stored.
    pub async fn import(
        &self,
        actor: &Principal,
        archive: &[u8],
        name: Option<&str>,
    ) -> Result<ImportedApp, AppsError> {
        require_writer(actor)?;
        let unpacked = archive::unpack(archive)?;
        archive::check_sizes(&unpacked.files)?;
        let mut files = unpacked.files;
        let mut problems: Vec<Problem> = unpacked
            .notes
            .iter()
            .map(|note| Problem::file("skipped_entries", Severity::Info, "", note.clone()))
            .collect();
        let install = files.iter_mut().find(|(path, _)| path.as_str() == "install.json");
        let (manifest_name, runtime_level) = match install {
            None => {
                problems.push(Problem::file(
                    "missing_install_json",
                    Severity::Error,
                    "install.json",
                    "the app has no install.json; add one (the metadata editor can start it)",
                ));
                (None, None)
            }
            Some((_, bytes)) => {
                if serde_json::from_slice::<serde_json::Value>(bytes).is_err() {
                    problems.push(Problem::file(
                        "invalid_json",
                        Severity::Error,
                        "install.json",
                        "install.json is not valid JSON (a trailing comma?); fix it in the editor",
                    ));
                } else if let Some(with_id) = ensure_app_id(bytes) {
                    *bytes = with_id;
                    problems.push(Problem::file(
                        "app_id_added",
                        Severity::Info,
                        "install.json",
                        "install.json had no appId; one was added and will be kept",
                    ));
                }
                manifest_facts(bytes)
            }
        };
        if !files.iter().any(|(path, _)| path.as_str() == "tcex.json") {
            problems.push(Problem::file(
                "missing_tcex_json",
                Severity::Warning,
                "tcex.json",
                "the app has no tcex.json; packaging needs one with package.app_name",
            ));
        }
        let wanted = name
            .map(str::to_owned)
            .or(unpacked.display_name)
            .or(manifest_name)
            .unwrap_or_else(|| "Imported App".into());
        let display_name = templates::check_display_name(&wanted).map_err(AppsError::Invalid)?;
        let origin = NewOrigin {
            template: None,
            runtime_level: runtime_level.unwrap_or_else(|| "Unknown".into()),
            message: format!("Import {display_name} from a .{} archive", unpacked.format),
        };
        let created = self.create_with(actor, &display_name, origin, move |_| files.clone()).await?;
        Ok(ImportedApp { slug: created.slug, head: created.head, problems })
    }

    /// The app's id and canonical slug (from the cached app row; no git work).
    pub async fn find(&self, slug: &str) -> Result<(i64, AppSlug), AppsError> {
        let (record, _) = self.record(slug).await?;
        Ok((record.id, record.slug))
    }

    /// The app's row id, slug and the full revision `rev` names (the head when `None`): what a
    /// build records when it is queued.
    pub async fn locate(&self, slug: &str, rev: Option<&str>) -> Result<(i64, AppSlug, Revision), AppsError> {
        let (record, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        let tree = self.repos.tree(&key, rev).await?;
        Ok((record.id, record.slug, tree.revision))
    }

    /// Every file of the app at `rev` (the head when `None`): what a build reads.
    pub async fn snapshot(
        &self,
        slug: &str,
        rev: Option<&str>,
    ) -> Result<(Revision, Vec<(RepoPath, Vec<u8>)>), AppsError> {
        let (_, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        Ok(self.repos.files(&key, rev).await?)
    }

    /// The app's files at `rev` (the head when `None`) as a zip with one top folder named after
    /// the slug; returns the file name and the bytes.
    pub async fn export(&self, slug: &str, rev: Option<&str>) -> Result<(String, Vec<u8>), AppsError> {
        let (record, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        let (revision, files) = self.repos.files(&key, rev).await?;
        let top = record.slug.to_string();
        let bytes = tokio::task::spawn_blocking(move || archive::pack(&top, &files))
            .await
            .map_err(|err| AppsError::Internal(err.to_string()))??;
        Ok((format!("{}-{}.zip", record.slug, &revision.as_str()[..12]), bytes))
    }

    async fn create_with(
        &self,
        actor: &Principal,
        display_name: &str,
        origin: NewOrigin,
        files_for: impl Fn(&AppSlug) -> Vec<(RepoPath, Vec<u8>)>,
    ) -> Result<CreatedApp, AppsError> {
        let base_slug = AppSlug::from_name(display_name);
        let repo_key = uuid::Uuid::new_v4().simple().to_string();
        let key = RepoKey::parse(&repo_key).expect("a simple UUID is a valid key");
        for attempt in 1..=100u32 {
            let slug = if attempt == 1 { base_slug.clone() } else { base_slug.with_suffix(attempt) };
            if slug.is_reserved() || self.store.slug_taken(&slug).await? {
                continue;
            }
            let files = files_for(&slug);
            let size: u64 = files.iter().map(|(_, content)| content.len() as u64).sum();
            let head = self.repos.create(&key, files, &signature(actor), &origin.message).await?;
            let row = NewApp {
                slug: &slug,
                repo_key: &repo_key,
                display_name,
                runtime_level: &origin.runtime_level,
                template: origin.template,
                created_by: actor.user_id,
                size_bytes: size,
                head_revision: &head,
            };
            match self.store.create_app(&row).await {
                Ok(_) => {
                    tracing::info!(app = %slug, template = ?origin.template, by = %actor.username, "app created");
                    let action = if origin.template.is_some() { "app.create" } else { "app.import" };
                    let detail = serde_json::json!({"template": origin.template, "head": head.as_str(), "message": origin.message});
                    self.audit.record(actor.username.as_str(), action, slug.as_str(), detail);
                    return Ok(CreatedApp { slug, head });
                }
                Err(err) => {
                    // Nothing half-written stays: the row failed, so the repository goes too.
                    let _ = std::fs::remove_dir_all(self.repos.path(&key));
                    if matches!(err, domain::ports::StoreError::Conflict(_)) {
                        continue; // another request took the slug between the check and the insert
                    }
                    return Err(err.into());
                }
            }
        }
        Err(AppsError::Invalid(format!("too many apps are named like {display_name:?}; choose another name")))
    }

    /// One page of live apps, by slug, optionally filtered by `query`.
    pub async fn list(&self, query: Option<&str>, page: &PageRequest) -> Result<Page<AppSummary>, AppsError> {
        let limit = page.limit().map_err(|err| AppsError::Invalid(err.to_string()))?;
        self.row_writer.settled().await;
        let records = self.store.list_apps(query, page.cursor.as_deref(), limit + 1).await?;
        let records = Page::from_overfetch(records, limit, |record| record.slug.to_string());
        let keys = records
            .items
            .iter()
            .map(|record| RepoKey::parse(&record.repo_key).ok_or_else(|| AppsError::Internal("bad repo key".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let heads = self.repos.heads(&keys).await?;
        let items = records.items.into_iter().zip(heads).map(|(record, head)| Self::summary(record, head)).collect();
        Ok(Page { items, next_cursor: records.next_cursor })
    }

    /// One app with its head.
    pub async fn get(&self, slug: &str) -> Result<AppSummary, AppsError> {
        let (record, key) = self.record(slug).await?;
        let head = self.repos.head(&key).await?;
        Ok(Self::summary(record, head))
    }

    /// Hides an app; its repository and history stay on disk.
    pub async fn archive(&self, actor: &Principal, slug: &str) -> Result<(), AppsError> {
        require(actor, Role::Admin)?;
        let (record, _) = self.record(slug).await?;
        self.store.archive_app(record.id).await?;
        self.rows().remove(record.slug.as_str());
        tracing::info!(app = %record.slug, by = %actor.username, "app archived");
        self.audit.record(actor.username.as_str(), "app.archive", record.slug.as_str(), serde_json::json!({}));
        Ok(())
    }

    /// The files at `rev` (the head when `None`).
    pub async fn tree(&self, slug: &str, rev: Option<&str>) -> Result<Tree, AppsError> {
        let (_, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        Ok(self.repos.tree(&key, rev).await?)
    }

    /// A file's bytes at `rev` (the head when `None`), with the revision read.
    pub async fn read_file(&self, slug: &str, rev: Option<&str>, path: &str) -> Result<(Revision, Vec<u8>), AppsError> {
        let (_, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        Ok(self.repos.read_file(&key, rev, parse_path(path)?).await?)
    }

    /// Saves changes as one commit by `actor` on top of `base` (see `repo::AppRepos::commit`).
    pub async fn save(
        &self,
        actor: &Principal,
        slug: &str,
        base: &str,
        message: &str,
        changes: Vec<FileChange>,
    ) -> Result<SaveOutcome, AppsError> {
        require_writer(actor)?;
        let (record, key) = self.record(slug).await?;
        let base = parse_revision(base)?;
        if changes.is_empty() {
            return Err(AppsError::Invalid("a save needs at least one change".into()));
        }
        for change in &changes {
            if let FileChange::Put { path, content } = change
                && content.len() > MAX_FILE_BYTES
            {
                return Err(AppsError::TooLarge(format!(
                    "{path} has {} bytes, over the limit of {MAX_FILE_BYTES} bytes per file",
                    content.len()
                )));
            }
        }
        let (display_name, runtime_level) = changes
            .iter()
            .find_map(|c| match c {
                FileChange::Put { path, content } if path.as_str() == "install.json" => Some(manifest_facts(content)),
                _ => None,
            })
            .unwrap_or((None, None));
        let message = if message.trim().is_empty() { default_message(&changes) } else { message.trim().to_owned() };
        let budget = SizeBudget { current: record.size_bytes, max: MAX_APP_BYTES };
        let outcome = self.repos.commit(&key, &base, changes, &signature(actor), &message, budget).await?;
        if outcome.changed {
            let change = AppChange {
                display_name,
                runtime_level,
                size_delta: outcome.size_delta,
                revision: outcome.revision.clone(),
                parent: outcome.parent,
            };
            self.record_save(&record, change);
            let detail = serde_json::json!({"revision": outcome.revision.as_str(), "message": message});
            self.audit.record(actor.username.as_str(), "app.save", record.slug.as_str(), detail);
        }
        Ok(SaveOutcome { revision: outcome.revision, changed: outcome.changed })
    }

    /// History newest first, of the app or one path; the cursor is where the next page starts.
    pub async fn history(
        &self,
        slug: &str,
        path: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<CommitInfo>, AppsError> {
        let path = path.map(parse_path).transpose()?;
        self.history_filtered(slug, HistoryFilter { path, ..HistoryFilter::default() }, page).await
    }

    /// History newest first, keeping the commits `filter` admits (path, author, time, since a
    /// revision).
    pub async fn history_filtered(
        &self,
        slug: &str,
        filter: HistoryFilter,
        page: &PageRequest,
    ) -> Result<Page<CommitInfo>, AppsError> {
        let (_, key) = self.record(slug).await?;
        let limit = page.limit().map_err(|err| AppsError::Invalid(err.to_string()))?;
        let from = page.cursor.as_deref().map(parse_revision).transpose()?;
        let (items, next) = self.repos.history_filtered(&key, from, filter, limit as usize).await?;
        Ok(Page { items, next_cursor: next.map(String::from) })
    }

    /// The app's contract (params, outputs, layout display clauses) at `rev`.
    pub async fn contract(&self, slug: &str, rev: &str) -> Result<Contract, AppsError> {
        let json = |bytes: &[u8], file: &str| -> Result<serde_json::Value, AppsError> {
            serde_json::from_slice(bytes)
                .map_err(|e| AppsError::Invalid(format!("{file} at {rev} is not valid JSON: {e}")))
        };
        let (_, install) = self.read_file(slug, Some(rev), "install.json").await?;
        let install = json(&install, "install.json")?;
        let layout = match self.read_file(slug, Some(rev), "layout.json").await {
            Ok((_, bytes)) => Some(json(&bytes, "layout.json")?),
            Err(AppsError::NotFound(_)) => None,
            Err(other) => return Err(other),
        };
        Ok(Contract::with_layout(&install, layout.as_ref()))
    }

    /// What changed in the app's contract from `from` to `to`.
    pub async fn contract_diff(&self, slug: &str, from: &str, to: &str) -> Result<ContractDiff, AppsError> {
        let (old, new) = (self.contract(slug, from).await?, self.contract(slug, to).await?);
        Ok(ContractDiff::between(&old, &new))
    }

    /// Tags `rev` `name` for a release (developers and admins; the caller checks what is tagged);
    /// true when this call made the tag (false: it was there already, on `rev`).
    pub async fn tag(
        &self,
        actor: &Principal,
        slug: &str,
        rev: &Revision,
        name: &str,
        message: &str,
    ) -> Result<bool, AppsError> {
        require_writer(actor)?;
        let (_, key) = self.record(slug).await?;
        Ok(self.repos.tag(&key, rev, name, &signature(actor), message).await?)
    }

    /// Takes back a tag whose release could not be recorded.
    pub async fn delete_tag(&self, slug: &str, name: &str) -> Result<(), AppsError> {
        let (_, key) = self.record(slug).await?;
        Ok(self.repos.delete_tag(&key, name).await?)
    }

    /// The app's tags and the revisions they name.
    pub async fn tags(&self, slug: &str) -> Result<Vec<(String, Revision)>, AppsError> {
        let (_, key) = self.record(slug).await?;
        Ok(self.repos.tags(&key).await?)
    }

    /// One commit with its changed files.
    pub async fn commit_detail(&self, slug: &str, rev: &str) -> Result<CommitDetail, AppsError> {
        let (_, key) = self.record(slug).await?;
        Ok(self.repos.commit_detail(&key, parse_revision(rev)?).await?)
    }

    /// The structured diff between two revisions.
    pub async fn diff(&self, slug: &str, from: &str, to: &str, path: Option<&str>) -> Result<Diff, AppsError> {
        let (_, key) = self.record(slug).await?;
        let path = path.map(parse_path).transpose()?;
        Ok(self.repos.diff(&key, parse_revision(from)?, parse_revision(to)?, path).await?)
    }

    /// The unified-text diff between two revisions.
    pub async fn diff_unified(
        &self,
        slug: &str,
        from: &str,
        to: &str,
        path: Option<&str>,
    ) -> Result<String, AppsError> {
        let (_, key) = self.record(slug).await?;
        let path = path.map(parse_path).transpose()?;
        Ok(self.repos.diff_unified(&key, parse_revision(from)?, parse_revision(to)?, path).await?)
    }

    /// Each line of a file with the commit that last changed it.
    pub async fn blame(&self, slug: &str, rev: Option<&str>, path: &str) -> Result<Vec<BlameLine>, AppsError> {
        let (_, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        Ok(self.repos.blame(&key, rev, parse_path(path)?).await?)
    }

    /// The problems of the app at `rev` (the head when `None`): metadata rules and Python syntax.
    pub async fn problems(&self, slug: &str, rev: Option<&str>) -> Result<(Revision, Vec<Problem>), AppsError> {
        let (record, key) = self.record(slug).await?;
        let rev = rev.map(parse_revision).transpose()?;
        let tree = self.repos.tree(&key, rev).await?;
        let mut contents = Vec::with_capacity(tree.entries.len());
        for entry in tree.entries {
            let path = entry.path;
            let checked =
                !path.as_str().contains('/') && (path.as_str().ends_with(".json") || path.as_str().ends_with(".py"));
            let bytes = if checked {
                self.repos.read_file(&key, Some(tree.revision.clone()), path.clone()).await?.1
            } else {
                Vec::new()
            };
            contents.push((path.to_string(), bytes));
        }
        let slug = record.slug.to_string();
        let problems = tokio::task::spawn_blocking(move || {
            let (files, python) = crate::problems::files_to_check(&slug, contents);
            crate::problems::check(&files, &python)
        })
        .await
        .map_err(|err| AppsError::Internal(err.to_string()))?;
        Ok((tree.revision, problems))
    }

    /// A new commit whose files are `rev`'s; `base` must be the current head.
    pub async fn restore(
        &self,
        actor: &Principal,
        slug: &str,
        rev: &str,
        base: &str,
    ) -> Result<SaveOutcome, AppsError> {
        require_writer(actor)?;
        let (record, key) = self.record(slug).await?;
        let rev = parse_revision(rev)?;
        let message = format!("Restore {}", &rev.as_str()[..12]);
        let outcome = self.repos.restore(&key, &rev, &parse_revision(base)?, &signature(actor), &message).await?;
        if outcome.changed {
            let install = self.repos.read_file(&key, None, parse_path("install.json")?).await.ok();
            let (display_name, runtime_level) =
                install.map(|(_, bytes)| manifest_facts(&bytes)).unwrap_or((None, None));
            let (revision, parent) = (outcome.revision.clone(), outcome.parent);
            self.record_save(
                &record,
                AppChange { display_name, runtime_level, size_delta: outcome.size_delta, revision, parent },
            );
            let detail = serde_json::json!({"restored": rev.as_str(), "revision": outcome.revision.as_str()});
            self.audit.record(actor.username.as_str(), "app.restore", record.slug.as_str(), detail);
        }
        Ok(SaveOutcome { revision: outcome.revision, changed: outcome.changed })
    }
}
