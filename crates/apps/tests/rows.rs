//! App rows against their repositories: a real SQLite database and real git repositories.
//!
//! Rows are written behind saves and name the head they describe; at start-up
//! `Apps::repair_rows` sets again, from git, exactly the rows whose head is not the
//! repository's — and reads no other app's files.

use apps::{Apps, RowRepair};
use domain::app::{FileChange, Revision};
use domain::paging::PageRequest;
use domain::ports::{AccountStore, AppChange, AppStore};
use domain::user::Credential;
use domain::{Principal, Role, Username};
use repo::AppRepos;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use store::SqliteStore;

/// The app service over the database and repositories in `dir` (a start of the server).
async fn start(dir: &Path) -> (Apps, SqliteStore) {
    let store = SqliteStore::open(&format!("sqlite://{}", dir.join("rows.db").display())).await.expect("opens");
    let repos = AppRepos::open(dir.join("repos")).expect("repos");
    let audit = apps::audit::Audit::start(Arc::new(store.clone()));
    (Apps::new(Arc::new(store.clone()), repos, audit), store)
}

async fn developer(store: &SqliteStore) -> Principal {
    let user = store.create_user(&Username::parse("dev").expect("name"), "h", Role::Developer).await.expect("user");
    Principal { user_id: user.id, username: user.username, role: Role::Developer, credential: Credential::Session(1) }
}

/// Commits `content` as app.py on the repository's branch with git, behind the service's back.
fn commit_behind_its_back(repo: &Path, content: &str) {
    let run = |args: &[&str], input: Option<&str>| -> String {
        let mut command = Command::new("git");
        command.arg(format!("--git-dir={}", repo.display())).args(args);
        command.env("GIT_INDEX_FILE", repo.join("test.index"));
        command.env("GIT_AUTHOR_NAME", "t").env("GIT_AUTHOR_EMAIL", "t@t.invalid");
        command.env("GIT_COMMITTER_NAME", "t").env("GIT_COMMITTER_EMAIL", "t@t.invalid");
        // Dated in the past: only the head's id can tell the row is behind, not its time.
        command.env("GIT_AUTHOR_DATE", "2001-01-01T00:00:00Z").env("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z");
        command.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        let mut child = command.spawn().expect("git runs");
        if let Some(input) = input {
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes()).expect("written");
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().expect("git ends");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    run(&["read-tree", "refs/heads/main"], None);
    let blob = run(&["hash-object", "-w", "--stdin"], Some(content));
    run(&["update-index", "--cacheinfo", &format!("100644,{blob},app.py")], None);
    let tree = run(&["write-tree"], None);
    let commit = run(&["commit-tree", &tree, "-p", "refs/heads/main", "-m", "unrecorded"], None);
    run(&["update-ref", "refs/heads/main", &commit], None);
}

#[tokio::test]
async fn only_rows_behind_their_repository_are_set_again_from_git() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (apps, store) = start(dir.path()).await;
    let dev = developer(&store).await;
    let first = apps.create(&dev, "Row Check", "playbook-basic").await.expect("created");
    let other = apps.create(&dev, "Untouched", "job").await.expect("created");
    let change = FileChange::Put { path: apps::parse_path("notes.md").expect("path"), content: b"# notes\n".to_vec() };
    apps.save(&dev, first.slug.as_str(), first.head.as_str(), "", vec![change]).await.expect("saved");
    let listed = apps.list(None, &PageRequest::default()).await.expect("list"); // waits for the rows
    let size = |slug: &str, list: &domain::paging::Page<domain::app::AppSummary>| {
        list.items.iter().find(|a| a.slug.as_str() == slug).expect("listed").size_bytes
    };
    let (saved_size, other_size) = (size(first.slug.as_str(), &listed), size(other.slug.as_str(), &listed));

    // Every row names its repository's head: nothing to set.
    assert_eq!(apps.repair_rows().await.expect("checked"), RowRepair { checked: 2, repaired: 0 });

    // A row change recorded on top of one that never was (lost): the row's head becomes
    // unknown, as for rows from before the column, and is set from git once.
    let row = store.find_app(&first.slug).await.expect("query").expect("a row");
    let unknown = |digit: char| Revision::parse(&digit.to_string().repeat(40)).expect("a revision");
    let after_a_lost_change = AppChange {
        display_name: None,
        runtime_level: None,
        size_delta: 0,
        revision: unknown('1'),
        parent: unknown('2'),
    };
    store.record_saves(&[(row.id, after_a_lost_change)]).await.expect("recorded");
    assert_eq!(store.find_app(&first.slug).await.expect("query").expect("a row").head_revision, None);
    assert_eq!(apps.repair_rows().await.expect("checked"), RowRepair { checked: 2, repaired: 1 });
    assert_eq!(apps.repair_rows().await.expect("checked"), RowRepair { checked: 2, repaired: 0 });

    // A commit the service never recorded (a process killed before its row was written).
    let repo = std::fs::read_dir(dir.path().join("repos"))
        .expect("repos")
        .flatten()
        .map(|e| e.path())
        .find(|path| {
            let out = Command::new("git")
                .arg(format!("--git-dir={}", path.display()))
                .args(["show", "HEAD:notes.md"])
                .output();
            out.is_ok_and(|o| o.status.success())
        })
        .expect("the saved app's repository");
    commit_behind_its_back(&repo, "print('a much longer app than the template had, written behind its back')\n");
    let (apps, _) = start(dir.path()).await; // a restart
    assert_eq!(apps.repair_rows().await.expect("checked"), RowRepair { checked: 2, repaired: 1 });
    let listed = apps.list(None, &PageRequest::default()).await.expect("list");
    assert_ne!(size(first.slug.as_str(), &listed), saved_size, "the row follows the repository");
    assert_eq!(size(other.slug.as_str(), &listed), other_size);
    assert_eq!(apps.repair_rows().await.expect("checked"), RowRepair { checked: 2, repaired: 0 }, "once is enough");
}
