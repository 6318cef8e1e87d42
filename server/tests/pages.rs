//! Server-rendered pages: the sign-in form for signed-out visitors, the app list after sign-in.

mod common;

use common::TestServer;
use http::{Method, StatusCode, header};

#[tokio::test]
async fn signed_out_visitors_get_the_sign_in_form_with_401_at_the_url_they_asked_for() {
    let server = TestServer::start().await;
    let page = server.call(Method::GET, "/", None, None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.headers[header::CONTENT_TYPE].to_str().expect("ascii").starts_with("text/html"));
    assert!(page.text.contains("data-testid=\"sign-in-form\""), "{}", page.text);
    assert!(!page.text.contains("data-testid=\"app-list\""));
    assert!(page.text.contains("/pkg/appbuilder.js"), "the page loads the wasm bundle");
}

#[tokio::test]
async fn signed_in_users_see_the_app_list_with_their_name_and_role() {
    let server = TestServer::start().await;
    let cookie = server.user_with_role("dev-dora", "developer").await;
    let page = server.call(Method::GET, "/", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("data-testid=\"app-list\""), "{}", page.text);
    assert_eq!(element_text(&page.text, "current-user"), "dev-dora");
    assert_eq!(element_text(&page.text, "current-role"), "developer");
    assert!(!page.text.contains("sign-in-form"));
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let server = TestServer::start().await;
    let cookie = server.admin().await;
    let page = server.call(Method::GET, "/no/such/page", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text.contains("Page not found"));
}

#[tokio::test]
async fn bundles_are_asked_for_again_every_time_and_monaco_is_kept_for_good() {
    let server = TestServer::start().await;
    let site = server.dir.path().join("site");
    for (file, text) in
        [("pkg/editor.js", "// bundle"), ("pkg/split_forms.wasm", "chunk"), ("monaco/1.0/vs/loader.js", "// m")]
    {
        let path = site.join(file);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
        std::fs::write(path, text).expect("a file");
    }
    for (path, cache) in [
        ("/pkg/editor.js", "no-cache"),
        ("/pkg/split_forms.wasm", "no-cache"),
        ("/monaco/1.0/vs/loader.js", "public, max-age=31536000, immutable"),
    ] {
        let file = server.call(Method::GET, path, None, None).await;
        assert_eq!(file.status, StatusCode::OK, "{path}");
        assert_eq!(file.headers[header::CACHE_CONTROL], cache, "{path}");
        let last_modified = file.headers[header::LAST_MODIFIED].to_str().expect("ascii").to_owned();
        let request = http::Request::builder()
            .uri(path)
            .header(header::HOST, common::HOST)
            .header(header::IF_MODIFIED_SINCE, last_modified)
            .body(axum::body::Body::empty())
            .expect("a request");
        let again = server.send(request).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}: unchanged, so not sent again");
    }
    let missing = server.call(Method::GET, "/pkg/nothing.wasm", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("Page not found"), "the app's 404 page");
    assert!(missing.headers.get(header::CACHE_CONTROL).is_none());
    let posted = server.call(Method::POST, "/pkg/editor.js", None, None).await;
    assert_eq!(posted.status, StatusCode::METHOD_NOT_ALLOWED, "a file is only read");
    assert!(!posted.text.contains("// bundle"));

    // A browser that accepts gzip gets the precompressed twin, and caches know the answer varies.
    std::fs::write(site.join("pkg/editor.js.gz"), b"gzip bytes").expect("a .gz twin");
    let request = http::Request::builder()
        .uri("/pkg/editor.js")
        .header(header::HOST, common::HOST)
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(axum::body::Body::empty())
        .expect("a request");
    let zipped = server.send(request).await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(zipped.text, "gzip bytes");
    assert!(zipped.headers[header::VARY].to_str().expect("ascii").to_ascii_lowercase().contains("accept-encoding"));
}

/// The text of the element with `data-testid=test_id` (hydration markers such as `<!>` removed).
fn element_text(html: &str, test_id: &str) -> String {
    let start = html.find(&format!("data-testid=\"{test_id}\"")).unwrap_or_else(|| panic!("no {test_id} in {html}"));
    let open_end = start + html[start..].find('>').expect("a tag ends");
    let close = open_end + html[open_end..].find("</").expect("a closing tag");
    html[open_end + 1..close].replace("<!>", "")
}
