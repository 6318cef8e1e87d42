//! One build, step by step: validate → Python checks → dependencies → package → artifact.
//!
//! Every step reports through [`Event`]s (start, lines, end with a summary), which the server
//! stores and streams. A failed step stops the build with a reason; cancelling stops it between
//! steps and kills a running sandboxed program at once.

use crate::sandbox::{Ending, Jail, Sandbox};
use crate::toolbox::Toolbox;
use crate::{BuildError, Files, Package};
use domain::manifest::model::InstallJson;
use domain::problem::Severity;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// The steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Validate,
    Python,
    Dependencies,
    Package,
    Artifact,
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Validate, Step::Python, Step::Dependencies, Step::Package, Step::Artifact];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Validate => "validate",
            Step::Python => "python",
            Step::Dependencies => "dependencies",
            Step::Package => "package",
            Step::Artifact => "artifact",
        }
    }

    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepEnd {
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

impl StepEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            StepEnd::Succeeded => "succeeded",
            StepEnd::Failed => "failed",
            StepEnd::Skipped => "skipped",
            StepEnd::Cancelled => "cancelled",
        }
    }
}

/// What a build reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Started(Step),
    Line(Step, String),
    Finished(Step, StepEnd, String),
}

/// Why a build did not produce a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A step failed because of the app; the reason says what to change.
    Failed(String),
    Cancelled,
    /// The server could not run a step (disk, a tool missing); logged.
    Internal(String),
}

/// Limits for the sandboxed steps.
#[derive(Debug, Clone)]
pub struct Limits {
    pub memory_bytes: u64,
    pub max_file_bytes: u64,
    pub check_timeout: Duration,
    pub dependency_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 2 * 1024 * 1024 * 1024,
            max_file_bytes: 200 * 1024 * 1024,
            check_timeout: Duration::from_secs(120),
            dependency_timeout: Duration::from_secs(600),
        }
    }
}

/// What every build shares.
#[derive(Debug, Clone)]
pub struct Settings {
    pub toolbox: Arc<Toolbox>,
    /// `None` when this host has no bubblewrap: builds then stop at their first sandboxed step.
    pub sandbox: Option<Sandbox>,
    /// Vendored dependencies by requirements hash: `<cache>/deps/<key>/`.
    pub cache_dir: PathBuf,
    /// Packages by content: `<artifacts>/<sha256>.tcx`.
    pub artifacts_dir: PathBuf,
    /// Scratch folders, one per build, removed when it ends.
    pub work_dir: PathBuf,
    pub limits: Limits,
}

/// A finished build.
#[derive(Debug, Clone)]
pub struct Built {
    pub package: Package,
    /// The interpreter the checks used (`3.11.7`).
    pub python: Option<String>,
}

/// Checks that run Python source as data only (never imports it): compiles every file given on
/// the command line and prints `path:line: message` for each that fails.
const COMPILE_ALL: &str = r#"
import sys
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as f:
            compile(f.read(), path, 'exec', dont_inherit=True)
    except SyntaxError as e:
        bad += 1
        print(f"{path}:{e.lineno or 0}: {e.msg}")
    except ValueError as e:
        bad += 1
        print(f"{path}:0: {e}")
print(f"compiled {len(sys.argv) - 1 - bad} of {len(sys.argv) - 1} file(s)")
sys.exit(1 if bad else 0)
"#;

struct Run<'a> {
    settings: &'a Settings,
    events: mpsc::UnboundedSender<Event>,
    cancel: watch::Receiver<bool>,
    work: PathBuf,
    /// The interpreter picked by the Python step.
    python: Option<crate::toolbox::Python>,
    package: Option<Package>,
}

impl Run<'_> {
    fn say(&self, step: Step, line: impl Into<String>) {
        let _ = self.events.send(Event::Line(step, line.into()));
    }

    fn cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    fn jail(&self, work: &Path, network: bool, timeout: Duration) -> Jail {
        let limits = &self.settings.limits;
        let mut read_only = Vec::new();
        if let Some(python) = &self.python {
            read_only.push(python.prefix.clone());
            if !python.executable.starts_with(&python.prefix) {
                read_only.push(python.executable.clone());
            }
        }
        Jail {
            work: work.to_path_buf(),
            read_only,
            network,
            env: Vec::new(),
            memory_bytes: limits.memory_bytes,
            max_file_bytes: limits.max_file_bytes,
            timeout,
        }
    }

    /// Runs a sandboxed program, its output going to the step's log; returns its exit code and
    /// its last line of output.
    async fn sandboxed(
        &mut self,
        step: Step,
        jail: &Jail,
        program: &Path,
        args: &[String],
    ) -> Result<(i32, String), Stop> {
        let events = self.events.clone();
        let mut last = String::new();
        let ending = sandbox(self.settings)?
            .run(jail, program, args, &mut self.cancel, |line| {
                last.clone_from(&line);
                let _ = events.send(Event::Line(step, line));
            })
            .await
            .map_err(|e| Stop::Internal(e.to_string()))?;
        match ending {
            Ending::Exited(code) => Ok((code, last)),
            Ending::Cancelled => Err(Stop::Cancelled),
            Ending::TimedOut => {
                Err(Stop::Failed(format!("{} took longer than {} s", step.as_str(), jail.timeout.as_secs())))
            }
            Ending::Killed => Err(Stop::Failed(format!(
                "{} was killed (over the memory limit of {} MB?)",
                step.as_str(),
                jail.memory_bytes / (1024 * 1024)
            ))),
        }
    }
}

fn sandbox(settings: &Settings) -> Result<&Sandbox, Stop> {
    settings.sandbox.as_ref().ok_or_else(|| {
        Stop::Failed("this server cannot run builds: bubblewrap (the sandbox) is not installed; an administrator runs scripts/setup".into())
    })
}

impl From<BuildError> for Stop {
    fn from(err: BuildError) -> Self {
        match err {
            BuildError::Invalid(why) => Stop::Failed(why),
            BuildError::Internal(why) => Stop::Internal(why),
        }
    }
}

fn internal(what: &str) -> impl Fn(std::io::Error) -> Stop + '_ {
    move |err| Stop::Internal(format!("{what}: {err}"))
}

/// Runs every step over `files` (an app at one revision); `work_name` names its scratch folder.
pub async fn run(
    settings: &Settings,
    slug: &str,
    work_name: &str,
    mut files: Files,
    events: mpsc::UnboundedSender<Event>,
    cancel: watch::Receiver<bool>,
) -> Result<Built, Stop> {
    let work = settings.work_dir.join(work_name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(internal("making the work folder"))?;
    let mut run = Run { settings, events, cancel, work: work.clone(), python: None, package: None };
    let result = steps(&mut run, slug, &mut files).await;
    let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(work)).await;
    result?;
    let package = run.package.ok_or_else(|| Stop::Internal("the package step left no package".into()))?;
    Ok(Built { package, python: run.python.map(|p| p.version) })
}

async fn steps(run: &mut Run<'_>, slug: &str, files: &mut Files) -> Result<(), Stop> {
    for step in Step::ALL {
        if run.cancelled() {
            let _ = run.events.send(Event::Finished(step, StepEnd::Cancelled, "cancelled".into()));
            return Err(Stop::Cancelled);
        }
        let _ = run.events.send(Event::Started(step));
        let result = match step {
            Step::Validate => validate(run, slug, files),
            Step::Python => python_checks(run, files).await,
            Step::Dependencies => dependencies(run, files).await,
            Step::Package => package(run, files).await,
            Step::Artifact => store(run).await,
        };
        let (end, summary, stop) = match result {
            Ok((end, summary)) => (end, summary, None),
            Err(Stop::Cancelled) => (StepEnd::Cancelled, "cancelled".to_owned(), Some(Stop::Cancelled)),
            Err(Stop::Failed(why)) => (StepEnd::Failed, why.clone(), Some(Stop::Failed(why))),
            Err(Stop::Internal(why)) => {
                (StepEnd::Failed, "internal error (see the server log)".to_owned(), Some(Stop::Internal(why)))
            }
        };
        let _ = run.events.send(Event::Finished(step, end, summary));
        if let Some(stop) = stop {
            return Err(stop);
        }
    }
    Ok(())
}

type StepResult = Result<(StepEnd, String), Stop>;

fn validate(run: &Run<'_>, slug: &str, files: &Files) -> StepResult {
    let (checked, _) = apps::problems::files_to_check(slug, files.iter().map(|(p, b)| (p.clone(), b.clone())));
    let problems = domain::manifest::validate(&checked);
    let count = |severity| problems.iter().filter(|p| p.severity == severity).count();
    for p in &problems {
        let severity = match p.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let place = p.line.map_or(p.file.clone(), |l| format!("{}:{l}", p.file));
        run.say(Step::Validate, domain::guides::validate_log_line(&place, severity, &p.code, &p.message));
    }
    let summary = format!("{} error(s), {} warning(s)", count(Severity::Error), count(Severity::Warning));
    if count(Severity::Error) > 0 {
        Err(Stop::Failed(format!("the manifest has {summary}")))
    } else {
        Ok((StepEnd::Succeeded, summary))
    }
}

/// Writes the app's files into `dir` (paths are the store's checked relative paths).
fn write_files(dir: &Path, files: &Files) -> Result<(), Stop> {
    for (path, bytes) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(internal("writing the app's files"))?;
        }
        std::fs::write(&target, bytes).map_err(internal("writing the app's files"))?;
    }
    Ok(())
}

async fn python_checks(run: &mut Run<'_>, files: &Files) -> StepResult {
    let install = files.get("install.json").and_then(|b| serde_json::from_slice(b).ok()).map(|v| InstallJson::read(&v));
    let wanted = install.as_ref().and_then(|i| i.language_version.clone());
    let Some(choice) = run.settings.toolbox.python_for(wanted.as_deref()) else {
        return Err(Stop::Internal("no Python 3 interpreter on this host".into()));
    };
    let python = choice.python.clone();
    if choice.exact {
        run.say(Step::Python, format!("Python {} ({})", python.version, python.executable.display()));
    } else {
        run.say(
            Step::Python,
            format!(
                "languageVersion {} is not installed here; checking with Python {}",
                wanted.as_deref().unwrap_or("(none)"),
                python.version
            ),
        );
    }
    run.python = Some(python.clone());
    let sources: Vec<String> = files.keys().filter(|p| p.ends_with(".py")).cloned().collect();
    if sources.is_empty() {
        return Ok((StepEnd::Skipped, "no Python files".into()));
    }
    let src = run.work.join("src");
    write_files(&src, files)?;
    let timeout = run.settings.limits.check_timeout;
    let jail = run.jail(&src, false, timeout);
    let mut args = vec!["-I".to_owned(), "-S".to_owned(), "-c".to_owned(), COMPILE_ALL.to_owned()];
    args.extend(sources.iter().cloned());
    let (code, _) = run.sandboxed(Step::Python, &jail, &python.executable, &args).await?;
    if code != 0 {
        return Err(Stop::Failed(format!("Python {} cannot compile every file (see the log)", python.major_minor())));
    }
    let lint = match run.settings.toolbox.ruff.clone() {
        None => {
            run.say(Step::Python, "ruff is not installed here: lint skipped (scripts/setup installs it)");
            "lint skipped".to_owned()
        }
        Some(ruff) => {
            let mut jail = run.jail(&src, false, timeout);
            jail.read_only.push(ruff.clone());
            let target = format!("--target-version=py{}", python.major_minor().replace('.', ""));
            let args = ["check", "--no-cache", "--output-format=concise", "--exit-zero", target.as_str(), "."]
                .map(String::from);
            let (_, last) = run.sandboxed(Step::Python, &jail, &ruff, &args).await?;
            format!("ruff: {}", if last.is_empty() { "no output" } else { last.as_str() })
        }
    };
    Ok((StepEnd::Succeeded, format!("{} file(s) compile with Python {}; {lint}", sources.len(), python.version)))
}

/// The requirement lines that matter (no comments or blank lines).
fn requirements(files: &Files) -> Vec<String> {
    let text = files.get("requirements.txt").map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// `deps` for tcex 4 and later apps, `lib_<python version>` for older ones.
fn vendor_folder(files: &Files, python: &crate::toolbox::Python) -> String {
    let sdk = files
        .get("install.json")
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| v.get("sdkVersion").and_then(|s| s.as_str()).and_then(crate::normalize::Version::coerce));
    match sdk {
        Some(v) if v.0 >= 4 => "deps".to_owned(),
        _ => format!("lib_{}", python.version),
    }
}

/// The cache key of a dependency set: the requirements, the interpreter and the folder name.
pub fn dependency_key(requirements: &[String], python_version: &str, folder: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"appbuilder-deps-v1\0");
    for line in requirements {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    hash.update(format!("\0{python_version}\0{folder}").as_bytes());
    hex::encode(hash.finalize())
}

async fn dependencies(run: &mut Run<'_>, files: &mut Files) -> StepResult {
    let wanted = requirements(files);
    if wanted.is_empty() {
        return Ok((StepEnd::Skipped, "requirements.txt lists nothing".into()));
    }
    let python = run.python.clone().ok_or_else(|| Stop::Internal("no interpreter picked".into()))?;
    let folder = vendor_folder(files, &python);
    let key = dependency_key(&wanted, &python.version, &folder);
    let cached = run.settings.cache_dir.join("deps").join(&key);
    let hit = cached.join("complete").is_file();
    if hit {
        run.say(
            Step::Dependencies,
            format!("cached ({}…): same requirements and Python {}; no network used", &key[..12], python.version),
        );
    } else {
        let scratch = run.work.join("deps");
        std::fs::create_dir_all(&scratch).map_err(internal("making the dependency folder"))?;
        std::fs::write(scratch.join("requirements.txt"), wanted.join("\n") + "\n")
            .map_err(internal("writing requirements"))?;
        let jail = run.jail(&scratch, true, run.settings.limits.dependency_timeout);
        let pip = |rest: &[&str]| -> Vec<String> {
            ["-I", "-m", "pip", "--disable-pip-version-check", "--no-input"]
                .iter()
                .chain(rest)
                .map(|s| (*s).to_owned())
                .collect()
        };
        let install =
            pip(&["install", "--no-cache-dir", "--no-compile", "--target", "vendored", "-r", "requirements.txt"]);
        run.say(
            Step::Dependencies,
            format!("pip install -r requirements.txt --target {folder} (Python {})", python.version),
        );
        let (code, _) = run.sandboxed(Step::Dependencies, &jail, &python.executable, &install).await?;
        if code != 0 {
            return Err(Stop::Failed("pip could not install requirements.txt (see the log)".into()));
        }
        // `pip freeze --path` prints the lock (no network needed); its lines are the file.
        let freeze = pip(&["freeze", "--path", "vendored"]);
        let mut lock = String::new();
        let ending = sandbox(run.settings)?
            .run(
                &run.jail(&scratch, false, run.settings.limits.check_timeout),
                &python.executable,
                &freeze,
                &mut run.cancel,
                |line| {
                    lock.push_str(&line);
                    lock.push('\n');
                },
            )
            .await
            .map_err(|e| Stop::Internal(e.to_string()))?;
        match ending {
            Ending::Exited(0) => {}
            Ending::Cancelled => return Err(Stop::Cancelled),
            other => return Err(Stop::Failed(format!("pip freeze failed ({other:?})"))),
        }
        std::fs::write(scratch.join("requirements.lock"), &lock).map_err(internal("writing requirements.lock"))?;
        std::fs::write(scratch.join("complete"), "").map_err(internal("marking the cache entry"))?;
        std::fs::create_dir_all(cached.parent().expect("deps/ has a parent")).map_err(internal("making the cache"))?;
        // Another build may have filled the same entry meanwhile: then keep theirs.
        if std::fs::rename(&scratch, &cached).is_err() && !cached.join("complete").is_file() {
            return Err(Stop::Internal(format!("could not move the dependencies into {}", cached.display())));
        }
    }
    let cached_for_read = cached.clone();
    let prefix = format!("{folder}/");
    let vendored =
        tokio::task::spawn_blocking(move || crate::source::read_folder(&cached_for_read.join("vendored"), &prefix))
            .await
            .map_err(|e| Stop::Internal(e.to_string()))??;
    let lock = std::fs::read(cached.join("requirements.lock")).map_err(internal("reading requirements.lock"))?;
    let pinned = String::from_utf8_lossy(&lock).lines().filter(|l| !l.trim().is_empty()).count();
    for line in String::from_utf8_lossy(&lock).lines() {
        run.say(Step::Dependencies, format!("  {line}"));
    }
    let count = vendored.len();
    files.retain(|path, _| !path.starts_with(&format!("{folder}/")));
    files.extend(vendored);
    files.insert("requirements.lock".into(), lock);
    let source = if hit { "from the cache" } else { "installed" };
    Ok((StepEnd::Succeeded, format!("{pinned} package(s) {source} into {folder}/ ({count} files)")))
}

async fn package(run: &mut Run<'_>, files: &Files) -> StepResult {
    let files = files.clone();
    let package = tokio::task::spawn_blocking(move || crate::package(&files))
        .await
        .map_err(|e| Stop::Internal(e.to_string()))??;
    run.say(
        Step::Package,
        format!("{} ({} files, {} bytes)", package.file_name, package.files.len(), package.bytes.len()),
    );
    run.say(Step::Package, format!("sha256 {}", package.sha256));
    let summary = format!("{}: {} bytes", package.file_name, package.bytes.len());
    run.package = Some(package);
    Ok((StepEnd::Succeeded, summary))
}

/// Where a package with this digest is kept.
pub fn artifact_path(artifacts_dir: &Path, sha256: &str) -> PathBuf {
    artifacts_dir.join(format!("{sha256}.tcx"))
}

async fn store(run: &mut Run<'_>) -> StepResult {
    let package = run.package.as_ref().ok_or_else(|| Stop::Internal("no package to store".into()))?;
    let path = artifact_path(&run.settings.artifacts_dir, &package.sha256);
    if path.is_file() {
        return Ok((
            StepEnd::Succeeded,
            format!("already stored as {}.tcx (same bytes as an earlier build)", package.sha256),
        ));
    }
    let bytes = package.bytes.clone();
    let dir = run.settings.artifacts_dir.clone();
    let target = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        // A file of its own per build: two builds of one revision make the same package at the
        // same time, and each renames its complete copy into place.
        let mut partial = tempfile::Builder::new().suffix(".partial").tempfile_in(&dir)?;
        std::io::Write::write_all(&mut partial, &bytes)?;
        partial.as_file().sync_all()?;
        partial.persist(&target).map(drop).map_err(|e| e.error)
    })
    .await
    .map_err(|e| Stop::Internal(e.to_string()))?
    .map_err(internal("storing the package"))?;
    Ok((StepEnd::Succeeded, format!("stored as {}.tcx", package.sha256)))
}
