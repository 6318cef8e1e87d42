//! One run of an installed app, through the run contract (`docs/runtime.md`):
//!
//! - inputs: a JSON object keyed by param name, in the file named by `TC_APP_PARAM_FILE`;
//! - outputs: `[{"name","type","value"}]` written to `TC_APP_OUTPUT_FILE`; only declared outputs
//!   (name and type) are kept, the others are reported in the log;
//! - exit message: `$TC_OUT_PATH/message.tc`, at most 255 characters;
//! - webhook triggers: the request `{"method","headers","params","body"}` in `TC_WEBHOOK_EVENT_FILE`.
//!
//! The app runs in the sandbox: its installed folder and the interpreter read-only, a fresh
//! scratch folder at `/build`, the vendored dependencies on `PYTHONPATH`, an empty environment
//! otherwise, the memory cap and a timer. Network is on when the runtime is configured so
//! (enrichment apps call remote services).

use crate::RuntimeError;
use crate::install::Installed;
use build::sandbox::{Ending, Jail, Sandbox, WORK};
use build::toolbox::Toolbox;
use domain::deploy::RunOutput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The longest exit message kept.
pub const MAX_EXIT_MESSAGE: usize = 255;
/// The largest outputs file read.
const MAX_OUTPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Limits of one run.
#[derive(Debug, Clone)]
pub struct RunLimits {
    pub memory_bytes: u64,
    pub max_file_bytes: u64,
    pub timeout: Duration,
    pub network: bool,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            memory_bytes: 1024 * 1024 * 1024,
            max_file_bytes: 64 * 1024 * 1024,
            timeout: Duration::from_secs(300),
            network: true,
        }
    }
}

/// What a run is given.
#[derive(Debug, Clone)]
pub struct RunInput {
    /// The job id in output variable references (`#App:<id>:<name>!<Type>`).
    pub run_id: i64,
    pub inputs: Map<String, Value>,
    /// A webhook request, for webhook-triggered runs.
    pub webhook_event: Option<Value>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunEnd {
    /// Exit code 0.
    Succeeded,
    /// A non-zero exit code.
    Failed,
    TimedOut,
    /// Killed by a signal (usually the memory cap).
    Killed,
    Cancelled,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub end: RunEnd,
    pub exit_code: Option<i32>,
    pub outputs: Vec<RunOutput>,
    pub exit_message: String,
    /// The app's stdout and stderr, then the runtime's own notes.
    pub log: Vec<String>,
    /// The time of the sandboxed process (start to exit).
    pub duration: Duration,
    /// The interpreter used.
    pub python: String,
    /// What a webhook app answers its caller: `$TC_OUT_PATH/response.json`, a JSON object with
    /// `status` (100..=599) and optional `headers` and `body`.
    pub response: Option<Value>,
}

/// Runs `input` through the installed app; `scratch` is a fresh folder for this run (removed after).
pub async fn run(
    sandbox: &Sandbox,
    toolbox: &Toolbox,
    installed: &Installed,
    input: &RunInput,
    scratch: &Path,
    limits: &RunLimits,
    cancel: &mut watch::Receiver<bool>,
) -> Result<RunOutcome, RuntimeError> {
    let internal = |e: std::io::Error| RuntimeError::Internal(format!("preparing the run folder: {e}"));
    let choice = toolbox
        .python_for(installed.language_version())
        .ok_or_else(|| RuntimeError::Internal("no Python 3 interpreter on this host".into()))?;
    let python = choice.python.clone();
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch.join("out")).map_err(internal)?;
    let inputs = serde_json::to_vec(&input.inputs).expect("a JSON object serialises");
    std::fs::write(scratch.join("app_inputs.json"), inputs).map_err(internal)?;
    let mut env = vec![
        ("TC_APP_PARAM_FILE".to_owned(), format!("{WORK}/app_inputs.json")),
        ("TC_OUT_PATH".to_owned(), format!("{WORK}/out")),
        ("TC_APP_OUTPUT_FILE".to_owned(), format!("{WORK}/out/outputs.json")),
        ("TC_JOB_ID".to_owned(), input.run_id.to_string()),
    ];
    if let Some(event) = &input.webhook_event {
        std::fs::write(scratch.join("webhook_event.json"), serde_json::to_vec(event).expect("JSON serialises"))
            .map_err(internal)?;
        env.push(("TC_WEBHOOK_EVENT_FILE".to_owned(), format!("{WORK}/webhook_event.json")));
    }
    let mut path = vec![installed.dir.display().to_string()];
    if let Some(vendored) = installed.vendored() {
        path.insert(0, vendored.display().to_string());
    }
    env.push(("PYTHONPATH".to_owned(), path.join(":")));
    let mut read_only: Vec<PathBuf> = vec![installed.dir.clone(), python.prefix.clone()];
    if !python.executable.starts_with(&python.prefix) {
        read_only.push(python.executable.clone());
    }
    let jail = Jail {
        work: scratch.to_path_buf(),
        read_only,
        network: limits.network,
        env,
        memory_bytes: limits.memory_bytes,
        max_file_bytes: limits.max_file_bytes,
        timeout: limits.timeout,
    };
    let mut log = Vec::new();
    if !choice.exact {
        log.push(format!(
            "[runtime] languageVersion {} is not installed here; running with Python {}",
            installed.language_version().unwrap_or("(none)"),
            python.version
        ));
    }
    let args = vec!["-s".to_owned(), "-B".to_owned(), installed.entry_point().display().to_string()];
    let started = Instant::now();
    let ending = sandbox
        .run(&jail, &python.executable, &args, cancel, |line| log.push(line))
        .await
        .map_err(|e| RuntimeError::Internal(e.to_string()))?;
    let duration = started.elapsed();
    let (end, exit_code) = match ending {
        Ending::Exited(0) => (RunEnd::Succeeded, Some(0)),
        Ending::Exited(code) => (RunEnd::Failed, Some(code)),
        Ending::Killed => (RunEnd::Killed, None),
        Ending::TimedOut => (RunEnd::TimedOut, None),
        Ending::Cancelled => (RunEnd::Cancelled, None),
    };
    match end {
        RunEnd::TimedOut => {
            log.push(format!("[runtime] stopped after {} s (the run time limit)", limits.timeout.as_secs()))
        }
        RunEnd::Killed => {
            log.push(format!("[runtime] killed (over the memory limit of {} MB?)", limits.memory_bytes / 1024 / 1024))
        }
        _ => {}
    }
    let outputs = read_outputs(scratch, installed, input.run_id, &mut log);
    let exit_message = std::fs::read(scratch.join("out").join("message.tc"))
        .map(|b| String::from_utf8_lossy(&b).chars().take(MAX_EXIT_MESSAGE).collect::<String>())
        .unwrap_or_default();
    let response = read_response(scratch, &mut log);
    Ok(RunOutcome { end, exit_code, outputs, exit_message, log, duration, python: python.version, response })
}

/// The answer a webhook app wrote for its caller, when it is well-formed.
fn read_response(scratch: &Path, log: &mut Vec<String>) -> Option<Value> {
    let file = scratch.join("out").join("response.json");
    let meta = std::fs::symlink_metadata(&file).ok()?;
    let value: Option<Value> = (meta.is_file() && meta.len() <= 1024 * 1024)
        .then(|| std::fs::read(&file).ok().and_then(|b| serde_json::from_slice(&b).ok()))
        .flatten();
    let valid = value
        .as_ref()
        .is_some_and(|v| v.get("status").and_then(Value::as_u64).is_some_and(|s| (100..=599).contains(&s)));
    if !valid {
        log.push(
            "[runtime] out/response.json ignored: not a JSON object with a status 100..599 (at most 1 MiB)".into(),
        );
        return None;
    }
    value
}

/// The declared `(name, type)` pairs of install.json.
fn declared_outputs(install: &Value) -> Vec<(String, String)> {
    install
        .pointer("/playbook/outputVariables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| Some((o.get("name")?.as_str()?.to_owned(), o.get("type")?.as_str()?.to_owned())))
        .collect()
}

/// The outputs the app wrote, keeping declared ones; every other problem becomes a log note.
fn read_outputs(scratch: &Path, installed: &Installed, run_id: i64, log: &mut Vec<String>) -> Vec<RunOutput> {
    let file = scratch.join("out").join("outputs.json");
    let Ok(meta) = std::fs::symlink_metadata(&file) else { return Vec::new() };
    if !meta.is_file() || meta.len() > MAX_OUTPUT_BYTES {
        log.push(format!("[runtime] out/outputs.json ignored: not a regular file of at most {MAX_OUTPUT_BYTES} bytes"));
        return Vec::new();
    }
    let records: Vec<Value> = match std::fs::read(&file).map(|b| serde_json::from_slice(&b)) {
        Ok(Ok(Value::Array(records))) => records,
        _ => {
            log.push("[runtime] out/outputs.json is not a JSON list of {\"name\",\"type\",\"value\"}".into());
            return Vec::new();
        }
    };
    let declared = declared_outputs(&installed.install);
    let mut outputs = Vec::new();
    for record in records {
        let name = record.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let kind = record.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        if !declared.iter().any(|(n, t)| *n == name && *t == kind) {
            log.push(format!("[runtime] output {name:?} of type {kind:?} is not declared in install.json: dropped"));
            continue;
        }
        let value = record.get("value").cloned().unwrap_or(Value::Null);
        outputs.push(RunOutput { variable: format!("#App:{run_id}:{name}!{kind}"), name, kind, value });
    }
    outputs
}
