//! Releases, contract diffs, reviews with separation of duties, protected targets,
//! notifications and history filters, through the real router (real SQLite, git and builds).

mod common;

use common::TestServer;
use common::flows::{build, create, drop_outputs, edit};
use http::{Method, StatusCode};
use serde_json::{Value, json};

async fn get(server: &TestServer, cookie: &str, path: &str) -> Value {
    let answer = server.call(Method::GET, path, Some(cookie), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
    answer.json()
}

async fn post(server: &TestServer, cookie: &str, path: &str, body: Option<Value>) -> common::Answer {
    server.call(Method::POST, path, Some(cookie), body).await
}

#[tokio::test]
async fn a_release_is_reviewed_by_someone_else_and_only_approved_releases_reach_a_protected_target() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("dev", "developer").await;
    let rita = server.user_with_role("rita", "reviewer").await;
    let mut app = create(&server, &dev, "Reviewed").await;
    let releases = format!("/api/v1/apps/{}/releases", app.slug);

    // The first proposal: 1.0.0, notes drafted from the history.
    let proposal = get(&server, &dev, &format!("{releases}/proposal")).await;
    assert_eq!((proposal["version"].as_str(), proposal["suggested_version"].as_str()), (Some("1.0.0"), Some("1.0.0")));
    assert_eq!(proposal["problems"], json!([]));
    assert!(proposal["notes"].as_str().is_some_and(|n| n.starts_with("## 1.0.0")), "{proposal}");

    assert_eq!(post(&server, &rita, &releases, None).await.status, StatusCode::FORBIDDEN, "reviewers do not release");
    let first_build = build(&server, &dev, &app).await;
    let created = post(&server, &dev, &releases, Some(json!({"notes": "First cut"}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let release = created.json();
    assert_eq!(
        (release["version"].as_str(), release["tag"].as_str(), release["build"].as_i64(), release["notes"].as_str()),
        (Some("1.0.0"), Some("v1.0.0"), Some(first_build), Some("First cut")),
        "the revision's succeeded build ships"
    );
    let again = post(&server, &dev, &releases, None).await;
    assert_eq!((again.status, again.error_code().as_str()), (StatusCode::CONFLICT, "conflict"), "versions only go up");
    assert!(again.text.contains("not above the last release 1.0.0"), "{}", again.text);

    // Review: asked by the developer, reviewers are told, the author cannot decide.
    let reviews = format!("{releases}/1.0.0/reviews");
    assert_eq!(post(&server, &rita, &reviews, None).await.status, StatusCode::FORBIDDEN, "developers ask");
    let asked = post(&server, &dev, &reviews, None).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text);
    let id = asked.json()["id"].as_i64().expect("id");
    assert_eq!(post(&server, &dev, &reviews, None).await.status, StatusCode::CONFLICT, "one open review at a time");
    let inbox = get(&server, &rita, "/api/v1/notifications").await;
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["link"], format!("/reviews/{id}"));
    assert!(inbox["items"][0]["text"].as_str().is_some_and(|t| t.contains("dev asks for a review")));
    assert_eq!(get(&server, &dev, "/api/v1/notifications").await["unread"], 0, "not told about their own request");
    let review = format!("/api/v1/reviews/{id}");
    let own = post(&server, &dev, &format!("{review}/approve"), None).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "developers do not approve");

    // Comments on a line and on a manifest field; bad anchors are refused.
    let comments = format!("{review}/comments");
    let comment = |body: Value| post(&server, &rita, &comments, Some(body));
    let on_line = comment(json!({"body": "Why print here?", "path": "app.py", "line": 1})).await;
    assert_eq!(on_line.status, StatusCode::CREATED, "{}", on_line.text);
    let on_field =
        comment(json!({"body": "Say what it is for", "path": "install.json", "pointer": "/params/0/label"})).await;
    assert_eq!(on_field.status, StatusCode::CREATED, "{}", on_field.text);
    for bad in [
        json!({"body": "x", "path": "app.py", "line": 100000}),
        json!({"body": "x", "path": "install.json", "pointer": "/nope"}),
        json!({"body": "x", "path": "missing.py", "line": 1}),
        json!({"body": "x", "line": 1}),
        json!({"body": "   "}),
    ] {
        assert_eq!(comment(bad.clone()).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert!(get(&server, &dev, "/api/v1/notifications").await["unread"].as_u64() >= Some(2), "the author hears");

    let changes = post(&server, &rita, &format!("{review}/request-changes"), None).await;
    assert_eq!(changes.status, StatusCode::OK, "{}", changes.text);
    assert_eq!(changes.json()["state"], "changes_requested");
    // The developer asks again: the older review can no longer be decided, the newer one can.
    let again = post(&server, &dev, &reviews, None).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    let newer = again.json()["id"].as_i64().expect("id");
    assert_eq!(post(&server, &rita, &format!("{review}/approve"), None).await.status, StatusCode::CONFLICT);
    let review = format!("/api/v1/reviews/{newer}");

    // Protected target: only an approved release deploys there.
    let protect =
        server.call(Method::PATCH, "/api/v1/targets/local", Some(&admin), Some(json!({"protected": true}))).await;
    assert_eq!(protect.status, StatusCode::OK, "{}", protect.text);
    let deploy = |build: i64| {
        server.call(Method::POST, "/api/v1/deployments", Some(&admin), Some(json!({"build": build, "target": "local"})))
    };
    let refused = deploy(first_build).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert!(refused.text.contains("approved releases"), "{}", refused.text);
    let approved = post(&server, &rita, &format!("{review}/approve"), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    let approved = approved.json();
    assert_eq!((approved["state"].as_str(), approved["decided_by"].as_str()), (Some("approved"), Some("rita")));
    assert_eq!(post(&server, &rita, &format!("{review}/approve"), None).await.status, StatusCode::CONFLICT);
    let deployed = deploy(first_build).await;
    assert_eq!(deployed.status, StatusCode::ACCEPTED, "{}", deployed.text);
    assert_eq!(deployed.json()["steps"][0]["detail"], "release 1.0.0 is approved");
    let listed = get(&server, &rita, &releases).await;
    assert_eq!(listed[0]["review_state"], "approved");

    // A breaking change: the proposal asks for a major version; an unreleased build is refused.
    drop_outputs(&server, &dev, &mut app, "1.1.0").await;
    let proposal = get(&server, &dev, &format!("{releases}/proposal")).await;
    assert_eq!(proposal["contract"]["breaking"], true, "{proposal}");
    assert_eq!(proposal["suggested_version"], "2.0.0");
    assert!(proposal["problems"][0].as_str().is_some_and(|p| p.contains("2.0.0")), "{proposal}");
    assert!(proposal["notes"].as_str().is_some_and(|n| n.contains("**Breaking:** output")), "{proposal}");
    let diff = get(&server, &rita, &format!("/api/v1/apps/{}/contract-diff", app.slug)).await;
    assert_eq!((diff["breaking"].as_bool(), diff["suggested_bump"].as_str()), (Some(true), Some("major")));
    assert_eq!(diff["changes"][0]["kind"], "output_removed");
    let unreleased = build(&server, &dev, &app).await;
    let broken = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/commits", app.slug),
            Some(&dev),
            Some(
                json!({"base": app.head, "changes": [{"op": "put", "path": "install.json", "content": "{ not json"}]}),
            ),
        )
        .await;
    assert_eq!(broken.status, StatusCode::CREATED);
    let proposal = get(&server, &dev, &format!("{releases}/proposal")).await;
    assert_eq!(proposal["version"], Value::Null, "a broken install.json is a problem to show: {proposal}");
    assert!(proposal["problems"][0].as_str().is_some_and(|p| p.contains("install.json")), "{proposal}");
    app.head = broken.json()["revision"].as_str().expect("revision").into();
    let restored = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/restore", app.slug),
            Some(&dev),
            Some(json!({"rev": proposal["commits"][1]["revision"], "base": app.head})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.text);
    app.head = restored.json()["revision"].as_str().expect("revision").into();
    assert_eq!(deploy(unreleased).await.status, StatusCode::CONFLICT, "not released, not approved");

    // An admin who released cannot approve their own release either.
    edit(&server, &admin, &mut app, |i| i["programVersion"] = json!("2.0.0"), &[]).await;
    let mine = post(&server, &admin, &releases, None).await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.text);
    let asked = post(&server, &admin, &format!("{releases}/2.0.0/reviews"), None).await.json();
    let self_approval = post(&server, &admin, &format!("/api/v1/reviews/{}/approve", asked["id"]), None).await;
    assert_eq!(self_approval.status, StatusCode::FORBIDDEN, "{}", self_approval.text);
    let view = get(&server, &rita, &format!("/api/v1/reviews/{}", asked["id"])).await;
    assert_eq!(view["previous"], "1.0.0");
    assert_eq!(view["contract"]["suggested_bump"], "major");
    assert_eq!(
        view["commits"].as_array().map(Vec::len),
        Some(4),
        "the saves since 1.0.0 (with the broken one and its restore): {view}"
    );
    let open = get(&server, &rita, "/api/v1/reviews?state=open").await;
    assert_eq!(open.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn history_filters_and_the_changes_a_deployment_brought() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("dev", "developer").await;
    let mut app = create(&server, &admin, "Filtered").await;
    let first = build(&server, &admin, &app).await;
    let deploy = |build: i64| {
        server.call(Method::POST, "/api/v1/deployments", Some(&admin), Some(json!({"build": build, "target": "local"})))
    };
    assert_eq!(deploy(first).await.status, StatusCode::ACCEPTED);
    edit(
        &server,
        &dev,
        &mut app,
        |i| {
            i["programVersion"] = json!("1.1.0");
            i["playbook"]["outputVariables"]
                .as_array_mut()
                .expect("outputs")
                .push(json!({"name": "filtered.results.extra", "type": "String"}));
        },
        &[],
    )
    .await;
    let second = build(&server, &admin, &app).await;
    let deployed = deploy(second).await;
    assert_eq!(deployed.status, StatusCode::ACCEPTED, "{}", deployed.text);
    let changes = get(&server, &dev, &format!("/api/v1/deployments/{}/changes", deployed.json()["id"])).await;
    assert_eq!(changes["previous"]["build"], first);
    assert_eq!(changes["commits"].as_array().map(Vec::len), Some(1), "{changes}");
    assert_eq!(changes["commits"][0]["author"]["name"], "dev");
    assert_eq!(changes["contract"]["changes"][0]["detail"], "new output filtered.results.extra (String)");

    let history = |query: &str| {
        let path = format!("/api/v1/apps/{}/commits?{query}", app.slug);
        let (server, dev) = (&server, &dev);
        async move { get(server, dev, &path).await }
    };
    let by_dev = history("author=DEV").await;
    assert_eq!(by_dev["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(history("author=admin").await["items"].as_array().map(Vec::len), Some(1), "the creation");
    assert_eq!(history("since=2999-01-01").await["items"], json!([]));
    assert_eq!(history("until=2000-01-01").await["items"], json!([]));
    assert_eq!(history("since=2000-01-01&path=install.json").await["items"].as_array().map(Vec::len), Some(2));
    let bad =
        server.call(Method::GET, &format!("/api/v1/apps/{}/commits?since=yesterday", app.slug), Some(&dev), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn releases_of_one_version_at_once_give_one_release_and_keep_its_tag() {
    let server = TestServer::start().await;
    let dev = server.user_with_role("dev", "developer").await;
    let app = create(&server, &dev, "Racing").await;
    let releases = format!("/api/v1/apps/{}/releases", app.slug);
    let attempts = (0..5).map(|_| post(&server, &dev, &releases, None));
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|a| a.status == StatusCode::CREATED).count();
    let refused = answers.iter().filter(|a| a.status == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (1, 4), "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    let listed = get(&server, &dev, &releases).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    // The winner's tag is still there: the release's revision is tagged v1.0.0.
    let tags = std::process::Command::new("git")
        .args(["for-each-ref", "--format=%(refname:short) %(*objectname)", "refs/tags"])
        .current_dir(
            server.dir.path().join("repos").read_dir().expect("repos").flatten().next().expect("a repo").path(),
        )
        .output()
        .expect("git runs");
    let tags = String::from_utf8_lossy(&tags.stdout).into_owned();
    assert_eq!(tags.trim(), format!("v1.0.0 {}", listed[0]["revision"].as_str().expect("revision")));
}
