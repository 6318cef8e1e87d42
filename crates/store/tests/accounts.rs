//! The SQLite adapter against a real database file in a temp dir.

use domain::ports::{AccountStore, StoreError, UserChange};
use domain::user::Credential;
use domain::{Role, Username};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};

async fn open(dir: &tempfile::TempDir) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    SqliteStore::open(&url).await.expect("the database opens and migrates")
}

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid test name")
}

#[tokio::test]
async fn user_names_are_unique_and_rows_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let alice = store.create_user(&name("alice"), "hash-1", Role::Developer).await.expect("created");
    assert_eq!(alice.role, Role::Developer);
    assert!(matches!(store.create_user(&name("Alice"), "hash-2", Role::Admin).await, Err(StoreError::Conflict(_))));
    store.close().await;

    let store = open(&dir).await;
    let stored = store.find_user_for_sign_in(&name("alice")).await.expect("query").expect("present");
    assert_eq!(stored.password_hash, "hash-1");
    assert_eq!(store.count_users().await.expect("count"), 1);
}

#[tokio::test]
async fn sessions_end_at_expiry_and_when_the_user_is_disabled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let bob = store.create_user(&name("bob"), "h", Role::Reviewer).await.expect("created");
    let now = OffsetDateTime::now_utc();
    let id = store.create_session(bob.id, b"secret-hash", now + Duration::hours(1)).await.expect("session");

    let found = store.find_session(b"secret-hash", now).await.expect("query").expect("live");
    assert_eq!(
        (found.username.as_str(), found.role, found.credential),
        ("bob", Role::Reviewer, Credential::Session(id))
    );
    assert!(store.find_session(b"other", now).await.expect("query").is_none());
    assert!(store.find_session(b"secret-hash", now + Duration::hours(2)).await.expect("query").is_none());

    let change = UserChange { disabled: Some(true), ..Default::default() };
    store.update_user(bob.id, &change).await.expect("disabled");
    assert!(store.find_session(b"secret-hash", now).await.expect("query").is_none());
    assert_eq!(store.count_active_admins().await.expect("count"), 0);
}

#[tokio::test]
async fn tokens_resolve_to_their_user_and_role_changes_apply_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let carol = store.create_user(&name("carol"), "h", Role::Developer).await.expect("created");
    let id = store.create_token(carol.id, "ci", b"token-hash").await.expect("token");
    let now = OffsetDateTime::now_utc();
    let found = store.find_token(b"token-hash", now).await.expect("query").expect("valid");
    assert_eq!((found.credential, found.role), (Credential::Token(id), Role::Developer));

    store.update_user(carol.id, &UserChange { role: Some(Role::Admin), ..Default::default() }).await.expect("promoted");
    let found = store.find_token(b"token-hash", now).await.expect("query").expect("valid");
    assert_eq!(found.role, Role::Admin);
    assert!(matches!(store.update_user(999, &UserChange::default()).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn failures_count_up_per_key_and_clear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let now = OffsetDateTime::now_utc();
    assert!(store.failures("account:x").await.expect("query").is_none());
    store.record_failure("account:x", now).await.expect("recorded");
    let second = store.record_failure("account:x", now).await.expect("recorded");
    assert_eq!(second.failures, 2);
    assert_eq!(store.failures("address:1.2.3.4").await.expect("query"), None);
    store.clear_failures("account:x").await.expect("cleared");
    assert!(store.failures("account:x").await.expect("query").is_none());
}

#[tokio::test]
async fn users_list_in_pages_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    for n in ["u1", "u2", "u3"] {
        store.create_user(&name(n), "h", Role::Reviewer).await.expect("created");
    }
    let first = store.list_users(None, 2).await.expect("page");
    assert_eq!(first.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["u1", "u2"]);
    let rest = store.list_users(Some(first[1].id), 2).await.expect("page");
    assert_eq!(rest.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["u3"]);
}
