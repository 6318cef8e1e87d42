//! Users' snippets through the real router: private by default, shared on request, changed only
//! by their owner, removed by the owner or an admin, and refused with a reason when malformed.

mod common;

use common::TestServer;
use http::{Method, StatusCode};
use serde_json::{Value, json};

async fn list(server: &TestServer, cookie: &str) -> Vec<String> {
    let answer = server.call(Method::GET, "/api/v1/snippets", Some(cookie), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn snippet(label: &str, shared: bool) -> Value {
    json!({"label": label, "description": "Looks up a host", "body": "host = self.inputs.get('${1:host}')", "shared": shared})
}

#[tokio::test]
async fn snippets_are_private_until_shared_and_only_their_owner_changes_them() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let ann = server.user_with_role("ann", "developer").await;
    let bob = server.user_with_role("bob", "developer").await;
    let rita = server.user_with_role("rita", "reviewer").await;

    let created = server.call(Method::POST, "/api/v1/snippets", Some(&ann), Some(snippet("host lookup", false))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let private = created.json();
    assert_eq!((private["owner"].as_str(), private["language"].as_str()), (Some("ann"), Some("python")));
    let private_id = private["id"].as_i64().expect("id");
    let shared = server.call(Method::POST, "/api/v1/snippets", Some(&ann), Some(snippet("team header", true))).await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.text);
    let shared_id = shared.json()["id"].as_i64().expect("id");

    assert_eq!(list(&server, &ann).await, ["host lookup", "team header"]);
    assert_eq!(list(&server, &bob).await, ["team header"], "bob sees only the shared one");
    assert_eq!(list(&server, &rita).await, ["team header"], "reviewers read shared snippets");

    // Someone else's private snippet looks absent; a shared one is visible but not theirs.
    let path = |id: i64| format!("/api/v1/snippets/{id}");
    let edit = server.call(Method::PUT, &path(private_id), Some(&bob), Some(snippet("mine now", true))).await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND, "{}", edit.text);
    let edit = server.call(Method::PUT, &path(shared_id), Some(&bob), Some(snippet("mine now", true))).await;
    assert_eq!((edit.status, edit.error_code().as_str()), (StatusCode::FORBIDDEN, "forbidden"), "{}", edit.text);
    assert_eq!(server.call(Method::DELETE, &path(shared_id), Some(&bob), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        server.call(Method::POST, "/api/v1/snippets", Some(&rita), Some(snippet("r", false))).await.status,
        StatusCode::FORBIDDEN,
        "reviewers keep no snippets"
    );

    // The owner shares the private one; labels stay unique per owner and language.
    let mut shared_now = snippet("host lookup", true);
    shared_now["body"] = json!("host = self.inputs.get('host')\n");
    let edit = server.call(Method::PUT, &path(private_id), Some(&ann), Some(shared_now)).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text);
    assert_eq!(edit.json()["shared"], true);
    assert_eq!(list(&server, &bob).await, ["host lookup", "team header"]);
    let twin = server.call(Method::POST, "/api/v1/snippets", Some(&ann), Some(snippet("team header", false))).await;
    assert_eq!((twin.status, twin.error_code().as_str()), (StatusCode::CONFLICT, "conflict"), "{}", twin.text);
    let mut json_twin = snippet("team header", false);
    json_twin["language"] = json!("json");
    json_twin["body"] = json!("{\"key\": \"${1:value}\"}");
    let other_language = server.call(Method::POST, "/api/v1/snippets", Some(&ann), Some(json_twin)).await;
    assert_eq!(
        other_language.status,
        StatusCode::CREATED,
        "the same label in another language: {}",
        other_language.text
    );
    let bob_twin = server.call(Method::POST, "/api/v1/snippets", Some(&bob), Some(snippet("team header", false))).await;
    assert_eq!(bob_twin.status, StatusCode::CREATED, "another owner may reuse a label");

    // An admin removes a shared snippet; the owner removes their own.
    assert_eq!(server.call(Method::DELETE, &path(shared_id), Some(&admin), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(server.call(Method::DELETE, &path(private_id), Some(&ann), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(server.call(Method::DELETE, &path(private_id), Some(&ann), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(list(&server, &bob).await, ["team header"], "only bob's own is left for bob");
}

#[tokio::test]
async fn malformed_snippets_are_refused_with_the_reason_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let ann = server.user_with_role("ann", "developer").await;
    let cases = [
        (json!({"label": " ", "body": "x"}), "needs a label"),
        (json!({"label": "a", "body": "x", "language": "rust"}), "language must be one of"),
        (json!({"label": "a", "body": "   "}), "body is empty"),
        (json!({"label": "a", "body": "x".repeat(16 * 1024 + 1)}), "16 KB"),
        (json!({"label": "a\nb", "body": "x"}), "single lines"),
        (json!({"label": "a", "body": "x", "owner": "bob"}), "owner"),
        (json!({"body": "x"}), "label"),
    ];
    for (body, reason) in cases {
        let answer = server.call(Method::POST, "/api/v1/snippets", Some(&ann), Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {}", answer.text);
        assert!(answer.text.contains(reason), "{body}: {}", answer.text);
    }
    assert!(list(&server, &ann).await.is_empty());
    let unsigned = server.call(Method::GET, "/api/v1/snippets", None, None).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
}
