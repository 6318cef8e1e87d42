//! Builds survive a restart: a build running when the server is killed (SIGKILL) runs again
//! after the restart, and a build interrupted twice fails with a reason, never left "running".

mod running;

use running::exchange;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const PASSWORD: &str = "restart test admin password";

fn start(data: &Path) -> running::Running {
    let ruff = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/build-tools/bin/ruff");
    running::serve(data, &[("APPBUILDER_ADMIN_PASSWORD", PASSWORD), ("APPBUILDER_RUFF", ruff.to_str().expect("utf-8"))])
}

fn call(addr: &str, method: &str, path: &str, cookie: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string());
    let answer = exchange(addr, method, path, Some(cookie), body.as_deref()).expect("an answer");
    assert!(answer.status < 300, "{method} {path}: {} {}", answer.status, answer.body);
    serde_json::from_str(&answer.body).expect("JSON")
}

/// Waits until `done` says yes about the build.
fn wait_for(addr: &str, cookie: &str, id: i64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let build = call(addr, "GET", &format!("/api/v1/builds/{id}"), cookie, None);
        if done(&build) {
            return build;
        }
        assert!(Instant::now() < deadline, "waiting for {what}: {build}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn in_pip(build: &Value) -> bool {
    build["status"] == "running"
        && build["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["name"] == "dependencies" && s["status"] == "running"))
}

#[test]
fn a_build_interrupted_by_a_crash_runs_again_then_fails_with_a_reason() {
    // A package index that never answers keeps the build in its dependency step.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = silent.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for socket in silent.incoming() {
            open.push(socket);
        }
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(dir.path());
    let signed_in = exchange(
        &server.addr,
        "POST",
        "/api/v1/session",
        None,
        Some(&json!({"username": "admin", "password": PASSWORD}).to_string()),
    )
    .expect("an answer");
    let cookie = signed_in.cookie().expect("a session cookie");
    let app =
        call(&server.addr, "POST", "/api/v1/apps", &cookie, Some(json!({"name": "Restarted", "template": "job"})));
    let (slug, head) = (app["slug"].as_str().expect("slug").to_owned(), app["head"].as_str().expect("head").to_owned());
    let requirements = format!("--index-url http://127.0.0.1:{port}/simple\nsix==1.16.0\n");
    let changes = json!([{"op": "put", "path": "requirements.txt", "content": requirements}]);
    call(
        &server.addr,
        "POST",
        &format!("/api/v1/apps/{slug}/commits"),
        &cookie,
        Some(json!({"base": head, "changes": changes})),
    );
    let id =
        call(&server.addr, "POST", &format!("/api/v1/apps/{slug}/builds"), &cookie, None)["id"].as_i64().expect("id");
    wait_for(&server.addr, &cookie, id, "the first attempt to reach pip", in_pip);

    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    let mut server = start(dir.path());
    let build = wait_for(&server.addr, &cookie, id, "the second attempt to reach pip", in_pip);
    assert_eq!(build["attempts"], 2, "{build}");
    let log = call(&server.addr, "GET", &format!("/api/v1/builds/{id}/log"), &cookie, None);
    assert!(
        log["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["line"].as_str().is_some_and(|t| t.contains("runs again")))
    );

    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    let server = start(dir.path());
    let build = call(&server.addr, "GET", &format!("/api/v1/builds/{id}"), &cookie, None);
    assert_eq!(build["status"], "failed", "{build}");
    assert!(build["reason"].as_str().is_some_and(|r| r.contains("interrupted twice")), "{build}");
    assert!(build["finished_at"].is_string());
}
