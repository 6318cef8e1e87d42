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

/// Starting a server runs the app once to list its page routes, and Leptos holds back every
/// resource in the process while it does (leptos#4773: a resource first polled then never loads).
/// A page another server renders meanwhile, as tests in one process do, must still finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_while_other_servers_start_in_the_same_process() {
    let server = TestServer::start().await;
    let cookie = server.user_with_role("dev-dora", "developer").await;
    let starting = tokio::spawn(async {
        for _ in 0..12 {
            TestServer::start().await;
        }
    });
    let (mut pages, deadline) = (0, std::time::Instant::now() + std::time::Duration::from_secs(150));
    while !starting.is_finished() || pages < 3 {
        assert!(std::time::Instant::now() < deadline, "the other servers did not start in time");
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            server.call(Method::GET, "/", Some(&cookie), None),
        )
        .await
        .unwrap_or_else(|_| panic!("page {pages} did not finish while other servers started"));
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(element_text(&page.text, "current-user"), "dev-dora");
        pages += 1;
    }
    starting.await.expect("the other servers start");
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
async fn the_editor_page_of_a_missing_app_is_404_and_of_an_existing_one_200() {
    let server = TestServer::start().await;
    let cookie = server.admin().await;
    let body = serde_json::json!({"name": "Here", "template": "playbook-basic"});
    assert_eq!(server.call(Method::POST, "/api/v1/apps", Some(&cookie), Some(body)).await.status, StatusCode::CREATED);
    assert_eq!(server.call(Method::GET, "/apps/here", Some(&cookie), None).await.status, StatusCode::OK);
    assert_eq!(server.call(Method::GET, "/apps/not-here", Some(&cookie), None).await.status, StatusCode::NOT_FOUND);
    // Signed out, the page is the sign-in form whatever the app: nothing tells which apps exist.
    assert_eq!(server.call(Method::GET, "/apps/not-here", None, None).await.status, StatusCode::UNAUTHORIZED);
}

const BUILD: &str = "0123456789abcdef";

/// Writes `files` (path, text) under the test server's site root.
fn site_files(server: &TestServer, files: &[(&str, &str)]) -> std::path::PathBuf {
    let site = server.dir.path().join("site");
    for (file, text) in files {
        let path = site.join(file);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
        std::fs::write(path, text).expect("a file");
    }
    site
}

#[tokio::test]
async fn pages_load_the_current_builds_files_and_a_rebuilt_site_is_picked_up_without_a_restart() {
    let server = TestServer::start().await;
    site_files(&server, &[(&format!("pkg/{BUILD}/appbuilder.js"), "// main"), ("pkg/BUILD", &format!("{BUILD}\n"))]);
    let page = server.call(Method::GET, "/", None, None).await;
    assert!(page.text.contains(&format!("/pkg/{BUILD}/appbuilder.js")), "{}", page.text);
    assert!(page.text.contains(&format!("href=\"/pkg/{BUILD}/appbuilder.css\"")), "{}", page.text);
    let missing = server.call(Method::GET, "/no/such/page", None, None).await;
    assert!(missing.text.contains(&format!("/pkg/{BUILD}/appbuilder.js")), "the 404 page too: {}", missing.text);

    let cookie = server.user_with_role("dev-dora", "developer").await;
    let rebuilt = "fedcba9876543210";
    site_files(&server, &[(&format!("pkg/{rebuilt}/editor.js"), "// editor"), ("pkg/BUILD", rebuilt)]);
    let editor = server.call(Method::GET, "/apps/some-app", Some(&cookie), None).await;
    assert!(
        editor.text.contains(&format!("/pkg/{rebuilt}/editor.js")),
        "the editor page's own bundle: {}",
        editor.text
    );
    assert!(!editor.text.contains(BUILD));

    // While BUILD names nothing usable (a path, a build not there, or no file at all: the moment a
    // rebuilt site is swapped in), pages keep the build last seen.
    for named in ["../../etc", "0000000000000000"] {
        site_files(&server, &[("pkg/BUILD", named)]);
        let page = server.call(Method::GET, "/", None, None).await;
        assert!(page.text.contains(&format!("/pkg/{rebuilt}/appbuilder.js")), "{named}: {}", page.text);
        assert!(!page.text.contains("etc/"));
    }
    std::fs::remove_file(server.dir.path().join("site/pkg/BUILD")).expect("removed");
    let page = server.call(Method::GET, "/", None, None).await;
    assert!(page.text.contains(&format!("/pkg/{rebuilt}/appbuilder.js")), "{}", page.text);
}

#[tokio::test]
async fn a_builds_files_are_kept_for_good_and_other_files_are_asked_for_again() {
    let server = TestServer::start().await;
    let build_js = format!("pkg/{BUILD}/editor.js");
    let build_chunk = format!("pkg/{BUILD}/split_forms.wasm");
    let site = site_files(
        &server,
        &[
            (&build_js, "// bundle"),
            (&build_chunk, "chunk"),
            ("pkg/loose.js", "// x"),
            ("pkg/0123456789ABCDEF/x.js", "// not a build: upper case"),
            ("pkg/0123456789abcde/x.js", "// not a build: 15 digits"),
            ("monaco/1.0/vs/loader.js", "// m"),
        ],
    );
    let forever = "public, max-age=31536000, immutable";
    for (path, cache) in [
        (format!("/{build_js}"), forever),
        (format!("/{build_chunk}"), forever),
        ("/pkg/loose.js".to_owned(), "no-cache"),
        ("/pkg/0123456789ABCDEF/x.js".to_owned(), "no-cache"),
        ("/pkg/0123456789abcde/x.js".to_owned(), "no-cache"),
        ("/monaco/1.0/vs/loader.js".to_owned(), forever),
    ] {
        let file = server.call(Method::GET, &path, None, None).await;
        assert_eq!(file.status, StatusCode::OK, "{path}");
        assert_eq!(file.headers[header::CACHE_CONTROL], cache, "{path}");
        let last_modified = file.headers[header::LAST_MODIFIED].to_str().expect("ascii").to_owned();
        let request = http::Request::builder()
            .uri(&path)
            .header(header::HOST, common::HOST)
            .header(header::IF_MODIFIED_SINCE, last_modified)
            .body(axum::body::Body::empty())
            .expect("a request");
        let again = server.send(request).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}: unchanged, so not sent again");
    }
    let missing = server.call(Method::GET, &format!("/pkg/{BUILD}/nothing.wasm"), None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("Page not found"), "the app's 404 page");
    assert!(missing.headers.get(header::CACHE_CONTROL).is_none());
    let posted = server.call(Method::POST, &format!("/{build_js}"), None, None).await;
    assert_eq!(posted.status, StatusCode::METHOD_NOT_ALLOWED, "a file is only read");
    assert!(!posted.text.contains("// bundle"));

    // A browser that accepts gzip gets the precompressed twin, and caches know the answer varies.
    std::fs::write(site.join(format!("{build_js}.gz")), b"gzip bytes").expect("a .gz twin");
    let request = http::Request::builder()
        .uri(format!("/{build_js}"))
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

#[tokio::test]
async fn record_pages_of_missing_records_are_404() {
    let server = TestServer::start().await;
    let cookie = server.admin().await;
    for path in [
        "/builds/99999",
        "/builds/abc",
        "/runs/99999",
        "/reviews/99999",
        "/apps/not-here/history",
        "/apps/not-here/builds",
    ] {
        let page = server.call(Method::GET, path, Some(&cookie), None).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
}
