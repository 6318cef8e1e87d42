//! The version store against real bare repositories in temp dirs.

use domain::app::{FileChange, RepoPath, Revision};
use domain::history::ChangeStatus;
use repo::{AppRepos, RepoError, RepoKey, Signature, SizeBudget};

const ROOMY: SizeBudget = SizeBudget { current: 0, max: u64::MAX };
use std::sync::Arc;

fn p(path: &str) -> RepoPath {
    RepoPath::parse(path).expect("a valid path")
}

fn who(name: &str) -> Signature {
    Signature { name: name.into(), email: format!("{name}@appbuilder.invalid"), time: time::OffsetDateTime::now_utc() }
}

fn put(path: &str, content: &str) -> FileChange {
    FileChange::Put { path: p(path), content: content.as_bytes().to_vec() }
}

async fn app(dir: &tempfile::TempDir) -> (AppRepos, RepoKey, Revision) {
    let repos = AppRepos::open(dir.path().join("repos")).expect("opens");
    let key = RepoKey::parse("app-1").expect("a key");
    let files = vec![(p("install.json"), b"{}\n".to_vec()), (p("app.py"), b"print('hi')\n".to_vec())];
    let first = repos.create(&key, files, &who("ada"), "Create app").await.expect("created");
    (repos, key, first)
}

#[tokio::test]
async fn a_new_app_is_a_bare_repository_with_one_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let path = repos.path(&key);
    assert!(path.join("HEAD").is_file() && !path.join(".git").exists(), "bare: no work tree");
    assert_eq!(repos.head(&key).await.expect("head"), first);
    let tree = repos.tree(&key, None).await.expect("tree");
    let paths: Vec<_> = tree.entries.iter().map(|e| (e.path.as_str(), e.size)).collect();
    assert_eq!(paths, [("app.py", 12), ("install.json", 3)]);
    let (history, more) = repos.history(&key, None, None, 10).await.expect("history");
    assert_eq!((history.len(), more), (1, None));
    assert!(history[0].parents.is_empty());
    assert!(matches!(repos.create(&key, vec![], &who("ada"), "again").await, Err(RepoError::InvalidChange(_))));
}

#[tokio::test]
async fn commits_apply_puts_deletes_and_moves_in_one_revision() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let changes = vec![
        put("lib/util.py", "X = 1\n"),
        FileChange::Delete { path: p("install.json") },
        FileChange::Move { from: p("app.py"), to: p("run.py") },
    ];
    let out = repos.commit(&key, &first, changes, &who("bob"), "Restructure", ROOMY).await.expect("committed");
    assert!(out.changed);
    assert_eq!(out.size_delta, 6 - 3);
    let tree = repos.tree(&key, Some(out.revision.clone())).await.expect("tree");
    let paths: Vec<_> = tree.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["lib/util.py", "run.py"]);
    let (_, old) = repos.read_file(&key, Some(first.clone()), p("app.py")).await.expect("old revisions stay readable");
    assert_eq!(old, b"print('hi')\n");

    let detail = repos.commit_detail(&key, out.revision.clone()).await.expect("detail");
    assert_eq!(detail.commit.author.name, "bob");
    assert_eq!(detail.commit.parents, [first]);
    let mut statuses: Vec<_> = detail.files.iter().map(|f| (f.path.as_str(), f.status)).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ("install.json", ChangeStatus::Deleted),
            ("lib/util.py", ChangeStatus::Added),
            ("run.py", ChangeStatus::Renamed)
        ]
    );

    let unchanged = repos
        .commit(&key, &out.revision, vec![put("run.py", "print('hi')\n")], &who("bob"), "noop", ROOMY)
        .await
        .expect("ok");
    assert_eq!((unchanged.changed, &unchanged.revision), (false, &out.revision), "no empty commits");
}

#[tokio::test]
async fn a_stale_base_conflicts_only_on_paths_changed_since() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let second = repos
        .commit(&key, &first, vec![put("app.py", "print('v2')\n")], &who("a"), "v2", ROOMY)
        .await
        .expect("ok")
        .revision;

    match repos.commit(&key, &first, vec![put("app.py", "print('mine')\n")], &who("b"), "mine", ROOMY).await {
        Err(RepoError::Conflict { head, paths, .. }) => {
            assert_eq!(head, second);
            assert_eq!(paths, [p("app.py")]);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let other_file = repos
        .commit(&key, &first, vec![put("install.json", "{\"x\":1}\n")], &who("b"), "other", ROOMY)
        .await
        .expect("merges");
    let (_, app_py) = repos.read_file(&key, Some(other_file.revision.clone()), p("app.py")).await.expect("read");
    assert_eq!(app_py, b"print('v2')\n", "the newer change to another file is kept");
    let (history, _) = repos.history(&key, None, None, 10).await.expect("history");
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].parents, [second], "committed on top of the head");
}

#[tokio::test]
async fn invalid_changes_are_refused_without_a_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let cases = vec![
        vec![put("a.py", "1"), put("a.py", "2")],
        vec![FileChange::Delete { path: p("nope.py") }],
        vec![FileChange::Move { from: p("nope.py"), to: p("x.py") }],
        vec![FileChange::Move { from: p("app.py"), to: p("install.json") }],
        vec![put("app.py/inner.py", "x")],
    ];
    for changes in cases {
        let err = repos.commit(&key, &first, changes.clone(), &who("c"), "bad", ROOMY).await.expect_err("refused");
        assert!(matches!(err, RepoError::InvalidChange(_) | RepoError::NoSuchFile(_)), "{changes:?}: {err:?}");
    }
    repos.commit(&key, &first, vec![put("lib/x.py", "x")], &who("c"), "dir", ROOMY).await.expect("ok");
    let head = repos.head(&key).await.expect("head");
    let err = repos.commit(&key, &head, vec![put("lib", "x")], &who("c"), "clobber", ROOMY).await.expect_err("refused");
    assert!(matches!(err, RepoError::InvalidChange(_)), "a file cannot replace a folder: {err:?}");
    assert!(matches!(
        repos
            .commit(&key, &Revision::parse(&"0".repeat(40)).expect("rev"), vec![put("z", "z")], &who("c"), "x", ROOMY)
            .await,
        Err(RepoError::UnknownRevision(_))
    ));
}

#[tokio::test]
async fn a_commit_over_the_size_budget_is_refused_and_nothing_is_committed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let budget = SizeBudget { current: 15, max: 20 };
    let err = repos
        .commit(&key, &first, vec![put("big.txt", "0123456789")], &who("z"), "big", budget)
        .await
        .expect_err("too big");
    assert!(matches!(err, RepoError::TooLarge { size: 25, max: 20 }), "{err:?}");
    assert_eq!(repos.head(&key).await.expect("head"), first);
    let shrink =
        repos.commit(&key, &first, vec![FileChange::Delete { path: p("app.py") }], &who("z"), "smaller", budget).await;
    assert!(shrink.is_ok(), "shrinking is always allowed");
}

#[tokio::test]
async fn binary_files_round_trip_byte_exact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let out = repos
        .commit(
            &key,
            &first,
            vec![FileChange::Put { path: p("img/logo.png"), content: bytes.clone() }],
            &who("d"),
            "logo",
            ROOMY,
        )
        .await
        .expect("ok");
    let (_, read) = repos.read_file(&key, None, p("img/logo.png")).await.expect("read");
    assert_eq!(read, bytes);
    let detail = repos.commit_detail(&key, out.revision).await.expect("detail");
    assert!(detail.files[0].binary);
}

#[tokio::test]
async fn history_pages_per_app_and_per_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, mut head) = app(&dir).await;
    for n in 0..7 {
        let path = if n % 2 == 0 { "app.py" } else { "notes.md" };
        head = repos
            .commit(&key, &head, vec![put(path, &format!("v{n}\n"))], &who("e"), &format!("edit {n}"), ROOMY)
            .await
            .expect("ok")
            .revision;
    }
    let (page, next) = repos.history(&key, None, None, 3).await.expect("page 1");
    assert_eq!(page.iter().map(|c| c.message.as_str()).collect::<Vec<_>>(), ["edit 6", "edit 5", "edit 4"]);
    let (page2, _) = repos.history(&key, next, None, 3).await.expect("page 2");
    assert_eq!(page2.iter().map(|c| c.message.as_str()).collect::<Vec<_>>(), ["edit 3", "edit 2", "edit 1"]);

    let (app_py, more) = repos.history(&key, None, Some(p("app.py")), 10).await.expect("path history");
    assert_eq!(
        app_py.iter().map(|c| c.message.as_str()).collect::<Vec<_>>(),
        ["edit 6", "edit 4", "edit 2", "edit 0", "Create app"]
    );
    assert_eq!(more, None);
    assert_eq!(app_py[0].stats.additions, 1);
    assert_eq!(app_py[0].stats.deletions, 1);
}

#[tokio::test]
async fn diffs_between_any_two_revisions_structured_and_unified() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let second = repos
        .commit(&key, &first, vec![put("app.py", "import sys\nprint('hi')\nprint('bye')\n")], &who("f"), "more", ROOMY)
        .await
        .expect("ok")
        .revision;
    let diff = repos.diff(&key, first.clone(), second.clone(), None).await.expect("diff");
    assert_eq!(diff.files.len(), 1);
    let file = &diff.files[0];
    assert_eq!(
        (file.file.path.as_str(), file.file.status, file.file.additions, file.file.deletions),
        ("app.py", ChangeStatus::Modified, 2, 0)
    );
    let kinds: String = file.hunks[0].lines.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, "+ +");
    assert_eq!(file.hunks[0].lines[0].content, "import sys");
    assert_eq!(file.hunks[0].lines[0].new_line, Some(1));

    let text = repos.diff_unified(&key, first.clone(), second.clone(), None).await.expect("unified");
    assert!(text.contains("--- a/app.py\n+++ b/app.py\n"), "{text}");
    assert!(text.contains("+import sys\n print('hi')\n+print('bye')\n"), "{text}");
    let reverse = repos.diff(&key, second, first, Some(p("install.json"))).await.expect("diff");
    assert!(reverse.files.is_empty(), "the path filter keeps only that path");
}

#[tokio::test]
async fn blame_names_the_commit_of_each_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let second = repos
        .commit(&key, &first, vec![put("app.py", "print('hi')\nprint('new')\n")], &who("grace"), "add", ROOMY)
        .await
        .expect("ok")
        .revision;
    let lines = repos.blame(&key, None, p("app.py")).await.expect("blame");
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0].revision.clone(), lines[0].author.name.as_str()), (first.clone(), "ada"));
    assert_eq!(
        (lines[1].revision.clone(), lines[1].author.name.as_str(), lines[1].content.as_str()),
        (second, "grace", "print('new')")
    );
    let old = repos.blame(&key, Some(first.clone()), p("app.py")).await.expect("blame at a revision");
    assert_eq!(old.len(), 1);
}

#[tokio::test]
async fn restore_appends_a_commit_with_the_old_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let second = repos
        .commit(&key, &first, vec![put("app.py", "broken(\n"), put("extra.py", "x")], &who("h"), "oops", ROOMY)
        .await
        .expect("ok")
        .revision;
    let stale = repos.restore(&key, &first, &first, &who("h"), "Restore").await.expect_err("a stale base");
    assert!(matches!(stale, RepoError::Conflict { .. }));
    let restored = repos.restore(&key, &first, &second, &who("h"), "Restore").await.expect("restored");
    assert!(restored.changed);
    let old = repos.tree(&key, Some(first.clone())).await.expect("tree").entries;
    let now = repos.tree(&key, None).await.expect("tree").entries;
    assert_eq!(old, now);
    let (history, _) = repos.history(&key, None, None, 10).await.expect("history");
    assert_eq!(history.len(), 3, "history is appended to, never rewritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_saves_from_one_base_give_one_commit_and_49_conflicts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let repos = Arc::new(repos);
    let mut tasks = Vec::new();
    for n in 0..50 {
        let (repos, key, base) = (repos.clone(), key.clone(), first.clone());
        tasks.push(tokio::spawn(async move {
            repos
                .commit(
                    &key,
                    &base,
                    vec![put("app.py", &format!("print({n})\n"))],
                    &who("racer"),
                    &format!("save {n}"),
                    ROOMY,
                )
                .await
        }));
    }
    let mut won = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("the task ran") {
            Ok(outcome) => won.push(outcome.revision),
            Err(RepoError::Conflict { .. }) => conflicts += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((won.len(), conflicts), (1, 49));
    let (history, _) = repos.history(&key, None, None, 100).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].revision, won[0], "the acknowledged save is the head");
}

#[tokio::test]
async fn history_filters_by_author_time_and_an_earlier_version() {
    use domain::history::HistoryFilter;
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let mut head = first.clone();
    let day = time::Duration::days(1);
    let start = time::OffsetDateTime::now_utc() - day * 10;
    for (n, author) in ["grace", "linus", "grace"].into_iter().enumerate() {
        let signature = Signature { time: start + day * (n as i32 * 3), ..who(author) };
        head = repos
            .commit(&key, &head, vec![put("app.py", &format!("v{n}\n"))], &signature, &format!("edit {n}"), ROOMY)
            .await
            .expect("ok")
            .revision;
    }
    let messages = |filter: HistoryFilter| {
        let repos = repos.clone();
        let key = key.clone();
        async move {
            let (items, _) = repos.history_filtered(&key, None, filter, 10).await.expect("history");
            items.into_iter().map(|c| c.message).collect::<Vec<_>>()
        }
    };
    let by = |a: &str| HistoryFilter { author: Some(a.into()), ..HistoryFilter::default() };
    assert_eq!(messages(by("GRACE")).await, ["edit 2", "edit 0"], "by name, ignoring case");
    assert_eq!(messages(by("linus@appbuilder")).await, ["edit 1"], "by email");
    let window =
        HistoryFilter { since: Some(start + day * 2), until: Some(start + day * 4), ..HistoryFilter::default() };
    assert_eq!(messages(window).await, ["edit 1"]);
    let since_first = HistoryFilter { after: Some(first), ..HistoryFilter::default() };
    assert_eq!(messages(since_first).await, ["edit 2", "edit 1", "edit 0"], "the first commit left out");
}

#[tokio::test]
async fn a_tag_names_one_revision_and_can_be_taken_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let second =
        repos.commit(&key, &first, vec![put("app.py", "v2\n")], &who("a"), "v2", ROOMY).await.expect("ok").revision;
    assert!(repos.tag(&key, &first, "v1.0.0", &who("ada"), "First release").await.expect("tagged"), "made");
    assert!(!repos.tag(&key, &first, "v1.0.0", &who("ada"), "again").await.expect("the same tag again is fine"));
    let moved = repos.tag(&key, &second, "v1.0.0", &who("ada"), "moved").await;
    assert!(matches!(moved, Err(RepoError::InvalidChange(_))), "{moved:?}");
    assert!(repos.tag(&key, &second, "bad name..", &who("ada"), "x").await.is_err());
    assert_eq!(repos.tags(&key).await.expect("tags"), [("v1.0.0".to_owned(), first.clone())]);
    let listed = std::process::Command::new("git")
        .args(["tag", "-n1"])
        .current_dir(repos.path(&key))
        .output()
        .expect("git runs");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("First release"), "an annotated tag git reads");
    repos.delete_tag(&key, "v1.0.0").await.expect("deleted");
    assert_eq!(repos.tags(&key).await.expect("tags"), []);
}

#[tokio::test]
async fn a_repository_without_packs_has_no_pack_folder_and_packs_made_later_are_seen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let path = repos.path(&key);
    assert!(!path.join("objects/pack").exists(), "no empty pack folder to re-list on every save");
    let saved =
        repos.commit(&key, &first, vec![put("app.py", "print(1)\n")], &who("ada"), "One", ROOMY).await.expect("saved");

    // Someone packs the repository behind the server's back: loose objects go into a pack.
    let gc = std::process::Command::new("git")
        .arg(format!("--git-dir={}", path.display()))
        .args(["gc", "--quiet", "--prune=now"])
        .status()
        .expect("git runs");
    assert!(gc.success());
    assert!(path.join("objects/pack").read_dir().expect("a pack folder").next().is_some());

    // The handle opened before the pack existed is opened again, and finds the packed objects.
    let (_, bytes) =
        repos.read_file(&key, Some(saved.revision.clone()), p("app.py")).await.expect("read from the pack");
    assert_eq!(bytes, b"print(1)\n");
    let again = repos.commit(&key, &saved.revision, vec![put("app.py", "print(2)\n")], &who("ada"), "Two", ROOMY).await;
    assert!(again.expect("saved on top of packed history").changed);
}

/// Runs git on the repository at `path` and returns its trimmed output (asserting success).
fn git_in(path: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg(format!("--git-dir={}", path.display()))
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn saves_and_restores_move_the_branch_in_its_ref_file_and_git_follows_each_move() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let (repos, key, first) = app(&dir).await;
    let path = repos.path(&key);
    let ref_file = path.join("refs/heads/main");
    let inode = || std::fs::metadata(&ref_file).expect("a loose ref").ino();
    let before = inode();

    let mut head = first.clone();
    for n in 0..3 {
        let change = vec![put("app.py", &format!("print({n})\n"))];
        head = repos.commit(&key, &head, change, &who("ada"), "Save", ROOMY).await.expect("saved").revision;
        assert_eq!(git_in(&path, &["rev-parse", "main"]), head.as_str());
    }
    let restored = repos.restore(&key, &first, &head, &who("ada"), "Restore").await.expect("restored");
    assert_eq!(git_in(&path, &["rev-parse", "main"]), restored.revision.as_str());
    assert_eq!(inode(), before, "the ref file is overwritten where it is, not replaced by a new file");
    assert_eq!(std::fs::read_to_string(&ref_file).expect("read"), format!("{}\n", restored.revision));

    // git packs the branch behind the server's back (no loose ref file): the next save moves it
    // libgit2's way, and the one after that in place again.
    git_in(&path, &["pack-refs", "--all", "--prune"]);
    assert!(!ref_file.exists());
    let mut head = restored.revision;
    let mut inodes = Vec::new();
    for n in 0..2 {
        let change = vec![put("app.py", &format!("print('packed {n}')\n"))];
        head = repos.commit(&key, &head, change, &who("ada"), "Save", ROOMY).await.expect("saved").revision;
        assert_eq!(git_in(&path, &["rev-parse", "main"]), head.as_str());
        inodes.push(inode());
    }
    assert_eq!(inodes[0], inodes[1], "back to writing in place once the loose ref exists again");

    // Another writer holds the branch's lock: the save fails and the branch stays where it was.
    let lock = path.join("refs/heads/main.lock");
    std::fs::write(&lock, "").expect("a lock");
    let locked = repos.commit(&key, &head, vec![put("app.py", "print('locked')\n")], &who("ada"), "Save", ROOMY).await;
    assert!(matches!(locked, Err(RepoError::Git(_))), "{locked:?}");
    assert_eq!(git_in(&path, &["rev-parse", "main"]), head.as_str());
    std::fs::remove_file(&lock).expect("unlocked");
    let change = vec![put("app.py", "print('unlocked')\n")];
    head = repos.commit(&key, &head, change, &who("ada"), "Save", ROOMY).await.expect("saved").revision;
    assert_eq!(git_in(&path, &["rev-parse", "main"]), head.as_str());
    assert_eq!(git_in(&path, &["rev-list", "--count", "main"]), "8");
    git_in(&path, &["fsck", "--strict", "--no-dangling"]);
}

#[tokio::test]
async fn at_most_the_limit_of_repositories_stay_open_and_a_closed_one_reopens_on_its_next_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repos = AppRepos::open_with_limit(dir.path().join("repos"), 4).expect("opens");
    let mut apps = Vec::new();
    for n in 0..10 {
        let key = RepoKey::parse(&format!("app-{n}")).expect("a key");
        let first =
            repos.create(&key, vec![(p("app.py"), format!("n = {n}\n").into_bytes())], &who("ada"), "Create").await;
        apps.push((key, first.expect("created")));
    }
    for (key, head) in &apps {
        assert_eq!(&repos.head(key).await.expect("head"), head);
        assert!(repos.open_repositories() <= 4, "{} open after {key}", repos.open_repositories());
    }
    // The first app's repository was closed long ago: a save and a read open it again.
    let (key, head) = &apps[0];
    let out = repos.commit(key, head, vec![put("app.py", "n = 'again'\n")], &who("bob"), "Again", ROOMY).await;
    let out = out.expect("committed");
    assert_eq!(repos.head(key).await.expect("head"), out.revision);
    let (_, text) = repos.read_file(key, None, p("app.py")).await.expect("read");
    assert_eq!(text, b"n = 'again'\n");
    assert!(repos.open_repositories() <= 4);
    // Every other app still reads its own head.
    for (key, head) in &apps[1..] {
        assert_eq!(&repos.head(key).await.expect("head"), head);
    }
}
