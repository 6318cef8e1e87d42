//! Deployments to the embedded runtime, runs, rollback, the contract gate and the audit log,
//! through the real router (real SQLite, git, builds, bubblewrap and Python).

mod common;

use common::TestServer;
use common::flows::{App, build, create, drop_outputs, edit};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn deploy(server: &TestServer, cookie: &str, build: i64, reason: Option<&str>) -> common::Answer {
    let mut body = json!({"build": build, "target": "local"});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    server.call(Method::POST, "/api/v1/deployments", Some(cookie), Some(body)).await
}

async fn run(server: &TestServer, cookie: &str, app: &App, inputs: Value) -> common::Answer {
    server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/runs", app.slug),
            Some(cookie),
            Some(json!({"inputs": inputs, "wait": true})),
        )
        .await
}

#[tokio::test]
async fn an_admin_deploys_a_build_and_developers_run_it_on_demand() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("dev", "developer").await;
    let reviewer = server.user_with_role("rita", "reviewer").await;
    let app = create(&server, &dev, "Runner").await;
    let build_id = build(&server, &dev, &app).await;

    let refused = deploy(&server, &dev, build_id, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "only admins deploy");
    let deployed = deploy(&server, &admin, build_id, None).await;
    assert_eq!(deployed.status, StatusCode::ACCEPTED, "{}", deployed.text);
    let deployment = deployed.json();
    assert_eq!((deployment["status"].as_str(), deployment["version"].as_str()), (Some("succeeded"), Some("1.0.0")));
    assert_eq!(deployment["target"], "local");
    let steps: Vec<(&str, &str)> = deployment["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["name"].as_str().unwrap_or(""), s["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        steps,
        [("review", "skipped"), ("contract", "skipped"), ("tests", "skipped"), ("install", "succeeded")],
        "{deployment}"
    );

    let answer = run(&server, &dev, &app, json!({"text": "  hi there ", "upper_case": true})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let finished = answer.json();
    let id = finished["id"].as_i64().expect("id");
    assert_eq!(finished["status"], "succeeded", "{finished}");
    assert_eq!(finished["version"], "1.0.0");
    assert_eq!(finished["exit_message"], "Processed 8 characters.");
    let outputs = finished["outputs"].as_array().expect("outputs");
    assert!(outputs.contains(&json!({"variable": format!("#App:{id}:runner.results.text!String"), "name": "runner.results.text", "type": "String", "value": "HI THERE"})), "{outputs:?}");
    assert!(finished["duration_ms"].is_u64());
    assert_eq!(
        server.call(Method::GET, &format!("/api/v1/runs/{id}"), Some(&reviewer), None).await.json()["status"],
        "succeeded"
    );
    let list = server.call(Method::GET, &format!("/api/v1/apps/{}/runs", app.slug), Some(&reviewer), None).await.json();
    assert_eq!(list["items"][0]["id"], id);

    assert_eq!(
        run(&server, &reviewer, &app, json!({"text": "x"})).await.status,
        StatusCode::FORBIDDEN,
        "reviewers only read"
    );
    let missing = run(&server, &dev, &app, json!({})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.json()["message"].as_str().is_some_and(|m| m.contains("text is required")));
    let failing = run(&server, &dev, &app, json!({"text": "   "})).await.json();
    assert_eq!(
        (failing["status"].as_str(), failing["exit_message"].as_str()),
        (Some("failed"), Some("Failed: the Text input is empty"))
    );

    let queued = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/runs", app.slug),
            Some(&dev),
            Some(json!({"inputs": {"text": "later"}})),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED);
    let history =
        server.call(Method::GET, &format!("/api/v1/apps/{}/deployments", app.slug), Some(&reviewer), None).await.json();
    assert_eq!(history["items"][0]["requested_by"], "admin");
    let audit = server.call(Method::GET, "/api/v1/audit", Some(&admin), None).await.json();
    assert!(
        audit["items"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["action"] == "deploy" && e["subject"] == app.slug.as_str())
    );
    assert_eq!(server.call(Method::GET, "/api/v1/audit", Some(&dev), None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_breaking_change_needs_a_major_bump_or_a_reason_and_rollback_restores_the_previous_build() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut app = create(&server, &admin, "Contract").await;
    let first = build(&server, &admin, &app).await;
    assert_eq!(deploy(&server, &admin, first, None).await.status, StatusCode::ACCEPTED);

    // 1.1.0 removes an output: refused without a reason.
    drop_outputs(&server, &admin, &mut app, "1.1.0").await;
    let second = build(&server, &admin, &app).await;
    let refused = deploy(&server, &admin, second, None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.error_code(), "breaking_change");
    assert_eq!(refused.json()["changes"], json!(["output contract.results.length (String) removed"]));
    let forced = deploy(&server, &admin, second, Some("no playbook reads the length")).await;
    assert_eq!(forced.status, StatusCode::ACCEPTED, "{}", forced.text);
    let forced = forced.json();
    assert_eq!(forced["override_reason"], "no playbook reads the length");
    assert_eq!(forced["breaking"], json!(["output contract.results.length (String) removed"]));
    assert_eq!(forced["steps"][1]["status"], "succeeded");
    let contract = forced["steps"][1]["detail"].as_str().unwrap_or_default();
    assert!(contract.contains("1 breaking change") && contract.contains("with a reason"), "{contract}");
    let audit = server.call(Method::GET, "/api/v1/audit", Some(&admin), None).await.json();
    let event = audit["items"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "deploy" && e["detail"]["build"] == second)
        .cloned()
        .expect("audited");
    assert_eq!(event["detail"]["reason"], "no playbook reads the length");

    // Rollback: the first build is live again.
    let rolled =
        server.call(Method::POST, &format!("/api/v1/deployments/{}/rollback", forced["id"]), Some(&admin), None).await;
    assert_eq!(rolled.status, StatusCode::ACCEPTED, "{}", rolled.text);
    let rolled = rolled.json();
    assert_eq!((rolled["build"].as_i64(), rolled["rollback_of"].as_i64()), (Some(first), forced["id"].as_i64()));
    let ran = run(&server, &admin, &app, json!({"text": "abc"})).await.json();
    assert_eq!((ran["version"].as_str(), ran["outputs"].as_array().map(Vec::len)), (Some("1.0.0"), Some(2)));

    // 2.0.0 with the same removal is a major bump: no reason needed.
    edit(&server, &admin, &mut app, |i| i["programVersion"] = json!("2.0.0"), &[]).await;
    let third = build(&server, &admin, &app).await;
    let bumped = deploy(&server, &admin, third, None).await;
    assert_eq!(bumped.status, StatusCode::ACCEPTED, "{}", bumped.text);
    assert_eq!(bumped.json()["breaking"], json!([]));
}

#[tokio::test]
async fn secret_inputs_are_masked_in_the_record_and_kept_for_a_rerun() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut app = create(&server, &admin, "Secretive").await;
    let code = "class AppError(Exception):\n    pass\n\n\nclass App:\n    def __init__(self, inputs):\n        self.inputs = inputs\n        self.exit_message = 'ok'\n\n    def run(self):\n        key = self.inputs.get('api_key') or ''\n        if key == 'fail':\n            raise AppError('asked to fail')\n        return {'secretive.results.text': 'match' if key == 's3cr3t-value' else 'no match', 'secretive.results.length': str(len(key))}\n";
    edit(
        &server,
        &admin,
        &mut app,
        |i| {
            i["params"]
                .as_array_mut()
                .expect("params")
                .push(json!({"name": "api_key", "label": "API Key", "type": "String", "encrypt": true, "sequence": 3}));
        },
        &[("app.py", code)],
    )
    .await;
    let id = build(&server, &admin, &app).await;
    assert_eq!(deploy(&server, &admin, id, None).await.status, StatusCode::ACCEPTED);
    let first = run(&server, &admin, &app, json!({"text": "x", "api_key": "s3cr3t-value"})).await.json();
    assert_eq!(first["status"], "succeeded", "{first}");
    assert_eq!(first["inputs"]["api_key"], "********");
    assert!(!first.to_string().contains("s3cr3t-value"), "the secret never comes back: {first}");
    let again = server
        .call(Method::POST, &format!("/api/v1/runs/{}/rerun", first["id"]), Some(&admin), Some(json!({"wait": true})))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    let again = again.json();
    assert_eq!(again["trigger"], "rerun");
    let text = again["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .find(|o| o["name"] == "secretive.results.text")
        .cloned()
        .expect("output");
    assert_eq!(text["value"], "match", "the re-run got the same secret");

    // The run becomes a test case: its outputs are the expected ones, the secret stays sealed.
    let reviewer = server.user_with_role("rita", "reviewer").await;
    let from_run = format!("/api/v1/runs/{}/test-case", first["id"]);
    let body = json!({"name": "matches the key"});
    assert_eq!(
        server.call(Method::POST, &from_run, Some(&reviewer), Some(body.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let other_dev = server.user_with_role("dana", "developer").await;
    let refused = server.call(Method::POST, &from_run, Some(&other_dev), Some(body.clone())).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "someone else's secrets stay theirs: {}", refused.text);
    let saved = server.call(Method::POST, &from_run, Some(&admin), Some(body)).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    let saved = saved.json();
    assert_eq!(saved["expected"]["secretive.results.text"], "match");
    assert_eq!(saved["inputs"]["api_key"], "********");
    assert!(!saved.to_string().contains("s3cr3t-value"));
    let results = server.call(Method::POST, &format!("/api/v1/builds/{id}/tests"), Some(&admin), None).await.json();
    assert_eq!(
        (results[0]["name"].as_str(), results[0]["passed"].as_bool()),
        (Some("matches the key"), Some(true)),
        "{results}"
    );
    let failing = run(&server, &admin, &app, json!({"text": "x", "api_key": "fail"})).await.json();
    assert_eq!(failing["status"], "failed", "{failing}");
    let refused = server
        .call(
            Method::POST,
            &format!("/api/v1/runs/{}/test-case", failing["id"]),
            Some(&admin),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{failing}");
    assert!(refused.text.contains("only a succeeded run"), "{}", refused.text);
}

#[tokio::test]
async fn every_state_change_lands_in_the_audit_log_for_admins() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("devon", "developer").await;
    let mut app = create(&server, &dev, "Audited").await;
    edit(&server, &dev, &mut app, |i| i["note"] = json!("audited"), &[]).await;
    build(&server, &dev, &app).await;
    let wanted = [
        ("user.create", "devon", "admin"),
        ("app.create", "audited", "devon"),
        ("app.save", "audited", "devon"),
        ("build.queue", "audited", "devon"),
    ];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = server.call(Method::GET, "/api/v1/audit?limit=100", Some(&admin), None).await.json();
        let events: Vec<(String, String, String)> = log["items"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap_or_default().into(),
                    e["subject"].as_str().unwrap_or_default().into(),
                    e["actor"].as_str().unwrap_or_default().into(),
                )
            })
            .collect();
        let missing: Vec<_> =
            wanted.iter().filter(|(a, s, who)| !events.contains(&((*a).into(), (*s).into(), (*who).into()))).collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "missing {missing:?} in {events:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn test_cases_run_against_a_build_and_a_target_can_require_them() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut app = create(&server, &admin, "Tested").await;
    let first = build(&server, &admin, &app).await;
    let case = |name: &str, text: &str, want: &str| json!({"name": name, "inputs": {"text": text}, "expected": {"tested.results.text": want}});
    let saved = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/tests", app.slug),
            Some(&admin),
            Some(case("trims", "  a b  ", "a b")),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    let results = server.call(Method::POST, &format!("/api/v1/builds/{first}/tests"), Some(&admin), None).await.json();
    assert_eq!(results[0]["passed"], true, "{results}");

    // The local target now requires tests: a build that breaks one is refused.
    let patched =
        server.call(Method::PATCH, "/api/v1/targets/local", Some(&admin), Some(json!({"require_tests": true}))).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let passing = deploy(&server, &admin, first, None).await;
    assert_eq!(passing.status, StatusCode::ACCEPTED, "a passing build deploys: {}", passing.text);
    assert_eq!(
        passing.json()["steps"][2],
        json!({"name": "tests", "status": "succeeded", "detail": "1 of 1 test cases passed"})
    );
    let broken = "class AppError(Exception):\n    pass\n\n\nclass App:\n    def __init__(self, inputs):\n        self.inputs = inputs\n        self.exit_message = 'ok'\n\n    def run(self):\n        return {'tested.results.text': 'wrong', 'tested.results.length': '0'}\n";
    edit(&server, &admin, &mut app, |_| {}, &[("app.py", broken)]).await;
    let second = build(&server, &admin, &app).await;
    let refused = deploy(&server, &admin, second, None).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let message = refused.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("trims") && message.contains("\"wrong\""), "{message}");
    let runs = server.call(Method::GET, &format!("/api/v1/apps/{}/runs", app.slug), Some(&admin), None).await.json();
    assert_eq!(runs["items"][0]["trigger"], "test");
}

#[tokio::test]
async fn a_running_app_is_cancelled_by_a_developer_and_ends_failed_saying_who() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("dev", "developer").await;
    let reviewer = server.user_with_role("rita", "reviewer").await;
    let mut app = create(&server, &dev, "Sleeper").await;
    let original =
        server.call(Method::GET, &format!("/api/v1/apps/{}/files/app.py", app.slug), Some(&dev), None).await.text;
    let slow = format!("import time\ntime.sleep(120)\n{original}");
    edit(&server, &dev, &mut app, |_| {}, &[("app.py", slow.as_str())]).await;
    let build_id = build(&server, &dev, &app).await;
    assert_eq!(deploy(&server, &admin, build_id, None).await.status, StatusCode::ACCEPTED);

    let started = Instant::now();
    let queued = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/runs", app.slug),
            Some(&dev),
            Some(json!({"inputs": {"text": "x"}, "wait": false})),
        )
        .await;
    assert!(queued.status.is_success(), "{}", queued.text);
    let id = queued.json()["id"].as_i64().expect("id");
    let path = format!("/api/v1/runs/{id}");
    while server.call(Method::GET, &path, Some(&dev), None).await.json()["status"] != "running" {
        assert!(started.elapsed() < Duration::from_secs(30), "the run starts");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let cancel = format!("/api/v1/runs/{id}/cancel");
    assert_eq!(server.call(Method::POST, &cancel, Some(&reviewer), None).await.status, StatusCode::FORBIDDEN);
    let cancelled = server.call(Method::POST, &cancel, Some(&dev), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    let ended = loop {
        let now = server.call(Method::GET, &path, Some(&dev), None).await.json();
        if now["status"] != "running" {
            break now;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the run ends long before its 120 s sleep");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (ended["status"].as_str(), ended["reason"].as_str()),
        (Some("failed"), Some("cancelled by dev")),
        "{ended}"
    );
    let again = server.call(Method::POST, &cancel, Some(&dev), None).await;
    assert_eq!((again.status, again.error_code().as_str()), (StatusCode::CONFLICT, "conflict"), "{}", again.text);
    assert_eq!(
        server.call(Method::POST, "/api/v1/runs/999999/cancel", Some(&dev), None).await.status,
        StatusCode::NOT_FOUND
    );
    let audit = server.call(Method::GET, "/api/v1/audit?action=run.cancel", Some(&admin), None).await.json();
    assert!(audit.to_string().contains("run.cancel"), "{audit}");
}
