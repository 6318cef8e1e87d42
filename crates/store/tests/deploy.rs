//! Deployment rows against a real database file.

use domain::app::AppSlug;
use domain::deploy::{DeployStep, NewDeployment};
use domain::ports::{AccountStore, AppStore, BuildStore, DeployStore, NewApp};
use domain::{Role, Username};
use store::SqliteStore;

#[tokio::test]
async fn a_deployment_left_running_by_a_stopped_server_ends_failed_with_its_last_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("d.db").display())).await.expect("opens");
    let admin = store.create_user(&Username::parse("ada").expect("name"), "h", Role::Admin).await.expect("user");
    let slug = AppSlug::parse("hello").expect("slug");
    let app = NewApp {
        slug: &slug,
        repo_key: "key-hello",
        display_name: "Hello",
        runtime_level: "Playbook",
        template: None,
        created_by: admin.id,
        size_bytes: 1,
        head_revision: &domain::app::Revision::parse(&"f".repeat(40)).expect("a revision"),
    };
    let app = store.create_app(&app).await.expect("app");
    let build = store.create_build(app.id, &"a".repeat(40), admin.id).await.expect("build");
    let local = store.find_target("local").await.expect("query").expect("the local target is seeded");
    let steps = vec![
        DeployStep::new("contract", "skipped", "nothing is deployed to local yet"),
        DeployStep::new("install", "running", "installing"),
    ];
    let new = NewDeployment {
        app_id: app.id,
        build_id: build.id,
        target_id: local.id,
        version: "1.0.0".into(),
        revision: build.revision.clone(),
        override_reason: None,
        breaking: Vec::new(),
        rollback_of: None,
        steps: steps.clone(),
        requested_by: admin.id,
    };
    let running = store.create_deployment(&new).await.expect("created");
    assert_eq!((running.status.as_str(), &running.steps), ("running", &steps));
    let finished = store.create_deployment(&new).await.expect("created");
    store.finish_deployment(finished.id, "succeeded", None, &[]).await.expect("finished");

    assert_eq!(store.fail_unfinished_deployments("the server stopped").await.expect("failed"), 1);
    let failed = store.find_deployment(running.id).await.expect("query").expect("found");
    assert_eq!((failed.status.as_str(), failed.reason.as_deref()), ("failed", Some("the server stopped")));
    assert!(failed.finished_at.is_some());
    assert_eq!(failed.steps[0], steps[0], "earlier steps stay as they were");
    assert_eq!(failed.steps[1], DeployStep::new("install", "failed", "the server stopped"));
    let untouched = store.find_deployment(finished.id).await.expect("query").expect("found");
    assert_eq!(untouched.status, "succeeded", "only running deployments end");
}
