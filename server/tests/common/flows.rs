//! Flows several API tests share: create an app from the basic template, edit its install.json
//! (and other files) in one save, build the head and wait for success.

use super::TestServer;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// An app under test: its slug and the head the next save builds on.
pub struct App {
    pub slug: String,
    pub head: String,
}

pub async fn create(server: &TestServer, cookie: &str, name: &str) -> App {
    create_from(server, cookie, name, "playbook-basic").await
}

/// Creates an app from `template`.
pub async fn create_from(server: &TestServer, cookie: &str, name: &str, template: &str) -> App {
    let answer = server
        .call(Method::POST, "/api/v1/apps", Some(cookie), Some(json!({"name": name, "template": template})))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let body = answer.json();
    App { slug: body["slug"].as_str().expect("slug").into(), head: body["head"].as_str().expect("head").into() }
}

/// Edits install.json with `edit` and saves it (and `extra` files); the app's head moves.
pub async fn edit(
    server: &TestServer,
    cookie: &str,
    app: &mut App,
    edit: impl FnOnce(&mut Value),
    extra: &[(&str, &str)],
) {
    let file =
        server.call(Method::GET, &format!("/api/v1/apps/{}/files/install.json", app.slug), Some(cookie), None).await;
    let mut install: Value = serde_json::from_str(&file.text).expect("install.json");
    edit(&mut install);
    let mut changes = vec![
        json!({"op": "put", "path": "install.json", "content": serde_json::to_string_pretty(&install).expect("json")}),
    ];
    changes.extend(extra.iter().map(|(p, c)| json!({"op": "put", "path": p, "content": c})));
    let answer = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/commits", app.slug),
            Some(cookie),
            Some(json!({"base": app.head, "changes": changes})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    app.head = answer.json()["revision"].as_str().expect("revision").into();
}

/// Builds the head and waits for success; the build id.
pub async fn build(server: &TestServer, cookie: &str, app: &App) -> i64 {
    let answer = server.call(Method::POST, &format!("/api/v1/apps/{}/builds", app.slug), Some(cookie), None).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text);
    let id = answer.json()["id"].as_i64().expect("id");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let b = server.call(Method::GET, &format!("/api/v1/builds/{id}"), Some(cookie), None).await.json();
        match b["status"].as_str() {
            Some("succeeded") => return id,
            Some("failed" | "cancelled") => panic!("build failed: {b}"),
            _ => {}
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Saves install.json at `version` with every output but the first removed: a breaking change.
pub async fn drop_outputs(server: &TestServer, cookie: &str, app: &mut App, version: &str) {
    let version = version.to_owned();
    edit(
        server,
        cookie,
        app,
        move |i| {
            i["programVersion"] = json!(version);
            i["playbook"]["outputVariables"].as_array_mut().expect("outputs").truncate(1);
        },
        &[],
    )
    .await;
}
