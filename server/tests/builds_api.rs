//! Builds through the real router: real SQLite, real git, the real pipeline (bubblewrap, the
//! host's Python, ruff, pip).

mod common;

use common::TestServer;
use http::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::Read;
use std::time::{Duration, Instant};

async fn create(server: &TestServer, cookie: &str, name: &str) -> (String, String) {
    let answer = server
        .call(Method::POST, "/api/v1/apps", Some(cookie), Some(json!({"name": name, "template": "playbook-basic"})))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let body = answer.json();
    (body["slug"].as_str().expect("slug").to_owned(), body["head"].as_str().expect("head").to_owned())
}

async fn put(server: &TestServer, cookie: &str, slug: &str, base: &str, path: &str, content: &str) -> String {
    let changes = json!([{"op": "put", "path": path, "content": content}]);
    let answer = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{slug}/commits"),
            Some(cookie),
            Some(json!({"base": base, "changes": changes})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    answer.json()["revision"].as_str().expect("revision").to_owned()
}

async fn queue(server: &TestServer, cookie: &str, slug: &str, body: Option<Value>) -> i64 {
    let answer = server.call(Method::POST, &format!("/api/v1/apps/{slug}/builds"), Some(cookie), body).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text);
    let build = answer.json();
    assert_eq!(build["status"], "queued");
    build["id"].as_i64().expect("an id")
}

/// Polls the build until it has ended.
async fn finished(server: &TestServer, cookie: &str, id: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let build = server.call(Method::GET, &format!("/api/v1/builds/{id}"), Some(cookie), None).await.json();
        if ["succeeded", "failed", "cancelled"].contains(&build["status"].as_str().unwrap_or_default()) {
            return build;
        }
        assert!(Instant::now() < deadline, "build {id} did not end: {build}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_template_builds_and_its_package_downloads() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, head) = create(&server, &dev, "Build Me").await;
    let id = queue(&server, &dev, &slug, None).await;
    let build = finished(&server, &dev, id).await;
    assert_eq!(build["status"], "succeeded", "{build}");
    assert_eq!(build["revision"], head.as_str());
    assert_eq!(build["requested_by"], "dev");
    let steps: Vec<(&str, &str)> = build["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["name"].as_str().expect("name"), s["status"].as_str().expect("status")))
        .collect();
    assert_eq!(
        steps,
        [
            ("validate", "succeeded"),
            ("python", "succeeded"),
            ("dependencies", "skipped"),
            ("package", "succeeded"),
            ("artifact", "succeeded")
        ]
    );
    assert!(build["steps"][1]["duration_ms"].is_u64() && build["duration_ms"].is_u64());
    assert!(build["python"].as_str().is_some_and(|p| p.starts_with("3.11")), "languageVersion 3.11 was used: {build}");
    let package = &build["package"];
    assert_eq!(package["file_name"], "TCPB_-_Build_Me_v1.tcx");

    let download = server.call(Method::GET, &format!("/api/v1/builds/{id}/package"), Some(&dev), None).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.headers[header::CONTENT_DISPOSITION].to_str().expect("ascii").contains("TCPB_-_Build_Me_v1.tcx"));
    assert_eq!(download.headers["x-sha256"].to_str().expect("ascii"), package["sha256"].as_str().expect("sha"));
    // The body went through a String in the test helper: read the zip from the stored artifact instead.
    let stored = server.dir.path().join("artifacts").join(format!("{}.tcx", package["sha256"].as_str().expect("sha")));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(stored).expect("stored")).expect("a zip");
    let mut install = String::new();
    archive
        .by_name("TCPB_-_Build_Me_v1/install.json")
        .expect("install.json inside")
        .read_to_string(&mut install)
        .expect("utf-8");
    assert!(install.contains("\"appId\""));

    let log = server.call(Method::GET, &format!("/api/v1/builds/{id}/log"), Some(&dev), None).await.json();
    let lines: Vec<&str> =
        log["lines"].as_array().expect("lines").iter().map(|l| l["line"].as_str().expect("line")).collect();
    assert!(lines.iter().any(|l| l.starts_with("compiled 2 of 2")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("All checks passed")), "ruff linted: {lines:?}");

    let list = server.call(Method::GET, &format!("/api/v1/apps/{slug}/builds"), Some(&dev), None).await.json();
    assert_eq!(list["items"][0]["id"], id);

    // The same revision again: the same bytes.
    let again = finished(&server, &dev, queue(&server, &dev, &slug, Some(json!({"rev": head}))).await).await;
    assert_eq!(again["package"]["sha256"], package["sha256"]);
}

#[tokio::test]
async fn the_log_streams_as_server_sent_events_until_the_build_ends() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, _) = create(&server, &dev, "Streamed").await;
    let id = queue(&server, &dev, &slug, None).await;
    let request = http::Request::builder()
        .uri(format!("/api/v1/builds/{id}/log"))
        .header(header::HOST, common::HOST)
        .header(header::COOKIE, &dev)
        .header(header::ACCEPT, "text/event-stream")
        .body(axum::body::Body::empty())
        .expect("a request");
    let answer = tokio::time::timeout(Duration::from_secs(120), server.send(request))
        .await
        .expect("the stream ends with the build");
    assert_eq!(answer.headers[header::CONTENT_TYPE], "text/event-stream");
    let text = answer.text;
    assert!(text.contains("event: line") && text.contains("compiled 2 of 2"), "{text}");
    assert!(text.contains("event: build"), "state changes are sent");
    let end = text.split("event: end\ndata: ").nth(1).expect("an end event");
    let end: Value = serde_json::from_str(end.lines().next().expect("data")).expect("the build as JSON");
    assert_eq!(end["status"], "succeeded");
    // Resuming after the last line sends no line again.
    let last_id = text.lines().filter_map(|l| l.strip_prefix("id: ")).next_back().expect("ids").to_owned();
    let request = http::Request::builder()
        .uri(format!("/api/v1/builds/{id}/log"))
        .header(header::HOST, common::HOST)
        .header(header::COOKIE, &dev)
        .header(header::ACCEPT, "text/event-stream")
        .header("last-event-id", last_id)
        .body(axum::body::Body::empty())
        .expect("a request");
    let resumed = server.send(request).await.text;
    assert!(!resumed.contains("event: line") && resumed.contains("event: end"), "{resumed}");
}

#[tokio::test]
async fn two_builds_of_one_revision_at_once_both_store_the_same_package() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, _) = create(&server, &dev, "Twice").await;
    // Both workers take one: they write the same artifact at the same moment.
    let (first, second) = (queue(&server, &dev, &slug, None).await, queue(&server, &dev, &slug, None).await);
    let (first, second) = (finished(&server, &dev, first).await, finished(&server, &dev, second).await);
    assert_eq!(
        (first["status"].as_str(), second["status"].as_str()),
        (Some("succeeded"), Some("succeeded")),
        "{first} {second}"
    );
    assert_eq!(first["package"]["sha256"], second["package"]["sha256"]);
}

#[tokio::test]
async fn a_broken_app_fails_with_a_reason_and_has_no_package() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, head) = create(&server, &dev, "Broken").await;
    let rev = put(&server, &dev, &slug, &head, "app.py", "def run(:\n    pass\n").await;
    let build = finished(&server, &dev, queue(&server, &dev, &slug, Some(json!({"rev": rev}))).await).await;
    assert_eq!(build["status"], "failed");
    assert!(build["reason"].as_str().is_some_and(|r| r.contains("compile")), "{build}");
    let id = build["id"].as_i64().expect("id");
    let log = server.call(Method::GET, &format!("/api/v1/builds/{id}/log"), Some(&dev), None).await.json();
    assert!(
        log["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["line"].as_str().is_some_and(|t| t.starts_with("app.py:1:")))
    );
    let package = server.call(Method::GET, &format!("/api/v1/builds/{id}/package"), Some(&dev), None).await;
    assert_eq!(package.status, StatusCode::NOT_FOUND);
    assert_eq!(package.error_code(), "not_found");
}

#[tokio::test]
async fn reviewers_read_builds_but_cannot_start_or_cancel_them() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let reviewer = server.user_with_role("rita", "reviewer").await;
    let (slug, _) = create(&server, &dev, "Reviewed").await;
    let refused = server.call(Method::POST, &format!("/api/v1/apps/{slug}/builds"), Some(&reviewer), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "forbidden");
    let id = queue(&server, &dev, &slug, None).await;
    let cancel = server.call(Method::POST, &format!("/api/v1/builds/{id}/cancel"), Some(&reviewer), None).await;
    assert_eq!(cancel.status, StatusCode::FORBIDDEN);
    assert_eq!(finished(&server, &reviewer, id).await["status"], "succeeded");
    let signed_out = server.call(Method::GET, &format!("/api/v1/builds/{id}"), None, None).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
    let bad = server
        .call(Method::POST, &format!("/api/v1/apps/{slug}/builds"), Some(&dev), Some(json!({"rev": "nope"})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown = server.call(Method::GET, "/api/v1/builds/999999", Some(&dev), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cancelling_a_running_build_kills_its_sandboxed_step() {
    // A package index that accepts connections and never answers: pip waits until killed.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = silent.local_addr().expect("addr").port();
    let _hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, head) = create(&server, &dev, "Hangs").await;
    let requirements = format!("--index-url http://127.0.0.1:{port}/simple\nsix==1.16.0\n");
    let rev = put(&server, &dev, &slug, &head, "requirements.txt", &requirements).await;
    let id = queue(&server, &dev, &slug, Some(json!({"rev": rev}))).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let build = server.call(Method::GET, &format!("/api/v1/builds/{id}"), Some(&dev), None).await.json();
        let in_deps = build["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["name"] == "dependencies" && s["status"] == "running"));
        if in_deps {
            break;
        }
        assert!(Instant::now() < deadline && build["status"] != "failed", "the build reaches pip: {build}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = Instant::now();
    let cancel = server.call(Method::POST, &format!("/api/v1/builds/{id}/cancel"), Some(&dev), None).await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.text);
    let build = finished(&server, &dev, id).await;
    assert!(started.elapsed() < Duration::from_secs(10), "pip was killed, not waited for");
    assert_eq!(build["status"], "cancelled");
    assert_eq!(build["reason"], "cancelled by dev");
    let deps = build["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == "dependencies")
        .cloned()
        .expect("deps step");
    assert_eq!(deps["status"], "cancelled");
    let again = server.call(Method::POST, &format!("/api/v1/builds/{id}/cancel"), Some(&dev), None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "an ended build cannot be cancelled");
}
