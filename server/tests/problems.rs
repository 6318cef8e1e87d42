//! `GET /api/v1/apps/{app}/problems` through the real router, and `appbuilder validate DIR` as a
//! real process: the same checks, the same codes.

mod common;

use common::TestServer;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::process::Command;

async fn problems(server: &TestServer, cookie: &str, slug: &str, rev: Option<&str>) -> (StatusCode, Value) {
    let path = match rev {
        Some(rev) => format!("/api/v1/apps/{slug}/problems?rev={rev}"),
        None => format!("/api/v1/apps/{slug}/problems"),
    };
    let answer = server.call(Method::GET, &path, Some(cookie), None).await;
    (answer.status, answer.json())
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array().expect("a list").iter().map(|p| p["code"].as_str().expect("code").to_owned()).collect()
}

#[tokio::test]
async fn every_template_starts_without_errors_and_a_broken_save_shows_its_problems() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let reviewer = server.user_with_role("rev", "reviewer").await;
    for template in apps::templates::TEMPLATES.iter().map(|t| t.name) {
        let created = server
            .call(
                Method::POST,
                "/api/v1/apps",
                Some(&dev),
                Some(json!({"name": format!("Check {template}"), "template": template})),
            )
            .await
            .json();
        let slug = created["slug"].as_str().expect("slug");
        let (status, list) = problems(&server, &reviewer, slug, None).await;
        assert_eq!(status, StatusCode::OK);
        let errors: Vec<&Value> =
            list.as_array().expect("a list of problems").iter().filter(|p| p["severity"] == "error").collect();
        assert!(errors.is_empty(), "{template}: {errors:#?}");
    }

    let created = server
        .call(Method::POST, "/api/v1/apps", Some(&dev), Some(json!({"name": "Broken", "template": "playbook-basic"})))
        .await
        .json();
    let head = created["head"].as_str().expect("a head").to_owned();
    let install = server.call(Method::GET, "/api/v1/apps/broken/files/install.json", Some(&dev), None).await.text;
    let mut value: Value = serde_json::from_str(&install).expect("install.json parses");
    value["programVersion"] = json!("1.0");
    value["params"][0]["name"] = json!("Bad Name");
    let changes = json!([
        {"op": "put", "path": "install.json", "content": serde_json::to_string_pretty(&value).expect("JSON")},
        {"op": "put", "path": "app.py", "content": "def broken(:\n    pass\n"},
    ]);
    let saved = server
        .call(
            Method::POST,
            "/api/v1/apps/broken/commits",
            Some(&dev),
            Some(json!({"base": head, "message": "", "changes": changes})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);

    let (_, list) = problems(&server, &dev, "broken", None).await;
    let found = codes(&list);
    for code in ["install.program_version.format", "param.name.format", "python.syntax"] {
        assert!(found.contains(&code.to_owned()), "{code} in {found:?}");
    }
    let version = list
        .as_array()
        .expect("a list of problems")
        .iter()
        .find(|p| p["code"] == "install.program_version.format")
        .expect("the version problem");
    assert_eq!(version["file"], "install.json");
    assert_eq!(version["pointer"], "/programVersion");
    assert!(version["line"].as_u64().is_some());
    assert_eq!(
        version["fix"]["edits"][0],
        json!({"op": "set", "file": "install.json", "pointer": "/programVersion", "value": "1.0.0"})
    );

    let (_, before) = problems(&server, &dev, "broken", Some(&head)).await;
    assert!(!codes(&before).contains(&"python.syntax".to_owned()), "?rev= checks that version");
    let (status, _) = problems(&server, &dev, "no-such-app", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = server.call(Method::GET, "/api/v1/apps/broken/problems", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn appbuilder_validate_prints_problems_and_fails_on_errors() {
    let binary = env!("CARGO_BIN_EXE_appbuilder");
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = dir.path().join("my-app");
    std::fs::create_dir(&app).expect("the app folder");
    let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/apps/templates/playbook-basic");
    let install = std::fs::read_to_string(templates.join("install.json")).expect("the template's install.json");
    let install = install
        .replace("{{app_id}}", "3f2b9c1e-8d4a-4c7b-9e2f-1a2b3c4d5e6f")
        .replace("{{display_name}}", "My App")
        .replace("{{output_prefix}}", "my_app");
    assert!(!install.contains("{{"), "every placeholder filled: {install}");
    std::fs::write(app.join("install.json"), &install).expect("written");

    let run = |args: &[&str]| Command::new(binary).arg("validate").args(args).arg(&app).output().expect("runs");
    let broken = install.replacen("\"programVersion\": \"", "\"programVersion\": \"x", 1);
    std::fs::write(app.join("install.json"), broken).expect("written");
    let output = run(&[]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("install.json:"), "{text}");
    assert!(text.contains("[install.program_version.format]"), "{text}");

    let output = run(&["--json"]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(report["errors"].as_u64().expect("an error count") >= 1);
    assert!(codes(&report["problems"]).contains(&"install.program_version.format".to_owned()));

    let missing = Command::new(binary).args(["validate", "/nonexistent/appbuilder"]).output().expect("the binary runs");
    assert_eq!(missing.status.code(), Some(2));
}
