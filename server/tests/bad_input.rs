//! Bad input gets the API's JSON error body and the right status, never a panic or an HTML page.

mod common;

use axum::body::Body;
use common::{HOST, TestServer};
use http::{Method, Request, StatusCode, header};
use serde_json::json;

fn raw(method: Method, path: &str, cookie: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut builder =
        Request::builder().method(method).uri(path).header(header::HOST, HOST).header(header::COOKIE, cookie);
    if let Some(ct) = content_type {
        builder = builder.header(header::CONTENT_TYPE, ct);
    }
    builder.body(body.into()).expect("a request")
}

#[tokio::test]
async fn malformed_incomplete_and_untyped_bodies_are_400() {
    let server = TestServer::start().await;
    let cookie = server.admin().await;
    let cases = [
        (Some("application/json"), "{\"name\": ", "not valid JSON"),
        (Some("application/json"), "{}", "missing field `name`"),
        (Some("application/json"), "{\"name\": 42}", "invalid type"),
        (Some("text/plain"), "{\"name\": \"x\"}", "Content-Type: application/json"),
        (None, "", "Content-Type: application/json"),
    ];
    for (content_type, body, hint) in cases {
        let answer = server.send(raw(Method::POST, "/api/v1/tokens", &cookie, content_type, body)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {}", answer.text);
        assert_eq!(answer.error_code(), "bad_request");
        assert!(answer.json()["message"].as_str().is_some_and(|m| m.contains(hint)), "{hint} in {}", answer.text);
    }
    let sign_in = server.call(Method::POST, "/api/v1/session", None, Some(json!({"username": "admin"}))).await;
    assert_eq!((sign_in.status, sign_in.error_code().as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_whether_announced_or_streamed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_in(dir, 1024).await;
    let cookie = server.admin().await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(4096));

    let announced =
        server.send(raw(Method::POST, "/api/v1/tokens", &cookie, Some("application/json"), big.clone())).await;
    assert_eq!(announced.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(announced.error_code(), "payload_too_large");
    assert_eq!(announced.json()["limit_bytes"], 1024);

    let chunks = futures_stream(big);
    let streamed = server.send(raw(Method::POST, "/api/v1/tokens", &cookie, Some("application/json"), chunks)).await;
    assert_eq!(streamed.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(streamed.error_code(), "payload_too_large");
}

/// A body without a Content-Length, as a chunked upload sends it.
fn futures_stream(text: String) -> Body {
    let parts: Vec<Result<String, std::io::Error>> =
        text.as_bytes().chunks(512).map(|c| Ok(String::from_utf8_lossy(c).into_owned())).collect();
    Body::from_stream(tokio_stream_iter(parts))
}

fn tokio_stream_iter<T>(items: Vec<T>) -> impl futures_core::Stream<Item = T> {
    struct Iter<T>(std::vec::IntoIter<T>);
    impl<T> futures_core::Stream for Iter<T> {
        type Item = T;
        fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    impl<T> Unpin for Iter<T> {}
    Iter(items.into_iter())
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_in_json() {
    let server = TestServer::start().await;
    let cookie = server.admin().await;
    let missing = server.call(Method::GET, "/api/v1/nothing/here", Some(&cookie), None).await;
    assert_eq!((missing.status, missing.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let outside_v1 = server.call(Method::GET, "/api/v0/me", Some(&cookie), None).await;
    assert_eq!((outside_v1.status, outside_v1.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let method = server.call(Method::PUT, "/api/v1/me", Some(&cookie), None).await;
    assert_eq!(method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(method.error_code(), "method_not_allowed");
    assert!(method.headers.get(header::ALLOW).is_some());
    let bad_limit = server.call(Method::GET, "/api/v1/users?limit=abc", Some(&cookie), None).await;
    assert_eq!((bad_limit.status, bad_limit.error_code().as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
}
