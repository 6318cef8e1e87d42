//! Sign-in, sessions, tokens and the 401 wall, through the real router and a real SQLite file.

mod common;

use common::{ADMIN_PASSWORD, HOST, TestServer};
use http::{Method, Request, StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn healthz_answers_without_credentials() {
    let server = TestServer::start().await;
    let answer = server.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!({"status": "ok"}));
}

#[tokio::test]
async fn every_other_route_answers_401_without_credentials() {
    let server = TestServer::start().await;
    let routes = [
        (Method::GET, "/api/v1/me"),
        (Method::DELETE, "/api/v1/session"),
        (Method::POST, "/api/v1/tokens"),
        (Method::GET, "/api/v1/users"),
        (Method::POST, "/api/v1/users"),
        (Method::PATCH, "/api/v1/users/admin"),
        (Method::GET, "/api/v1/apps"),
        (Method::GET, "/api/v1/no-such-route"),
        (Method::POST, "/rpc/current_user"),
    ];
    for (method, path) in routes {
        let answer = server.call(method.clone(), path, None, Some(json!({}))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(answer.error_code(), "unauthorized", "{method} {path}");
    }
    let forged = server.call(Method::GET, "/api/v1/me", Some("appbuilder_session=forged"), None).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let forged = server.call(Method::GET, "/api/v1/me", Some("Bearer abt_forged"), None).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let server = TestServer::start().await;
    let wrong = server
        .call(Method::POST, "/api/v1/session", None, Some(json!({"username": "admin", "password": "not it at all"})))
        .await;
    let unknown = server
        .call(Method::POST, "/api/v1/session", None, Some(json!({"username": "mallory", "password": "not it at all"})))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!((wrong.status, wrong.text.as_str()), (unknown.status, unknown.text.as_str()));
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_survives_a_restart() {
    let server = TestServer::start().await;
    let answer = server
        .call(Method::POST, "/api/v1/session", None, Some(json!({"username": "admin", "password": ADMIN_PASSWORD})))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!((answer.json()["username"].as_str(), answer.json()["role"].as_str()), (Some("admin"), Some("admin")));
    let set_cookie = answer.headers[header::SET_COOKIE].to_str().expect("ascii").to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = answer.session_cookie();

    let restarted = TestServer::start_in(server.dir, 64 * 1024).await;
    let me = restarted.call(Method::GET, "/api/v1/me", Some(&cookie), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json(), json!({"username": "admin", "role": "admin"}));
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    let server = TestServer::start().await;
    let cookie = server.admin().await;
    let out = server.call(Method::DELETE, "/api/v1/session", Some(&cookie), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers[header::SET_COOKIE].to_str().expect("ascii").contains("Max-Age=0"));
    let me = server.call(Method::GET, "/api/v1/me", Some(&cookie), None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_tokens_work_as_bearer_credentials_and_are_stored_hashed() {
    let server = TestServer::start().await;
    let cookie = server.user_with_role("ci-bot", "developer").await;
    let created = server.call(Method::POST, "/api/v1/tokens", Some(&cookie), Some(json!({"name": "pipeline"}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let token = created.json()["token"].as_str().expect("a token").to_owned();
    assert!(created.json()["id"].is_i64());

    let me = server.call(Method::GET, "/api/v1/me", Some(&format!("Bearer {token}")), None).await;
    assert_eq!(me.json(), json!({"username": "ci-bot", "role": "developer"}));

    let mut stored = Vec::new();
    for file in ["appbuilder.db", "appbuilder.db-wal"] {
        stored.extend(std::fs::read(server.dir.path().join(file)).unwrap_or_default());
    }
    let secret = token.trim_start_matches("abt_");
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()), "the token is not stored in clear");
}

#[tokio::test]
async fn state_changing_requests_from_a_foreign_origin_are_refused() {
    let server = TestServer::start().await;
    let sign_in = |origin: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/session")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(json!({"username": "admin", "password": ADMIN_PASSWORD}).to_string()))
            .expect("a request")
    };
    let foreign = server.send(sign_in("http://evil.example")).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.error_code(), "forbidden");
    assert!(foreign.headers.get(header::SET_COOKIE).is_none());
    let same = server.send(sign_in(&format!("http://{HOST}"))).await;
    assert_eq!(same.status, StatusCode::OK);

    let cookie = same.session_cookie();
    let sign_out = Request::builder()
        .method(Method::DELETE)
        .uri("/api/v1/session")
        .header(header::HOST, HOST)
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "http://evil.example")
        .body(axum::body::Body::empty())
        .expect("a request");
    assert_eq!(server.send(sign_out).await.status, StatusCode::FORBIDDEN);
    let me = server.call(Method::GET, "/api/v1/me", Some(&cookie), None).await;
    assert_eq!(me.status, StatusCode::OK, "the refused sign-out changed nothing");
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_with_429_and_retry_after() {
    let server = TestServer::start().await;
    for _ in 0..5 {
        let answer = server
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"username": "admin", "password": "guess guess guess"})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let locked = server
        .call(Method::POST, "/api/v1/session", None, Some(json!({"username": "admin", "password": ADMIN_PASSWORD})))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.error_code(), "rate_limited");
    let retry: u64 = locked.headers[header::RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds");
    assert!(retry >= 50, "retry after {retry}");
}
