//! The build pipeline against real tools: bubblewrap, the host's Python, ruff, pip and PyPI.

use apps::templates::find;
use build::Files;
use build::pipeline::{Event, Limits, Settings, Step, StepEnd, Stop, run};
use build::sandbox::Sandbox;
use build::toolbox::Toolbox;
use domain::app::AppSlug;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

fn settings(root: &Path) -> Settings {
    let ruff = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/build-tools/bin/ruff");
    Settings {
        toolbox: Arc::new(Toolbox::discover(Some(ruff))),
        sandbox: Some(Sandbox::find().expect("bubblewrap is installed (scripts/setup)")),
        cache_dir: root.join("cache"),
        artifacts_dir: root.join("artifacts"),
        work_dir: root.join("work"),
        // pip reaches PyPI (a registry this machine has); a stalled index fails the build in two
        // minutes, not ten.
        limits: Limits {
            check_timeout: Duration::from_secs(60),
            dependency_timeout: Duration::from_secs(120),
            ..Limits::default()
        },
    }
}

fn template(requirements: &str) -> Files {
    let slug = AppSlug::parse("pipeline-app").expect("slug");
    let mut files: Files = find("playbook-basic")
        .expect("template")
        .render("Pipeline App", &slug, "7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b")
        .into_iter()
        .map(|(p, b)| (p.to_string(), b))
        .collect();
    files.insert("requirements.txt".into(), requirements.as_bytes().to_vec());
    files
}

struct Outcome {
    result: Result<build::pipeline::Built, Stop>,
    events: Vec<Event>,
    took: Duration,
}

impl Outcome {
    fn lines(&self, step: Step) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| if let Event::Line(s, l) = e { (*s == step).then(|| l.clone()) } else { None })
            .collect()
    }
    fn ended(&self, step: Step) -> Option<StepEnd> {
        self.events
            .iter()
            .find_map(|e| if let Event::Finished(s, end, _) = e { (*s == step).then_some(*end) } else { None })
    }
}

async fn build(settings: &Settings, files: Files) -> Outcome {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_cancel_tx, cancel) = watch::channel(false);
    let started = std::time::Instant::now();
    let result = run(settings, "pipeline-app", "b1", files, tx, cancel).await;
    let took = started.elapsed();
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    Outcome { result, events, took }
}

#[tokio::test]
async fn a_template_builds_vendors_its_requirements_and_a_rebuild_uses_the_cache() {
    let root = tempfile::tempdir().expect("temp dir");
    let settings = settings(root.path());
    let first = build(&settings, template("six==1.16.0\n")).await;
    let built = first.result.as_ref().unwrap_or_else(|e| panic!("builds: {e:?}\n{:#?}", first.events));
    assert!(
        built.python.as_deref().is_some_and(|v| v.starts_with("3.11")),
        "languageVersion 3.11 is used: {:?}",
        built.python
    );
    assert!(built.package.files.iter().any(|f| f == "deps/six.py"), "six is vendored: {:?}", built.package.files);
    assert!(built.package.files.iter().any(|f| f == "requirements.lock"));
    assert!(first.lines(Step::Dependencies).iter().any(|l| l.contains("six==1.16.0")), "the lock is logged");
    assert!(
        first.lines(Step::Python).iter().any(|l| l.starts_with("Found ") || l.contains("All checks passed")),
        "ruff ran: {:?}",
        first.lines(Step::Python)
    );
    let stored = build::pipeline::artifact_path(&settings.artifacts_dir, &built.package.sha256);
    assert_eq!(std::fs::read(&stored).expect("stored"), built.package.bytes);
    assert!(!settings.work_dir.join("b1").exists(), "the scratch folder is removed");

    let second = build(&settings, template("six==1.16.0\n")).await;
    let rebuilt = second.result.as_ref().expect("rebuilds");
    assert!(second.lines(Step::Dependencies).iter().any(|l| l.contains("no network used")));
    assert!(!second.lines(Step::Dependencies).iter().any(|l| l.contains("Collecting")), "pip did not run");
    assert_eq!(rebuilt.package.sha256, built.package.sha256, "same revision and dependencies, same bytes");
    eprintln!("first build {:?}, rebuild with cached dependencies {:?}", first.took, second.took);
}

#[tokio::test]
async fn a_syntax_error_stops_the_build_at_the_python_step_naming_the_file() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut files = template("");
    files.insert("lib/broken.py".into(), b"def f(:\n    pass\n".to_vec());
    let outcome = build(&settings(root.path()), files).await;
    assert!(matches!(&outcome.result, Err(Stop::Failed(why)) if why.contains("compile")), "{:?}", outcome.result);
    assert!(
        outcome.lines(Step::Python).iter().any(|l| l.starts_with("lib/broken.py:1:")),
        "{:?}",
        outcome.lines(Step::Python)
    );
    assert_eq!(outcome.ended(Step::Dependencies), None, "later steps do not run");
    assert!(!root.path().join("artifacts").exists());
}

#[tokio::test]
async fn manifest_errors_stop_the_build_and_warnings_are_listed() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut files = template("");
    let install = String::from_utf8(files["install.json"].clone()).expect("utf-8").replace("\"1.0.0\"", "\"1.0\"");
    files.insert("install.json".into(), install.into_bytes());
    let outcome = build(&settings(root.path()), files).await;
    assert!(matches!(&outcome.result, Err(Stop::Failed(why)) if why.contains("manifest")), "{:?}", outcome.result);
    assert!(outcome.lines(Step::Validate).iter().any(|l| l.contains("error") && l.contains("programVersion")));
    assert_eq!(outcome.ended(Step::Validate), Some(StepEnd::Failed));
}

#[tokio::test]
async fn the_sandbox_keeps_app_code_away_from_the_host() {
    // The checks only compile code, but ruff and pip run inside the same jail: prove that a
    // program started there cannot read outside its work folder.
    let root = tempfile::tempdir().expect("temp dir");
    let settings = settings(root.path());
    let secret = root.path().join("secret.txt");
    std::fs::write(&secret, "top secret").expect("write");
    let python = settings.toolbox.python_for(Some("3.11")).expect("python").python.clone();
    let work = root.path().join("w");
    std::fs::create_dir_all(&work).expect("mkdir");
    let jail = build::sandbox::Jail {
        work: work.clone(),
        read_only: vec![python.prefix.clone()],
        network: false,
        env: Vec::new(),
        memory_bytes: 1 << 30,
        max_file_bytes: 1 << 20,
        timeout: Duration::from_secs(20),
    };
    let probe = format!(
        "import os, socket\nfor p in [{:?}, '/root', {:?}]:\n    print(p, os.path.exists(p))\ntry:\n    socket.create_connection(('pypi.org', 443), timeout=3); print('net yes')\nexcept OSError as e:\n    print('net no')",
        secret.display().to_string(),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).display().to_string()
    );
    let (_tx, mut cancel) = watch::channel(false);
    let mut lines = Vec::new();
    settings
        .sandbox
        .as_ref()
        .expect("a sandbox")
        .run(&jail, &python.executable, &["-I".into(), "-c".into(), probe], &mut cancel, |l| lines.push(l))
        .await
        .expect("runs");
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" False")).count(),
        2,
        "the secret and the project are invisible: {lines:?}"
    );
    assert!(lines.contains(&"net no".to_owned()), "no network: {lines:?}");
}
