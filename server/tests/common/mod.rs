//! A real AppBuilder router over a real SQLite file in a temp dir, driven in-process.

#![allow(dead_code)]

pub mod flows;

use accounts::ThrottlePolicy;
use axum::Router;
use axum::body::Body;
use clap::Parser;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use server::config::{GlobalArgs, LogFormat, ServeArgs};
use std::time::Duration;
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "admin password for tests";
pub const HOST: &str = "127.0.0.1:3000";

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub router: Router,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.text))
    }

    /// The API's error code, after checking the body has the contract's shape.
    pub fn error_code(&self) -> String {
        let body = self.json();
        assert!(body["message"].is_string(), "an error body has a message: {body}");
        body["error"].as_str().unwrap_or_else(|| panic!("an error body has a code: {body}")).to_owned()
    }

    /// `name=value` of the session cookie this answer sets.
    pub fn session_cookie(&self) -> String {
        let set = self.headers.get(header::SET_COOKIE).expect("a Set-Cookie header").to_str().expect("ascii");
        set.split(';').next().expect("a cookie").to_owned()
    }
}

/// The longest a test waits for one answer or one server start: far beyond what either takes, so
/// only a hang reaches it, and it then fails naming the request instead of stalling the run.
const PATIENCE: Duration = Duration::from_secs(150);

fn args(dir: &tempfile::TempDir, max_body: usize) -> (GlobalArgs, ServeArgs) {
    // `ServeArgs` falls back to `APPBUILDER_*` variables, which would change every test server.
    if let Some((key, _)) = std::env::vars().find(|(key, _)| key.starts_with("APPBUILDER_")) {
        panic!("the tests configure their servers themselves: unset {key}");
    }
    let global = GlobalArgs {
        data_dir: dir.path().to_path_buf(),
        database_url: None,
        log: "warn".into(),
        log_format: LogFormat::Text,
    };
    let mut serve =
        ServeArgs::parse_from(["serve", "--site-root", dir.path().join("site").to_str().expect("utf-8 path")]);
    serve.admin_password = Some(ADMIN_PASSWORD.into());
    serve.max_body_bytes = max_body;
    serve.ruff = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/build-tools/bin/ruff");
    (global, serve)
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().expect("temp dir"), 64 * 1024).await
    }

    /// Starts a server on an existing data directory (a "restart").
    pub async fn start_in(dir: tempfile::TempDir, max_body: usize) -> Self {
        let (global, serve) = args(&dir, max_body);
        let throttle = ThrottlePolicy { base_delay: Duration::from_secs(60), ..ThrottlePolicy::default() };
        let state = tokio::time::timeout(PATIENCE, server::startup::prepare(&global, &serve, throttle))
            .await
            .expect("the server starts in time")
            .expect("the server starts");
        Self { router: server::http::router(state), dir }
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let asked = format!("{} {}", request.method(), request.uri());
        let answer = async {
            let response = self.router.clone().oneshot(request).await.expect("the router answers");
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.expect("a body").to_bytes();
            Answer { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
        };
        tokio::time::timeout(PATIENCE, answer)
            .await
            .unwrap_or_else(|_| panic!("{asked}: no whole answer in {PATIENCE:?}"))
    }

    /// A request with the usual headers of this host; `auth` is a cookie (`name=value`) or
    /// `Bearer <token>`.
    pub async fn call(&self, method: Method, path: &str, auth: Option<&str>, body: Option<Value>) -> Answer {
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, HOST);
        match auth {
            Some(bearer) if bearer.starts_with("Bearer ") => builder = builder.header(header::AUTHORIZATION, bearer),
            Some(cookie) => builder = builder.header(header::COOKIE, cookie),
            None => {}
        }
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).expect("a valid request")).await
    }

    /// Signs in and returns the session cookie.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let answer = self
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{username} signs in: {}", answer.text);
        answer.session_cookie()
    }

    pub async fn admin(&self) -> String {
        self.sign_in("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user as the admin and returns that user's session cookie.
    pub async fn user_with_role(&self, name: &str, role: &str) -> String {
        let admin = self.admin().await;
        let body = serde_json::json!({"username": name, "password": "password of the user", "role": role});
        let answer = self.call(Method::POST, "/api/v1/users", Some(&admin), Some(body)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        self.sign_in(name, "password of the user").await
    }
}
