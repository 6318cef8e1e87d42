//! The admin's user routes and role checks.

mod common;

use common::TestServer;
use http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn only_admins_manage_users() {
    let server = TestServer::start().await;
    for role in ["developer", "reviewer"] {
        let cookie = server.user_with_role(&format!("a-{role}"), role).await;
        let list = server.call(Method::GET, "/api/v1/users", Some(&cookie), None).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(list.error_code(), "forbidden");
        let create = json!({"username": "sneaky", "password": "password123456", "role": "admin"});
        let answer = server.call(Method::POST, "/api/v1/users", Some(&cookie), Some(create)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{role}");
        let patch =
            server.call(Method::PATCH, "/api/v1/users/admin", Some(&cookie), Some(json!({"disabled": true}))).await;
        assert_eq!(patch.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn admins_create_list_change_and_disable_users() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let created = server
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(json!({"username": "Rita", "password": "rita's password", "role": "reviewer"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json()["username"], "rita");
    assert!(created.json().get("password_hash").is_none());

    let again = server
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(json!({"username": "rita", "password": "another password", "role": "admin"})),
        )
        .await;
    assert_eq!((again.status, again.error_code().as_str()), (StatusCode::CONFLICT, "conflict"));

    let weak = server
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(json!({"username": "sam", "password": "short", "role": "developer"})),
        )
        .await;
    assert_eq!((weak.status, weak.error_code().as_str()), (StatusCode::BAD_REQUEST, "bad_request"));

    let page = server.call(Method::GET, "/api/v1/users?limit=1", Some(&admin), None).await;
    assert_eq!(page.json()["items"].as_array().map(Vec::len), Some(1));
    let cursor = page.json()["next_cursor"].as_str().expect("more users").to_owned();
    let rest = server.call(Method::GET, &format!("/api/v1/users?limit=1&cursor={cursor}"), Some(&admin), None).await;
    assert_eq!(rest.json()["items"][0]["username"], "rita");
    assert_eq!(rest.json()["next_cursor"], json!(null));

    let rita = server.sign_in("rita", "rita's password").await;
    let promoted =
        server.call(Method::PATCH, "/api/v1/users/rita", Some(&admin), Some(json!({"role": "developer"}))).await;
    assert_eq!(promoted.json()["role"], "developer");
    let me = server.call(Method::GET, "/api/v1/me", Some(&rita), None).await;
    assert_eq!(me.json()["role"], "developer", "a role change applies to open sessions");

    let disabled =
        server.call(Method::PATCH, "/api/v1/users/rita", Some(&admin), Some(json!({"disabled": true}))).await;
    assert_eq!(disabled.json()["disabled"], true);
    assert_eq!(server.call(Method::GET, "/api/v1/me", Some(&rita), None).await.status, StatusCode::UNAUTHORIZED);
    let retry = server
        .call(Method::POST, "/api/v1/session", None, Some(json!({"username": "rita", "password": "rita's password"})))
        .await;
    assert_eq!(retry.status, StatusCode::UNAUTHORIZED, "a disabled user cannot sign in");
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_and_unknown_users_are_404() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let demote =
        server.call(Method::PATCH, "/api/v1/users/admin", Some(&admin), Some(json!({"role": "developer"}))).await;
    assert_eq!((demote.status, demote.error_code().as_str()), (StatusCode::CONFLICT, "conflict"));
    let missing =
        server.call(Method::PATCH, "/api/v1/users/nobody", Some(&admin), Some(json!({"role": "developer"}))).await;
    assert_eq!((missing.status, missing.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let typo = server.call(Method::PATCH, "/api/v1/users/admin", Some(&admin), Some(json!({"rol": "developer"}))).await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST, "unknown fields are refused, not ignored");
    assert!(typo.json()["message"].as_str().is_some_and(|m| m.contains("rol")));
}
