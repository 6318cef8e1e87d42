//! Import (.zip, .tcx, .abx) and export, and the refusal of hostile archives.

mod common;

use axum::body::Body;
use common::TestServer;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("entry");
        writer.write_all(bytes).expect("written");
    }
    writer.finish().expect("finished").into_inner()
}

const INSTALL_WITHOUT_ID: &[u8] =
    br#"{"displayName": "Legacy Lookup", "runtimeLevel": "Playbook", "programVersion": "1.0.0"}"#;

async fn import(server: &TestServer, cookie: &str, query: &str, archive: Vec<u8>) -> common::Answer {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/apps/import{query}"))
        .header(header::HOST, common::HOST)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/zip")
        .body(Body::from(archive))
        .expect("request");
    server.send(request).await
}

async fn app_count(server: &TestServer, cookie: &str) -> usize {
    server.call(Method::GET, "/api/v1/apps", Some(cookie), None).await.json()["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn an_exported_app_imports_back_with_every_file_byte_exact() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let created = server
        .call(
            Method::POST,
            "/api/v1/apps",
            Some(&dev),
            Some(json!({"name": "Round Trip", "template": "playbook-actions"})),
        )
        .await
        .json();
    let (slug, head) = (created["slug"].as_str().expect("slug"), created["head"].as_str().expect("head"));
    let binary: Vec<u8> = (0..=255u8).collect();
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &binary);
    let body =
        json!({"base": head, "changes": [{"op": "put", "path": "assets/blob.bin", "content": {"base64": encoded}}]});
    assert_eq!(
        server.call(Method::POST, &format!("/api/v1/apps/{slug}/commits"), Some(&dev), Some(body)).await.status,
        StatusCode::CREATED
    );

    let export = server.call(Method::GET, &format!("/api/v1/apps/{slug}/archive"), Some(&dev), None).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.headers[header::CONTENT_TYPE], "application/zip");
    assert!(export.headers[header::CONTENT_DISPOSITION].to_str().expect("ascii").contains(".zip"));
    let raw = raw_body(&server, &format!("/api/v1/apps/{slug}/archive"), &dev).await;

    let imported = import(&server, &dev, "?name=Round%20Trip%20Copy", raw).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
    let copy = imported.json()["slug"].as_str().expect("slug").to_owned();
    assert_eq!(copy, "round-trip-copy");
    assert_eq!(imported.json()["problems"], json!([]));
    let original = server.call(Method::GET, &format!("/api/v1/apps/{slug}/tree"), Some(&dev), None).await.json();
    let copied = server.call(Method::GET, &format!("/api/v1/apps/{copy}/tree"), Some(&dev), None).await.json();
    assert_eq!(original["entries"], copied["entries"]);
    let blob = raw_body(&server, &format!("/api/v1/apps/{copy}/files/assets/blob.bin"), &dev).await;
    assert_eq!(blob, binary);
}

async fn raw_body(server: &TestServer, path: &str, cookie: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = Request::builder().uri(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
    let response = server.router.clone().oneshot(request).await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.expect("body").to_bytes().to_vec()
}

#[tokio::test]
async fn a_zip_with_the_app_in_a_sub_folder_and_a_tcx_without_app_id_import() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let nested = zip_of(&[
        ("NOTES.txt", b"outside"),
        (
            "project/src/myapp/install.json",
            br#"{"displayName": "Nested App", "appId": "x-1", "runtimeLevel": "Organization"}"#,
        ),
        ("project/src/myapp/run.py", b"print(1)\n"),
        ("project/src/myapp/tcex.json", br#"{"package": {"app_name": "TC_-_Nested"}}"#),
        ("project/src/myapp/.git/config", b"[core]"),
    ]);
    let answer = import(&server, &dev, "", nested).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let slug = answer.json()["slug"].as_str().expect("slug").to_owned();
    assert_eq!(slug, "nested-app");
    let tree = server.call(Method::GET, &format!("/api/v1/apps/{slug}/tree"), Some(&dev), None).await.json();
    let paths: Vec<&str> =
        tree["entries"].as_array().expect("entries").iter().map(|e| e["path"].as_str().expect("path")).collect();
    assert_eq!(paths, ["install.json", "run.py", "tcex.json"]);
    let app = server.call(Method::GET, &format!("/api/v1/apps/{slug}"), Some(&dev), None).await.json();
    assert_eq!(app["runtime_level"], "Organization");
    assert!(answer.json()["problems"].as_array().is_some_and(|p| p.iter().any(|p| p["code"] == "skipped_entries")));

    let tcx = zip_of(&[
        ("TCPB_-_Legacy_Lookup_v1/install.json", INSTALL_WITHOUT_ID),
        ("TCPB_-_Legacy_Lookup_v1/run.py", b"x = 1\n"),
    ]);
    let answer = import(&server, &dev, "", tcx).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let body = answer.json();
    let codes: Vec<&str> =
        body["problems"].as_array().expect("problems").iter().map(|p| p["code"].as_str().expect("code")).collect();
    assert_eq!(codes, ["app_id_added", "missing_tcex_json"]);
    let install =
        server.call(Method::GET, "/api/v1/apps/legacy-lookup/files/install.json", Some(&dev), None).await.json();
    assert!(install["appId"].as_str().is_some_and(|id| id.len() == 36), "{install}");
    assert_eq!(install["displayName"], "Legacy Lookup");
}

#[tokio::test]
async fn an_abx_stream_without_a_central_directory_imports() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
    let doc = json!({
        "displayName": "Builder Export",
        "version": "1.0.0",
        "languageVersion": "3.11",
        "appType": "Playbook",
        "files": [
            {"path": "install.json", "contents": b64(r#"{"displayName":"Builder Export","appId":"a-1","runtimeLevel":"Playbook"}"#), "editable": true},
            {"path": "app.py", "contents": b64("print('abx')\n"), "editable": true},
            {"path": "tcex.json", "contents": b64(r#"{"package":{"app_name":"TCPB_-_Builder_Export"}}"#), "editable": false}
        ]
    });
    let mut stream = zip_of(&[("project.json", doc.to_string().as_bytes())]);
    let central = stream.windows(4).position(|w| w == b"PK\x01\x02").expect("a central directory");
    stream.truncate(central); // a zip stream: local headers only
    let answer = import(&server, &dev, "", stream).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["slug"], "builder-export");
    let app = server.call(Method::GET, "/api/v1/apps/builder-export/files/app.py", Some(&dev), None).await;
    assert_eq!(app.text, "print('abx')\n");
}

/// A zip whose only entry claims to be a character device (mode bits in the central directory).
fn device_zip() -> Vec<u8> {
    let mut bytes = zip_of(&[("app/dev-null", b"x")]);
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("a central directory");
    bytes[central + 5] = 3; // "version made by": Unix, so the mode bits count
    let mode: u32 = 0o020644 << 16;
    bytes[central + 38..central + 42].copy_from_slice(&mode.to_le_bytes());
    bytes
}

fn symlink_zip() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("app/install.json", SimpleFileOptions::default()).expect("entry");
    writer.write_all(b"{}").expect("written");
    writer.add_symlink("app/evil", "/etc/passwd", SimpleFileOptions::default()).expect("link");
    writer.finish().expect("finished").into_inner()
}

/// Deterministic low-entropy bytes: compress about 8:1, so size limits are reached before ratio limits.
fn two_symbol_noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if seed & 1 == 0 { b'a' } else { b'b' }
        })
        .collect()
}

#[tokio::test]
async fn hostile_archives_are_refused_with_the_reason_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let many: Vec<(String, Vec<u8>)> = (0..10_001).map(|n| (format!("app/f{n}.txt"), vec![b'x'])).collect();
    let many_refs: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let chunk = two_symbol_noise(5 * 1024 * 1024, 7);
    let big: Vec<(String, &[u8])> = (0..21).map(|n| (format!("app/part{n}.bin"), chunk.as_slice())).collect();
    let big_refs: Vec<(&str, &[u8])> = big.iter().map(|(n, b)| (n.as_str(), *b)).collect();

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("dot-dot", zip_of(&[("app/install.json", b"{}"), ("app/../../etc/cron.d/x", b"evil")]), "'..'"),
        ("absolute", zip_of(&[("/etc/passwd", b"evil")]), "absolute"),
        ("backslash", zip_of(&[("app\\..\\evil", b"evil")]), "backslash"),
        ("symlink", symlink_zip(), "symbolic link"),
        ("device", device_zip(), "device"),
        ("bomb", zip_of(&[("app/install.json", b"{}"), ("app/zeros.bin", &zeros)]), "expands more than 100 times"),
        ("too many entries", zip_of(&many_refs), "more than 10000"),
        ("too big unpacked", zip_of(&big_refs), "more than 100 MB"),
    ];
    for (what, archive, reason) in cases {
        let answer = import(&server, &dev, "", archive).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{what}: {}", answer.text);
        assert_eq!(answer.error_code(), "bad_request", "{what}");
        assert!(answer.json()["reason"].as_str().is_some_and(|r| r.contains(reason)), "{what}: {}", answer.text);
    }
    let garbage = import(&server, &dev, "", b"this is not a zip".to_vec()).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(app_count(&server, &dev).await, 0, "nothing was stored");
    let repos = std::fs::read_dir(server.dir.path().join("repos")).expect("repos dir").count();
    assert_eq!(repos, 0, "no repository was left behind");
}

#[tokio::test]
async fn reviewers_cannot_import_but_can_export() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let reviewer = server.user_with_role("rev", "reviewer").await;
    let refused = import(&server, &reviewer, "", zip_of(&[("app/install.json", b"{}")])).await;
    assert_eq!((refused.status, refused.error_code().as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let created = server
        .call(Method::POST, "/api/v1/apps", Some(&dev), Some(json!({"name": "Shared", "template": "job"})))
        .await
        .json();
    let export = server
        .call(
            Method::GET,
            &format!("/api/v1/apps/{}/archive", created["slug"].as_str().expect("slug")),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(export.status, StatusCode::OK);
}
