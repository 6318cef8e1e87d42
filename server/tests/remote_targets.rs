//! Remote targets: a small real HTTP server in this test plays a ThreatConnect platform (it
//! checks the HMAC signature and the multipart fields), and a second real AppBuilder instance on
//! its own port receives a deploy through its public API with an API token.

mod common;

use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use common::TestServer;
use hmac::{Hmac, Mac};
use http::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCESS_ID: &str = "12345678901234567890";
const SECRET_KEY: &str = "platform-secret-key";

/// What the fake platform saw.
#[derive(Default)]
struct Seen {
    requests: Vec<(bool, Vec<String>, usize)>,
    answer_empty: bool,
}

async fn install(
    State(seen): State<Arc<Mutex<Seen>>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> (StatusCode, String) {
    let timestamp = headers.get("timestamp").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET_KEY.as_bytes()).expect("key");
    mac.update(format!("/api/v3/apps/exchange/install:POST:{timestamp}").as_bytes());
    let expected =
        format!("TC {ACCESS_ID}:{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    let signed = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str());
    let mut fields = Vec::new();
    let mut size = 0;
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.unwrap_or_default();
        if name == "fileData" {
            size = bytes.len();
            assert!(bytes.starts_with(b"PK"), "a zip");
            fields.push(format!("fileData={}", file.unwrap_or_default()));
        } else {
            fields.push(format!("{name}={}", String::from_utf8_lossy(&bytes)));
        }
    }
    let mut seen = seen.lock().expect("lock");
    seen.requests.push((signed, fields, size));
    if !signed {
        return (StatusCode::UNAUTHORIZED, r#"{"status":"Failure"}"#.into());
    }
    let body = if seen.answer_empty {
        "[]".to_owned()
    } else {
        json!([{"id": 1, "programName": "TCPB - Remote v1"}]).to_string()
    };
    (StatusCode::OK, body)
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

async fn build_head(server: &TestServer, cookie: &str, slug: &str) -> i64 {
    let id = server.call(Method::POST, &format!("/api/v1/apps/{slug}/builds"), Some(cookie), None).await.json()["id"]
        .as_i64()
        .expect("id");
    let deadline = Instant::now() + Duration::from_secs(120);
    while server.call(Method::GET, &format!("/api/v1/builds/{id}"), Some(cookie), None).await.json()["status"]
        != "succeeded"
    {
        assert!(Instant::now() < deadline, "the build succeeds");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    id
}

/// Deploys and waits until the deployment has ended.
async fn deploy(server: &TestServer, cookie: &str, build: i64, target: &str) -> Value {
    let answer = server
        .call(Method::POST, "/api/v1/deployments", Some(cookie), Some(json!({"build": build, "target": target})))
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text);
    let id = answer.json()["id"].as_i64().expect("id");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let d = server.call(Method::GET, &format!("/api/v1/deployments/{id}"), Some(cookie), None).await.json();
        if d["status"] != "running" {
            return d;
        }
        assert!(Instant::now() < deadline, "the deployment ends: {d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_threatconnect_target_gets_a_signed_multipart_upload_and_its_secret_never_comes_back() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let platform = serve(
        Router::new().route("/api/v3/apps/exchange/install", axum::routing::post(install)).with_state(seen.clone()),
    )
    .await;
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("dev", "developer").await;
    let body = json!({"name": "prod-tc", "kind": "threatconnect", "url": platform, "access_id": ACCESS_ID, "secret": SECRET_KEY});
    assert_eq!(
        server.call(Method::POST, "/api/v1/targets", Some(&dev), Some(body.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let created = server.call(Method::POST, "/api/v1/targets", Some(&admin), Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert!(!created.text.contains(SECRET_KEY) && created.json()["has_secret"] == true);
    let listed = server.call(Method::GET, "/api/v1/targets", Some(&admin), None).await;
    assert!(!listed.text.contains(SECRET_KEY), "never returned: {}", listed.text);
    let at_rest: Vec<u8> = ["appbuilder.db", "appbuilder.db-wal"]
        .iter()
        .flat_map(|f| std::fs::read(server.dir.path().join(f)).unwrap_or_default())
        .collect();
    assert!(at_rest.len() > 10_000, "the database files were read");
    assert!(!at_rest.windows(SECRET_KEY.len()).any(|w| w == SECRET_KEY.as_bytes()), "sealed at rest");

    let app = server
        .call(Method::POST, "/api/v1/apps", Some(&admin), Some(json!({"name": "Remote", "template": "playbook-basic"})))
        .await
        .json();
    let slug = app["slug"].as_str().expect("slug");
    let build = build_head(&server, &admin, slug).await;
    let done = deploy(&server, &admin, build, "prod-tc").await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        (done["steps"][3]["name"].as_str(), done["steps"][3]["status"].as_str()),
        (Some("upload"), Some("succeeded"))
    );
    {
        let seen = seen.lock().expect("lock");
        let (signed, fields, size) = seen.requests.last().cloned().expect("a request");
        assert!(signed, "the HMAC signature checks out");
        assert_eq!(fields, ["fileData=TCPB_-_Remote_v1.tcx", "allowAllOrgs=true", "allowAppDistribution=false"]);
        assert!(size > 1000);
    }
    seen.lock().expect("lock").answer_empty = true;
    let failed = deploy(&server, &admin, build, "prod-tc").await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["reason"].as_str().is_some_and(|r| r.contains("[]")), "{failed}");
    let upload = &failed["steps"][3];
    assert_eq!((upload["name"].as_str(), upload["status"].as_str()), (Some("upload"), Some("failed")), "{failed}");
    assert_eq!(upload["detail"], failed["reason"]);

    // A wrong key: the platform refuses the signature, and the deployment says so.
    let patched =
        server.call(Method::PATCH, "/api/v1/targets/prod-tc", Some(&admin), Some(json!({"secret": "wrong"}))).await;
    assert_eq!(patched.status, StatusCode::OK);
    let refused = deploy(&server, &admin, build, "prod-tc").await;
    assert!(refused["reason"].as_str().is_some_and(|r| r.contains("401")), "{refused}");
    assert_eq!(
        server.call(Method::DELETE, "/api/v1/targets/prod-tc", Some(&admin), None).await.status,
        StatusCode::BAD_REQUEST,
        "it has deployments"
    );
    assert_eq!(
        server.call(Method::DELETE, "/api/v1/targets/local", Some(&admin), None).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn an_appbuilder_target_receives_the_app_builds_it_and_runs_it() {
    let remote = TestServer::start().await;
    let remote_url = serve(remote.router.clone()).await;
    let remote_admin = remote.admin().await;
    let token = remote
        .call(Method::POST, "/api/v1/tokens", Some(&remote_admin), Some(json!({"name": "from staging"})))
        .await
        .json()["token"]
        .as_str()
        .expect("a token")
        .to_owned();

    let server = TestServer::start().await;
    let admin = server.admin().await;
    let created = server
        .call(
            Method::POST,
            "/api/v1/targets",
            Some(&admin),
            Some(json!({"name": "prod", "kind": "appbuilder", "url": remote_url, "secret": token})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let app = server
        .call(
            Method::POST,
            "/api/v1/apps",
            Some(&admin),
            Some(json!({"name": "Shipped", "template": "playbook-basic"})),
        )
        .await
        .json();
    let slug = app["slug"].as_str().expect("slug").to_owned();
    let build = build_head(&server, &admin, &slug).await;
    let first = deploy(&server, &admin, build, "prod").await;
    assert_eq!(first["status"], "succeeded", "{first}");

    // The other instance has the app, built and deployed to its own runtime, and it runs there.
    let there =
        remote.call(Method::GET, &format!("/api/v1/apps/{slug}/deployments"), Some(&remote_admin), None).await.json();
    assert_eq!(there["items"][0]["status"], "succeeded", "{there}");
    let ran = remote
        .call(
            Method::POST,
            &format!("/api/v1/apps/{slug}/runs"),
            Some(&remote_admin),
            Some(json!({"inputs": {"text": "remote"}, "wait": true})),
        )
        .await
        .json();
    assert_eq!(ran["exit_message"], "Processed 6 characters.", "{ran}");

    // A second deploy saves on top of the remote head instead of importing again.
    let file = server.call(Method::GET, &format!("/api/v1/apps/{slug}/files/README.md"), Some(&admin), None).await.text;
    let changes = json!([{"op": "put", "path": "README.md", "content": format!("{file}\nSecond release.\n")}]);
    let saved = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{slug}/commits"),
            Some(&admin),
            Some(json!({"base": app["head"], "changes": changes})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED);
    let second = deploy(&server, &admin, build_head(&server, &admin, &slug).await, "prod").await;
    assert_eq!(second["status"], "succeeded", "{second}");
    let readme =
        remote.call(Method::GET, &format!("/api/v1/apps/{slug}/files/README.md"), Some(&remote_admin), None).await.text;
    assert!(readme.contains("Second release."));
    let apps = remote.call(Method::GET, "/api/v1/apps", Some(&remote_admin), None).await.json();
    assert_eq!(apps["items"].as_array().map(Vec::len), Some(1), "one app there, not one per deploy");
}
