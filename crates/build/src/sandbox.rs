//! Running untrusted programs (an app's Python, pip installing its requirements) in a bubblewrap
//! sandbox.
//!
//! What the program sees: the system's `/usr`, `/lib*`, `/bin`; the interpreter's own install
//! prefix and the tools named for the step, read-only; the build's work folder at `/build`
//! (read-write); private `/proc`, `/dev` and `/tmp`. Nothing else of the host: not the data
//! directory, not other apps, not the server's environment (it starts from an empty one).
//! All namespaces are unshared (no network: only its own loopback) unless the step asks for the
//! network (the dependency step). The address space is capped with `prlimit --as`, files it writes
//! with `--fsize`; a timer kills it, and so does cancelling the build. Killing bubblewrap takes
//! the whole PID namespace down with it (`--die-with-parent`, `--unshare-pid`).
//!
//! Limits (documented in docs/builds.md): the number of processes is not capped (no cgroups on
//! this kind of host; the PID namespace, the memory cap per process and the timer bound them), and
//! the network step can reach whatever the host can.

use crate::BuildError;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::sync::watch;

/// Where bubblewrap is looked for.
const BWRAP: &str = "/usr/bin/bwrap";
/// Where the work folder appears inside.
pub const WORK: &str = "/build";
/// Lines of output kept per run; the rest is counted and dropped.
const MAX_LINES: usize = 5_000;
/// Bytes of one line kept.
const MAX_LINE_BYTES: usize = 2_000;

/// Host files the network step needs to resolve names and check certificates.
const NETWORK_FILES: [&str; 7] = [
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/pip.conf",
    "/etc/pki",
];
/// Environment passed through to the network step (pip's configuration; no secrets).
const PIP_ENV: [&str; 6] =
    ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT", "PIP_TRUSTED_HOST"];

/// How one program runs.
#[derive(Debug, Clone)]
pub struct Jail {
    /// The host folder mounted read-write at [`WORK`].
    pub work: PathBuf,
    /// Host paths mounted read-only at the same place (an interpreter's prefix, a tool).
    pub read_only: Vec<PathBuf>,
    pub network: bool,
    /// Environment variables set inside (on top of HOME, PATH, LANG).
    pub env: Vec<(String, String)>,
    pub memory_bytes: u64,
    pub max_file_bytes: u64,
    pub timeout: Duration,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// Killed by a signal (the memory cap, usually).
    Killed,
    TimedOut,
    Cancelled,
}

/// The bubblewrap sandbox, when this host has it.
#[derive(Debug, Clone)]
pub struct Sandbox {
    bwrap: PathBuf,
}

impl Sandbox {
    /// The sandbox, or why builds cannot run here.
    pub fn find() -> Result<Sandbox, BuildError> {
        let bwrap = PathBuf::from(BWRAP);
        if bwrap.is_file() {
            Ok(Sandbox { bwrap })
        } else {
            Err(BuildError::Internal(format!(
                "{BWRAP} is missing: builds run untrusted code only inside bubblewrap (scripts/setup installs it)"
            )))
        }
    }

    fn arguments(&self, jail: &Jail, program: &Path, args: &[String]) -> Vec<String> {
        let mut a: Vec<String> =
            ["--die-with-parent", "--new-session", "--unshare-all", "--clearenv"].map(String::from).into();
        // The private /proc, /dev and /tmp first: a bind below may sit under /tmp on the host.
        a.extend(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"].map(String::from));
        if jail.network {
            a.push("--share-net".into());
        }
        for dir in ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"] {
            a.extend(["--ro-bind-try".into(), dir.into(), dir.into()]);
        }
        if jail.network {
            for file in NETWORK_FILES {
                a.extend(["--ro-bind-try".into(), file.into(), file.into()]);
            }
            for var in PIP_ENV {
                if let Ok(value) = std::env::var(var) {
                    if var == "PIP_FIND_LINKS" || var == "PIP_CERT" {
                        a.extend(["--ro-bind-try".into(), value.clone(), value.clone()]);
                    }
                    a.extend(["--setenv".into(), var.into(), value]);
                }
            }
        }
        for path in &jail.read_only {
            let p = path.display().to_string();
            a.extend(["--ro-bind".into(), p.clone(), p]);
        }
        a.extend(["--bind".into(), jail.work.display().to_string(), WORK.into(), "--chdir".into(), WORK.into()]);
        for (key, value) in
            [("HOME", "/tmp"), ("PATH", "/usr/bin:/bin"), ("LANG", "C.UTF-8"), ("PYTHONDONTWRITEBYTECODE", "1")]
        {
            a.extend(["--setenv".into(), key.into(), value.into()]);
        }
        for (key, value) in &jail.env {
            a.extend(["--setenv".into(), key.clone(), value.clone()]);
        }
        a.extend([
            "--".into(),
            "/usr/bin/prlimit".into(),
            format!("--as={}", jail.memory_bytes),
            format!("--fsize={}", jail.max_file_bytes),
            "--".into(),
            program.display().to_string(),
        ]);
        a.extend(args.iter().cloned());
        a
    }

    /// Runs `program args` in `jail`, handing each line of its output (stdout and stderr, in
    /// order) to `line`, until it ends, times out, or `cancel` turns true.
    pub async fn run(
        &self,
        jail: &Jail,
        program: &Path,
        args: &[String],
        cancel: &mut watch::Receiver<bool>,
        mut line: impl FnMut(String),
    ) -> Result<Ending, BuildError> {
        let internal = |what: &str, err: std::io::Error| BuildError::Internal(format!("{what}: {err}"));
        let (reader, writer) = std::io::pipe().map_err(|e| internal("making a pipe", e))?;
        let mut command = tokio::process::Command::new(&self.bwrap);
        command
            .args(self.arguments(jail, program, args))
            .stdin(Stdio::null())
            .stdout(writer.try_clone().map_err(|e| internal("sharing a pipe", e))?)
            .stderr(writer)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| internal("starting bubblewrap", e))?;
        drop(command); // our copies of the pipe's write end go, so the reader sees the end

        let (lines_tx, mut lines_rx) = tokio::sync::mpsc::channel::<String>(256);
        let reading = tokio::task::spawn_blocking(move || {
            let mut kept = 0usize;
            let mut dropped = 0usize;
            for raw in std::io::BufReader::new(reader).split(b'\n') {
                let Ok(mut raw) = raw else { break };
                if kept >= MAX_LINES {
                    dropped += 1;
                    continue;
                }
                raw.truncate(MAX_LINE_BYTES);
                kept += 1;
                if lines_tx.blocking_send(String::from_utf8_lossy(&raw).trim_end().to_owned()).is_err() {
                    break;
                }
            }
            if dropped > 0 {
                let _ = lines_tx.blocking_send(format!("… {dropped} more line(s) of output not kept"));
            }
        });

        let deadline = tokio::time::sleep(jail.timeout);
        tokio::pin!(deadline);
        let mut ending = None;
        if *cancel.borrow_and_update() {
            let _ = child.kill().await;
            ending = Some(Ending::Cancelled);
        }
        // Once it has ended, the rest of its output is read for a moment at most: a process that
        // escaped with the pipe's write end must not hold the build.
        let drain = tokio::time::sleep(Duration::from_secs(3600));
        tokio::pin!(drain);
        let mut output_open = true;
        loop {
            tokio::select! {
                text = lines_rx.recv(), if output_open => match text {
                    Some(text) => line(text),
                    None if ending.is_some() => break,
                    None => output_open = false,
                },
                status = child.wait(), if ending.is_none() => {
                    let status = status.map_err(|e| internal("waiting for the sandbox", e))?;
                    ending = Some(status.code().map_or(Ending::Killed, Ending::Exited));
                }
                () = &mut deadline, if ending.is_none() => {
                    let _ = child.kill().await;
                    ending = Some(Ending::TimedOut);
                }
                changed = cancel.changed(), if ending.is_none() => {
                    if changed.is_err() || *cancel.borrow() {
                        let _ = child.kill().await;
                        ending = Some(Ending::Cancelled);
                    }
                }
                () = &mut drain, if ending.is_some() => break,
            }
            if ending.is_some() && !output_open {
                break;
            }
            if ending.is_some() && drain.deadline() > tokio::time::Instant::now() + Duration::from_secs(2) {
                drain.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(2));
            }
        }
        drop(reading); // a reader still blocked on an escaped writer finishes on its own
        Ok(ending.expect("the loop ends only once the run ended"))
    }
}

/// Reads a tool's single line of output outside the sandbox (used to ask interpreters their
/// version at start-up: trusted host binaries only).
pub fn host_output(program: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program).args(args).stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.lines().map(str::trim).collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jail(work: &Path) -> Jail {
        Jail {
            work: work.to_path_buf(),
            read_only: Vec::new(),
            network: false,
            env: Vec::new(),
            memory_bytes: 512 * 1024 * 1024,
            max_file_bytes: 1024 * 1024,
            timeout: Duration::from_secs(10),
        }
    }

    async fn sh(jail: &Jail, script: &str) -> (Ending, Vec<String>) {
        let sandbox = Sandbox::find().expect("bubblewrap is installed (scripts/setup)");
        let (_tx, mut cancel) = watch::channel(false);
        let mut lines = Vec::new();
        let ending = sandbox
            .run(jail, Path::new("/bin/sh"), &["-c".into(), script.into()], &mut cancel, |l| lines.push(l))
            .await
            .expect("runs");
        (ending, lines)
    }

    #[tokio::test]
    async fn the_work_folder_is_writable_and_the_host_is_not_visible() {
        let work = tempfile::tempdir().expect("temp dir");
        let secret = tempfile::tempdir().expect("temp dir");
        std::fs::write(secret.path().join("secret"), "s3cret").expect("write");
        let script = format!(
            "echo made > /build/out; cat {}/secret 2>&1; ls /root 2>&1; echo home=$HOME user=$USER; echo to-stderr >&2; exit 3",
            secret.path().display()
        );
        let (ending, lines) = sh(&jail(work.path()), &script).await;
        assert_eq!(ending, Ending::Exited(3));
        assert_eq!(std::fs::read_to_string(work.path().join("out")).expect("written"), "made\n");
        assert!(lines.iter().any(|l| l.contains("No such file")), "the host's temp folder is invisible: {lines:?}");
        assert!(!lines.iter().any(|l| l.contains("s3cret")));
        assert!(lines.contains(&"home=/tmp user=".to_owned()), "a fresh environment: {lines:?}");
        assert!(lines.contains(&"to-stderr".to_owned()), "stderr is captured: {lines:?}");
    }

    #[tokio::test]
    async fn no_network_a_timer_and_a_memory_cap() {
        let work = tempfile::tempdir().expect("temp dir");
        let (_, lines) =
            sh(&jail(work.path()), "cat /sys/class/net/*/operstate 2>/dev/null | wc -l; ls /sys/class/net").await;
        assert!(lines.iter().all(|l| !l.contains("eth")), "only loopback: {lines:?}");

        let mut quick = jail(work.path());
        quick.timeout = Duration::from_millis(300);
        let (ending, _) = sh(&quick, "sleep 30").await;
        assert_eq!(ending, Ending::TimedOut);

        let mut small = jail(work.path());
        small.memory_bytes = 64 * 1024 * 1024;
        let (ending, lines) = sh(&small, "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo held ${#x}").await;
        assert!(!lines.iter().any(|l| l.starts_with("held")), "the cap stops holding 200 MB: {ending:?} {lines:?}");
    }

    #[tokio::test]
    async fn read_only_mounts_under_the_hosts_tmp_are_visible() {
        // Tools and interpreters may live under /tmp on the host (a CI checkout there).
        let work = tempfile::tempdir().expect("temp dir");
        let tools = tempfile::tempdir().expect("temp dir");
        std::fs::write(tools.path().join("tool.txt"), "tool").expect("write");
        let mut with_tools = jail(work.path());
        with_tools.read_only.push(tools.path().to_path_buf());
        let (_, lines) = sh(&with_tools, &format!("cat {}/tool.txt", tools.path().display())).await;
        assert_eq!(lines, ["tool"]);
    }

    #[tokio::test]
    async fn a_background_process_does_not_outlive_the_run() {
        let work = tempfile::tempdir().expect("temp dir");
        let started = std::time::Instant::now();
        let (ending, lines) = sh(&jail(work.path()), "sleep 30 & echo started").await;
        assert_eq!((ending, lines), (Ending::Exited(0), vec!["started".to_owned()]));
        assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    }

    #[tokio::test]
    async fn cancelling_kills_the_run() {
        let work = tempfile::tempdir().expect("temp dir");
        let sandbox = Sandbox::find().expect("bubblewrap");
        let (tx, mut cancel) = watch::channel(false);
        let started = std::time::Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = tx.send(true);
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let ending = sandbox
            .run(&jail(work.path()), Path::new("/bin/sh"), &["-c".into(), "sleep 30".into()], &mut cancel, |_| {})
            .await;
        assert_eq!(ending.expect("runs"), Ending::Cancelled);
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
