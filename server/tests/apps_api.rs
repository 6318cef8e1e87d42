//! Apps, files and versions through the real router: real SQLite, real git repositories.

mod common;

use base64::Engine;
use common::TestServer;
use http::{Method, StatusCode, header};
use serde_json::{Value, json};

async fn create(server: &TestServer, cookie: &str, name: &str, template: &str) -> (String, String) {
    let answer = server
        .call(Method::POST, "/api/v1/apps", Some(cookie), Some(json!({"name": name, "template": template})))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let body = answer.json();
    (body["slug"].as_str().expect("slug").to_owned(), body["head"].as_str().expect("head").to_owned())
}

async fn save(server: &TestServer, cookie: &str, slug: &str, base: &str, changes: Value) -> common::Answer {
    server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{slug}/commits"),
            Some(cookie),
            Some(json!({"base": base, "message": "", "changes": changes})),
        )
        .await
}

#[tokio::test]
async fn developers_create_apps_from_every_template_and_list_them() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let templates = server.call(Method::GET, "/api/v1/templates", Some(&dev), None).await.json();
    let names: Vec<&str> =
        templates.as_array().expect("a list").iter().map(|t| t["name"].as_str().expect("name")).collect();
    assert_eq!(
        names,
        ["playbook-basic", "playbook-actions", "enrichment", "alert-processing", "webhook-trigger", "job"]
    );
    for template in &names {
        let (slug, head) = create(&server, &dev, &format!("Enricher {template}"), template).await;
        assert_eq!(head.len(), 40);
        let tree = server.call(Method::GET, &format!("/api/v1/apps/{slug}/tree"), Some(&dev), None).await.json();
        let files: Vec<&str> =
            tree["entries"].as_array().expect("entries").iter().map(|e| e["path"].as_str().expect("path")).collect();
        for needed in ["install.json", "tcex.json", "run.py", "app.py", "requirements.txt", "README.md"] {
            assert!(files.contains(&needed), "{template}: {needed} in {files:?}");
        }
        assert_eq!(files.contains(&"layout.json"), *template == "playbook-actions");
    }
    let (again, _) = create(&server, &dev, "Enricher playbook-basic", "playbook-basic").await;
    assert_eq!(again, "enricher-playbook-basic-2", "a taken slug gets a suffix");

    let list = server.call(Method::GET, "/api/v1/apps?q=webhook", Some(&dev), None).await.json();
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["runtime_level"], "WebhookTriggerService");
    assert_eq!(items[0]["display_name"], "Enricher webhook-trigger");
    for field in ["slug", "head", "updated_at"] {
        assert!(items[0][field].is_string(), "{field}");
    }
    let page = server.call(Method::GET, "/api/v1/apps?limit=2", Some(&dev), None).await.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    let next = page["next_cursor"].as_str().expect("more apps");
    let rest = server.call(Method::GET, &format!("/api/v1/apps?limit=10&cursor={next}"), Some(&dev), None).await.json();
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(names.len() - 1), "every app but the first two");

    let bad =
        server.call(Method::POST, "/api/v1/apps", Some(&dev), Some(json!({"name": "X Y Z", "template": "nope"}))).await;
    assert_eq!((bad.status, bad.error_code().as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
}

#[tokio::test]
async fn a_save_is_one_commit_by_the_caller_and_every_version_stays_readable() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dana", "developer").await;
    let (slug, first) = create(&server, &dev, "Hello App", "playbook-basic").await;
    let changes = json!([
        {"op": "put", "path": "app.py", "content": "print('v2')\n"},
        {"op": "put", "path": "lib/helpers.py", "content": "X = 1\n"},
        {"op": "move", "from": "README.md", "path": "docs/README.md"},
        {"op": "delete", "path": "requirements.txt"}
    ]);
    let saved = save(&server, &dev, &slug, &first, changes).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    let second = saved.json()["revision"].as_str().expect("revision").to_owned();

    let file = server.call(Method::GET, &format!("/api/v1/apps/{slug}/files/app.py"), Some(&dev), None).await;
    assert_eq!(file.text, "print('v2')\n");
    assert_eq!(file.headers["x-revision"], second.as_str());
    let old =
        server.call(Method::GET, &format!("/api/v1/apps/{slug}/files/app.py?rev={first}"), Some(&dev), None).await;
    assert!(old.text.contains("class App"), "the first version is still there");

    let history = server.call(Method::GET, &format!("/api/v1/apps/{slug}/commits"), Some(&dev), None).await.json();
    let items = history["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["author"]["name"], "dana");
    assert_eq!(items[0]["message"], "Update 4 files");
    assert_eq!(items[0]["parents"], json!([first]));
    let per_path = server
        .call(Method::GET, &format!("/api/v1/apps/{slug}/commits?path=install.json"), Some(&dev), None)
        .await
        .json();
    assert_eq!(per_path["items"].as_array().map(Vec::len), Some(1));

    let detail =
        server.call(Method::GET, &format!("/api/v1/apps/{slug}/commits/{second}"), Some(&dev), None).await.json();
    assert_eq!(detail["files"].as_array().map(Vec::len), Some(4));

    let diff = server
        .call(Method::GET, &format!("/api/v1/apps/{slug}/diff?from={first}&to={second}&path=app.py"), Some(&dev), None)
        .await
        .json();
    assert_eq!(diff["files"][0]["status"], "modified");
    assert!(
        diff["files"][0]["hunks"][0]["lines"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["kind"] == "+" && l["content"] == "print('v2')"))
    );
    let unified = server
        .call(
            Method::GET,
            &format!("/api/v1/apps/{slug}/diff?from={first}&to={second}&format=unified"),
            Some(&dev),
            None,
        )
        .await;
    assert!(unified.headers[header::CONTENT_TYPE].to_str().expect("ascii").starts_with("text/x-diff"));
    assert!(unified.text.contains("+++ b/app.py") && unified.text.contains("+print('v2')"), "{}", unified.text);

    let blame = server.call(Method::GET, &format!("/api/v1/apps/{slug}/blame/app.py"), Some(&dev), None).await.json();
    assert_eq!(blame[0]["revision"], second.as_str());
    assert_eq!(blame[0]["author"]["name"], "dana");

    let restored = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{slug}/restore"),
            Some(&dev),
            Some(json!({"rev": first, "base": second})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.text);
    let tree_now = server.call(Method::GET, &format!("/api/v1/apps/{slug}/tree"), Some(&dev), None).await.json();
    let tree_then =
        server.call(Method::GET, &format!("/api/v1/apps/{slug}/tree?rev={first}"), Some(&dev), None).await.json();
    assert_eq!(tree_now["entries"], tree_then["entries"]);
    let history = server.call(Method::GET, &format!("/api/v1/apps/{slug}/commits"), Some(&dev), None).await.json();
    assert_eq!(history["items"].as_array().map(Vec::len), Some(3), "restoring appends, never rewrites");
}

#[tokio::test]
async fn stale_saves_conflict_on_the_same_path_and_merge_on_others() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, base) = create(&server, &dev, "Race App", "playbook-basic").await;
    let first = save(&server, &dev, &slug, &base, json!([{"op": "put", "path": "app.py", "content": "a\n"}])).await;
    let head = first.json()["revision"].as_str().expect("revision").to_owned();

    let stale = save(&server, &dev, &slug, &base, json!([{"op": "put", "path": "app.py", "content": "b\n"}])).await;
    assert_eq!((stale.status, stale.error_code().as_str()), (StatusCode::CONFLICT, "conflict"));
    assert_eq!(stale.json()["head"], head.as_str());
    assert_eq!(stale.json()["paths"], json!(["app.py"]));

    let other =
        save(&server, &dev, &slug, &base, json!([{"op": "put", "path": "README.md", "content": "# hi\n"}])).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let app = server.call(Method::GET, &format!("/api/v1/apps/{slug}/files/app.py"), Some(&dev), None).await;
    assert_eq!(app.text, "a\n", "the other save kept the newer app.py");

    let same = save(
        &server,
        &dev,
        &slug,
        other.json()["revision"].as_str().expect("rev"),
        json!([{"op": "put", "path": "app.py", "content": "a\n"}]),
    )
    .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.json()["changed"], false);
}

#[tokio::test]
async fn hostile_paths_are_400_invalid_path_and_nothing_is_written() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, base) = create(&server, &dev, "Path App", "playbook-basic").await;
    let long_segment = "s".repeat(256);
    let long_path = ["s"; 600].join("/");
    for path in [
        "",
        "/etc/passwd",
        "../escape",
        "a/../../b",
        "a//b",
        ".git/config",
        "x/.git/hooks/pre-commit",
        "a\\b",
        "a\u{0}b",
        "tab\there",
        long_segment.as_str(),
        long_path.as_str(),
    ] {
        let answer = save(&server, &dev, &slug, &base, json!([{"op": "put", "path": path, "content": "x"}])).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path:?}: {}", answer.text);
        assert_eq!(answer.error_code(), "invalid_path", "{path:?}");
    }
    let moved = save(&server, &dev, &slug, &base, json!([{"op": "move", "from": "app.py", "path": "../app.py"}])).await;
    assert_eq!(moved.error_code(), "invalid_path");
    let read =
        server.call(Method::GET, &format!("/api/v1/apps/{slug}/files/..%2Finstall.json"), Some(&dev), None).await;
    assert_eq!((read.status, read.error_code().as_str()), (StatusCode::BAD_REQUEST, "invalid_path"));
    let history = server.call(Method::GET, &format!("/api/v1/apps/{slug}/commits"), Some(&dev), None).await.json();
    assert_eq!(history["items"].as_array().map(Vec::len), Some(1), "nothing was committed");
}

#[tokio::test]
async fn binary_files_are_byte_exact_and_big_files_are_413() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, base) = create(&server, &dev, "Binary App", "playbook-basic").await;
    let bytes: Vec<u8> = (0..=255u8).rev().cycle().take(10_000).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let saved = save(
        &server,
        &dev,
        &slug,
        &base,
        json!([{"op": "put", "path": "assets/icon.bin", "content": {"base64": encoded}}]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    let response = server
        .send(
            http::Request::builder()
                .uri(format!("/api/v1/apps/{slug}/files/assets/icon.bin"))
                .header(header::COOKIE, &dev)
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(response.text.len(), String::from_utf8_lossy(&bytes).len());
    let head = saved.json()["revision"].as_str().expect("rev").to_owned();

    let big = "x".repeat(5 * 1024 * 1024 + 1);
    let too_big = save(&server, &dev, &slug, &head, json!([{"op": "put", "path": "big.txt", "content": big}])).await;
    assert_eq!((too_big.status, too_big.error_code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    assert!(too_big.json()["message"].as_str().is_some_and(|m| m.contains("big.txt")));
    let bad_base64 =
        save(&server, &dev, &slug, &head, json!([{"op": "put", "path": "x.bin", "content": {"base64": "!!!"}}])).await;
    assert_eq!(bad_base64.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn reviewers_read_but_cannot_create_save_or_restore_and_only_admins_archive() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let reviewer = server.user_with_role("rev", "reviewer").await;
    let (slug, base) = create(&server, &dev, "Guarded App", "playbook-actions").await;

    for path in [
        "/api/v1/apps".to_owned(),
        format!("/api/v1/apps/{slug}"),
        format!("/api/v1/apps/{slug}/tree"),
        format!("/api/v1/apps/{slug}/files/install.json"),
        format!("/api/v1/apps/{slug}/commits"),
        format!("/api/v1/apps/{slug}/commits/{base}"),
        format!("/api/v1/apps/{slug}/diff?from={base}&to={base}"),
        format!("/api/v1/apps/{slug}/blame/app.py"),
        "/api/v1/templates".to_owned(),
    ] {
        assert_eq!(
            server.call(Method::GET, &path, Some(&reviewer), None).await.status,
            StatusCode::OK,
            "reviewer reads {path}"
        );
        assert_eq!(
            server.call(Method::GET, &path, None, None).await.status,
            StatusCode::UNAUTHORIZED,
            "anonymous {path}"
        );
    }
    let writes = [
        ("/api/v1/apps".to_owned(), json!({"name": "Sneaky App", "template": "job"})),
        (
            format!("/api/v1/apps/{slug}/commits"),
            json!({"base": base, "changes": [{"op": "put", "path": "app.py", "content": "x"}]}),
        ),
        (format!("/api/v1/apps/{slug}/restore"), json!({"rev": base, "base": base})),
    ];
    for (path, body) in writes {
        let answer = server.call(Method::POST, &path, Some(&reviewer), Some(body)).await;
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "reviewer POST {path}"
        );
    }
    let by_dev = server.call(Method::DELETE, &format!("/api/v1/apps/{slug}"), Some(&dev), None).await;
    assert_eq!(by_dev.status, StatusCode::FORBIDDEN);
    let admin = server.admin().await;
    let archived = server.call(Method::DELETE, &format!("/api/v1/apps/{slug}"), Some(&admin), None).await;
    assert_eq!(archived.status, StatusCode::NO_CONTENT);
    let gone = server.call(Method::GET, &format!("/api/v1/apps/{slug}"), Some(&admin), None).await;
    assert_eq!((gone.status, gone.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let history = server.call(Method::GET, "/api/v1/apps", Some(&admin), None).await.json();
    assert_eq!(history["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_saves_through_the_api_give_one_commit_and_49_conflicts() {
    let server = std::sync::Arc::new(TestServer::start().await);
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, base) = create(&server, &dev, "Busy App", "playbook-basic").await;
    let mut tasks = Vec::new();
    for n in 0..50 {
        let (server, dev, slug, base) = (server.clone(), dev.clone(), slug.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            save(
                &server,
                &dev,
                &slug,
                &base,
                json!([{"op": "put", "path": "app.py", "content": format!("print({n})\n")}]),
            )
            .await
        }));
    }
    let mut created = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        let answer = task.await.expect("the task ran");
        match answer.status {
            StatusCode::CREATED => created.push(answer.json()["revision"].as_str().expect("rev").to_owned()),
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }
    assert_eq!((created.len(), conflicts), (1, 49));
    let history = server.call(Method::GET, &format!("/api/v1/apps/{slug}/commits"), Some(&dev), None).await.json();
    let revisions: Vec<&str> =
        history["items"].as_array().expect("items").iter().map(|c| c["revision"].as_str().expect("rev")).collect();
    assert_eq!(revisions, [created[0].as_str(), base.as_str()], "the acknowledged save is in history, nothing else");
}

/// Runs git in `repo` (a bare repository) with `index` as the index file; its output.
fn git(repo: &std::path::Path, index: &std::path::Path, args: &[&str], input: Option<&[u8]>) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .arg(format!("--git-dir={}", repo.display()))
        .args(args)
        .env("GIT_INDEX_FILE", index)
        .env("GIT_AUTHOR_NAME", "crash")
        .env("GIT_AUTHOR_EMAIL", "crash@appbuilder.invalid")
        .env("GIT_COMMITTER_NAME", "crash")
        .env("GIT_COMMITTER_EMAIL", "crash@appbuilder.invalid")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git starts");
    if let Some(input) = input {
        child.stdin.take().expect("stdin").write_all(input).expect("written");
    }
    let output = child.wait_with_output().expect("git ends");
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test]
async fn a_list_shows_a_save_at_once_and_a_restart_sets_rows_a_stopped_server_did_not_write() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let (slug, head) = create(&server, &dev, "Row Mirror", "playbook-basic").await;
    let install =
        server.call(Method::GET, &format!("/api/v1/apps/{slug}/files/install.json"), Some(&dev), None).await.text;
    let renamed = install.replace("\"Row Mirror\"", "\"Row Mirror Renamed\"");
    assert_ne!(renamed, install);
    let saved =
        save(&server, &dev, &slug, &head, json!([{"op": "put", "path": "install.json", "content": renamed}])).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    // Rows are written behind saves; a list right after the save still sees it.
    let list = server.call(Method::GET, "/api/v1/apps?q=row", Some(&dev), None).await.json();
    assert_eq!(list["items"][0]["display_name"], "Row Mirror Renamed", "{list}");

    // A commit the server made but did not record in the row before it stopped (made here with
    // git, behind its back): the next start sets the row from the repository.
    let repo =
        std::fs::read_dir(server.dir.path().join("repos")).expect("repos").flatten().next().expect("one repo").path();
    let index = server.dir.path().join("crash.index");
    git(&repo, &index, &["read-tree", "refs/heads/main"], None);
    let named = renamed.replace("\"Row Mirror Renamed\"", "\"Renamed Behind Its Back\"");
    let blob = git(&repo, &index, &["hash-object", "-w", "--stdin"], Some(named.as_bytes()));
    git(&repo, &index, &["update-index", "--cacheinfo", &format!("100644,{blob},install.json")], None);
    let tree = git(&repo, &index, &["write-tree"], None);
    let commit = git(&repo, &index, &["commit-tree", &tree, "-p", "refs/heads/main", "-m", "unrecorded"], None);
    git(&repo, &index, &["update-ref", "refs/heads/main", &commit], None);

    let restarted = TestServer::start_in(server.dir, 64 * 1024).await;
    let dev = restarted.sign_in("dev", "password of the user").await;
    let list = restarted.call(Method::GET, "/api/v1/apps?q=row", Some(&dev), None).await.json();
    assert_eq!(list["items"][0]["display_name"], "Renamed Behind Its Back", "{list}");
    assert_eq!(list["items"][0]["head"], commit);
}
