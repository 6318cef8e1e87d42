//! The account service over the real SQLite adapter.

use accounts::{Accounts, AccountsError, ThrottlePolicy, UserPatch};
use domain::Role;
use domain::paging::PageRequest;
use std::sync::Arc;
use std::time::Duration;
use store::SqliteStore;

const PASSWORD: &str = "a long enough password";

async fn service(dir: &tempfile::TempDir) -> Accounts {
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let store = SqliteStore::open(&url).await.expect("database opens");
    let throttle = ThrottlePolicy { base_delay: Duration::from_secs(60), ..ThrottlePolicy::default() };
    Accounts::new(Arc::new(store), throttle, Duration::from_secs(3600)).expect("service builds")
}

#[tokio::test]
async fn unknown_user_wrong_password_and_disabled_user_get_the_same_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = service(&dir).await;
    let first = accounts.ensure_first_admin(Some(PASSWORD)).await.expect("ok").expect("created");
    accounts.create_user("dana", PASSWORD, Role::Developer).await.expect("created");
    let admin = accounts.sign_in("admin", PASSWORD, None).await.expect("signs in").principal;
    accounts
        .update_user(&admin, "dana", UserPatch { disabled: Some(true), ..Default::default() })
        .await
        .expect("disabled");

    for (name, password) in [("nobody", PASSWORD), ("admin", "wrong password!"), ("dana", PASSWORD), ("../x", PASSWORD)]
    {
        let err = accounts.sign_in(name, password, None).await.expect_err("refused");
        assert!(matches!(err, AccountsError::BadCredentials), "{name}: {err:?}");
    }
    assert!(!first.generated);
}

#[tokio::test]
async fn sessions_and_tokens_authenticate_until_signed_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = service(&dir).await;
    accounts.create_user("erin", PASSWORD, Role::Reviewer).await.expect("created");
    let session = accounts.sign_in("Erin", PASSWORD, None).await.expect("signs in");
    let me = accounts.authenticate_session(&session.secret).await.expect("ok").expect("live");
    assert_eq!((me.username.as_str(), me.role), ("erin", Role::Reviewer));

    let token = accounts.create_token(&me, "ci pipeline").await.expect("token");
    assert!(token.token.starts_with("abt_"));
    let via_token = accounts.authenticate_token(&token.token).await.expect("ok").expect("valid");
    assert_eq!(via_token.user_id, me.user_id);
    assert!(accounts.authenticate_token("abt_forged").await.expect("ok").is_none());
    assert!(matches!(accounts.create_token(&me, "  ").await, Err(AccountsError::Invalid(_))));

    accounts.sign_out(&me).await.expect("signed out");
    assert!(accounts.authenticate_session(&session.secret).await.expect("ok").is_none());
    assert!(accounts.authenticate_token(&token.token).await.expect("ok").is_some(), "tokens outlive sessions");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = service(&dir).await;
    accounts.create_user("frank", PASSWORD, Role::Developer).await.expect("created");
    for _ in 0..5 {
        let err = accounts.sign_in("frank", "not the password", None).await.expect_err("refused");
        assert!(matches!(err, AccountsError::BadCredentials));
    }
    match accounts.sign_in("frank", PASSWORD, None).await {
        Err(AccountsError::RateLimited { retry_after }) => assert!(retry_after > Duration::from_secs(50)),
        other => panic!("expected a back-off, got {other:?}"),
    }
    // Another account is not affected.
    accounts.create_user("grace", PASSWORD, Role::Developer).await.expect("created");
    accounts.sign_in("grace", PASSWORD, None).await.expect("other accounts still sign in");
}

#[tokio::test]
async fn one_address_failing_on_many_accounts_is_slowed_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = service(&dir).await;
    let address = Some("203.0.113.9".parse().expect("an address"));
    for n in 0..20 {
        let err = accounts.sign_in(&format!("guess{n}"), "password", address).await.expect_err("refused");
        assert!(matches!(err, AccountsError::BadCredentials));
    }
    let err = accounts.sign_in("guess-next", "password", address).await.expect_err("refused");
    assert!(matches!(err, AccountsError::RateLimited { .. }), "{err:?}");
    let other = Some("203.0.113.10".parse().expect("an address"));
    let err = accounts.sign_in("guess-next", "password", other).await.expect_err("refused");
    assert!(matches!(err, AccountsError::BadCredentials), "other addresses are not slowed: {err:?}");
}

#[tokio::test]
async fn the_last_active_admin_stays_and_password_changes_end_other_sessions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = service(&dir).await;
    accounts.ensure_first_admin(Some(PASSWORD)).await.expect("ok");
    let admin = accounts.sign_in("admin", PASSWORD, None).await.expect("signs in");
    let other_browser = accounts.sign_in("admin", PASSWORD, None).await.expect("signs in");

    let demote = UserPatch { role: Some(Role::Developer), ..Default::default() };
    let err = accounts.update_user(&admin.principal, "admin", demote).await.expect_err("refused");
    assert!(matches!(err, AccountsError::Conflict(_)), "{err:?}");

    let change = UserPatch { password: Some("another long password".into()), ..Default::default() };
    accounts.update_user(&admin.principal, "admin", change).await.expect("changed");
    assert!(accounts.authenticate_session(&admin.secret).await.expect("ok").is_some(), "the changing session stays");
    assert!(accounts.authenticate_session(&other_browser.secret).await.expect("ok").is_none());
    let short = UserPatch { password: Some("short".into()), ..Default::default() };
    assert!(matches!(accounts.update_user(&admin.principal, "admin", short).await, Err(AccountsError::Invalid(_))));
    assert!(matches!(
        accounts.update_user(&admin.principal, "nobody", UserPatch::default()).await,
        Err(AccountsError::NotFound)
    ));
}

#[tokio::test]
async fn the_first_admin_is_created_once_with_a_generated_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = service(&dir).await;
    let first = accounts.ensure_first_admin(None).await.expect("ok").expect("created");
    assert!(first.generated);
    assert!(first.password.len() >= 20);
    accounts.sign_in("admin", &first.password, None).await.expect("the printed password works");
    assert!(accounts.ensure_first_admin(None).await.expect("ok").is_none());

    let page = accounts.list_users(&PageRequest { limit: Some(1), cursor: None }).await.expect("page");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.next_cursor, None);
    let bad = PageRequest { limit: None, cursor: Some("zz".into()) };
    assert!(matches!(accounts.list_users(&bad).await, Err(AccountsError::Invalid(_))));
}
