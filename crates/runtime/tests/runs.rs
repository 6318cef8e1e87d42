//! The runtime against real packages of the templates, real bubblewrap and the host's Python.

use build::sandbox::Sandbox;
use build::toolbox::Toolbox;
use domain::app::AppSlug;
use runtime::install::install;
use runtime::run::{RunEnd, RunInput, RunLimits, run};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::Duration;
use tokio::sync::watch;

/// The package of a template with `extra` files, installed under `root`.
fn installed(root: &Path, template: &str, extra: &[(&str, &str)]) -> runtime::install::Installed {
    let slug = AppSlug::parse("run-app").expect("slug");
    let mut files: build::Files = apps::templates::find(template)
        .expect("template")
        .render("Run App", &slug, "5e0c7a52-9b1d-4c3e-8f2a-6d4b3c2a1f0e")
        .into_iter()
        .map(|(p, b)| (p.to_string(), b))
        .collect();
    files.extend(extra.iter().map(|(p, c)| ((*p).to_owned(), c.as_bytes().to_vec())));
    let package = build::package(&files).expect("packs");
    install(&root.join("apps"), &package.sha256, &package.bytes).expect("installs")
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

async fn go(
    root: &Path,
    app: &runtime::install::Installed,
    input: RunInput,
    limits: RunLimits,
) -> runtime::run::RunOutcome {
    let sandbox = Sandbox::find().expect("bubblewrap (scripts/setup)");
    let toolbox = Toolbox::discover(None);
    let (_tx, mut cancel) = watch::channel(false);
    let scratch = root.join("runs").join(input.run_id.to_string());
    run(&sandbox, &toolbox, app, &input, &scratch, &limits, &mut cancel).await.expect("runs")
}

#[tokio::test]
async fn the_basic_template_runs_and_its_outputs_become_playbook_variables() {
    let root = tempfile::tempdir().expect("temp dir");
    let app = installed(root.path(), "playbook-basic", &[]);
    let input =
        RunInput { run_id: 7, inputs: object(json!({"text": "  hello  ", "upper_case": true})), webhook_event: None };
    let outcome = go(root.path(), &app, input, RunLimits::default()).await;
    assert_eq!(outcome.end, RunEnd::Succeeded, "{:?}", outcome.log);
    let pairs: Vec<(&str, &Value)> = outcome.outputs.iter().map(|o| (o.variable.as_str(), &o.value)).collect();
    assert_eq!(
        pairs,
        [
            ("#App:7:run_app.results.text!String", &json!("HELLO")),
            ("#App:7:run_app.results.length!String", &json!("5"))
        ]
    );
    assert_eq!(outcome.exit_message, "Processed 5 characters.");
    assert!(outcome.python.starts_with("3.11"));
}

#[tokio::test]
async fn a_failing_run_reports_its_exit_message_and_a_missing_input() {
    let root = tempfile::tempdir().expect("temp dir");
    let app = installed(root.path(), "playbook-basic", &[]);
    let outcome =
        go(root.path(), &app, RunInput { run_id: 1, inputs: Map::new(), webhook_event: None }, RunLimits::default())
            .await;
    assert_eq!((outcome.end, outcome.exit_code), (RunEnd::Failed, Some(1)));
    assert_eq!(outcome.exit_message, "Failed: the Text input is empty");
    assert!(outcome.outputs.is_empty());
}

#[tokio::test]
async fn a_webhook_app_gets_the_request() {
    let root = tempfile::tempdir().expect("temp dir");
    let app = installed(root.path(), "webhook-trigger", &[]);
    let event = json!({
        "method": "POST",
        "headers": {"X-Webhook-Secret": "s3cret"},
        "params": {},
        "body": "{\"title\": \"Beaconing\", \"severity\": \"critical\", \"indicators\": [\"203.0.113.7\"]}"
    });
    let input = RunInput {
        run_id: 3,
        inputs: object(json!({"shared_secret": "s3cret", "severities": "high|critical"})),
        webhook_event: Some(event),
    };
    let outcome = go(root.path(), &app, input, RunLimits::default()).await;
    assert_eq!(outcome.end, RunEnd::Succeeded, "{:?}", outcome.log);
    assert!(outcome.outputs.iter().any(|o| o.value == json!("Beaconing")), "{:?}", outcome.outputs);
}

#[tokio::test]
async fn undeclared_outputs_are_dropped_and_app_code_is_contained() {
    let root = tempfile::tempdir().expect("temp dir");
    let secret = root.path().join("data-secret.txt");
    std::fs::write(&secret, "do not read").expect("write");
    let code = format!(
        "import json, os, sys\n\
         os.makedirs(os.environ['TC_OUT_PATH'], exist_ok=True)\n\
         print('secret visible:', os.path.exists({:?}))\n\
         print('home:', os.environ.get('HOME'), 'keys:', sorted(k for k in os.environ if k.startswith('APPBUILDER')))\n\
         json.dump([{{'name': 'run_app.results.text', 'type': 'String', 'value': 'ok'}}, {{'name': 'made.up', 'type': 'String', 'value': 'x'}}], open(os.environ['TC_APP_OUTPUT_FILE'], 'w'))\n\
         open(os.path.join(os.environ['TC_OUT_PATH'], 'message.tc'), 'w').write('x' * 400)\n",
        secret.display().to_string()
    );
    let app = installed(root.path(), "playbook-basic", &[("run.py", &code)]);
    let outcome =
        go(root.path(), &app, RunInput { run_id: 9, inputs: Map::new(), webhook_event: None }, RunLimits::default())
            .await;
    assert_eq!(outcome.end, RunEnd::Succeeded, "{:?}", outcome.log);
    assert!(outcome.log.contains(&"secret visible: False".to_owned()), "{:?}", outcome.log);
    assert!(outcome.log.contains(&"home: /tmp keys: []".to_owned()), "{:?}", outcome.log);
    assert_eq!(outcome.outputs.len(), 1);
    assert!(outcome.log.iter().any(|l| l.contains("\"made.up\"") && l.contains("not declared")));
    assert_eq!(outcome.exit_message.len(), 255);
}

#[tokio::test]
async fn a_run_that_does_not_end_is_stopped_at_its_time_limit() {
    let root = tempfile::tempdir().expect("temp dir");
    let app = installed(root.path(), "playbook-basic", &[("run.py", "while True:\n    pass\n")]);
    let limits = RunLimits { timeout: Duration::from_millis(500), ..RunLimits::default() };
    let outcome = go(root.path(), &app, RunInput { run_id: 2, inputs: Map::new(), webhook_event: None }, limits).await;
    assert_eq!(outcome.end, RunEnd::TimedOut);
    assert!(outcome.duration < Duration::from_secs(5));
}

#[test]
fn hostile_packages_are_refused() {
    let root = tempfile::tempdir().expect("temp dir");
    let err = install(root.path(), &"a".repeat(64), b"not a zip").expect_err("refused");
    assert!(matches!(err, runtime::RuntimeError::Invalid(_)));
    assert!(install(root.path(), "../../etc", b"").is_err(), "the digest names the folder, so it is checked");
}
