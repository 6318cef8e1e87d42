//! The SQLite app rows against a real database file.

use domain::app::{AppSlug, Revision};
use domain::ports::{AccountStore, AppChange, AppFacts, AppStore, NewApp, StoreError};
use domain::{Role, Username};
use store::SqliteStore;

async fn open(dir: &tempfile::TempDir) -> (SqliteStore, i64) {
    let url = format!("sqlite://{}", dir.path().join("apps.db").display());
    let store = SqliteStore::open(&url).await.expect("opens");
    let user = store.create_user(&Username::parse("dev").expect("name"), "h", Role::Developer).await.expect("user");
    (store, user.id)
}

fn slug(s: &str) -> AppSlug {
    AppSlug::parse(s).expect("slug")
}

fn rev(digit: char) -> Revision {
    Revision::parse(&digit.to_string().repeat(40)).expect("a revision")
}

async fn add(store: &SqliteStore, user: i64, s: &str, name: &str) -> i64 {
    let slug = slug(s);
    let app = NewApp {
        slug: &slug,
        repo_key: &format!("key-{s}"),
        display_name: name,
        runtime_level: "Playbook",
        template: Some("playbook-basic"),
        created_by: user,
        size_bytes: 100,
        head_revision: &rev('a'),
    };
    store.create_app(&app).await.expect("created").id
}

#[tokio::test]
async fn apps_are_listed_by_slug_searched_and_archived() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, user) = open(&dir).await;
    add(&store, user, "whois-lookup", "WHOIS Lookup").await;
    let vt = add(&store, user, "virustotal", "VirusTotal 100% Enrichment").await;
    add(&store, user, "alert-parser", "Alert Parser").await;

    let all = store.list_apps(None, None, 10).await.expect("list");
    assert_eq!(all.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(), ["alert-parser", "virustotal", "whois-lookup"]);
    assert_eq!(all[0].created_by, "dev");
    let page2 = store.list_apps(None, Some("alert-parser"), 1).await.expect("page");
    assert_eq!(page2[0].slug.as_str(), "virustotal");
    let found = store.list_apps(Some("TOTAL"), None, 10).await.expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(store.list_apps(Some("%"), None, 10).await.expect("search").len(), 1, "% is literal");

    store
        .record_saves(&[
            (
                vt,
                AppChange {
                    display_name: Some("Virus".into()),
                    runtime_level: None,
                    size_delta: -30,
                    revision: rev('b'),
                    parent: rev('a'),
                },
            ),
            (
                vt,
                AppChange {
                    display_name: Some("VT".into()),
                    runtime_level: None,
                    size_delta: -10,
                    revision: rev('c'),
                    parent: rev('b'),
                },
            ),
        ])
        .await
        .expect("saved");
    let vt_row = store.find_app(&slug("virustotal")).await.expect("query").expect("found");
    assert_eq!(
        (vt_row.display_name.as_str(), vt_row.size_bytes, vt_row.runtime_level.as_str()),
        ("VT", 60, "Playbook")
    );
    assert_eq!(vt_row.head_revision, Some(rev('c')), "the last save's commit is the row's head");
    let facts = AppFacts {
        display_name: None,
        runtime_level: Some("Organization".into()),
        size_bytes: 75,
        updated_at: time::OffsetDateTime::UNIX_EPOCH,
        revision: rev('d'),
    };
    store.set_app_facts(vt, &facts).await.expect("repaired");
    let repaired = store.find_app(&slug("virustotal")).await.expect("query").expect("found");
    assert_eq!(
        (repaired.display_name.as_str(), repaired.size_bytes, repaired.runtime_level.as_str()),
        ("VT", 75, "Organization")
    );
    assert_eq!(repaired.updated_at, vt_row.updated_at, "an older head time never moves updated_at back");
    assert_eq!(repaired.head_revision, Some(rev('d')), "set from git");
    // A save on top of a head the row never recorded (a change lost before it): the row's head
    // becomes unknown, and stays so, until start-up sets it from git.
    let after_gap =
        AppChange { display_name: None, runtime_level: None, size_delta: 0, revision: rev('e'), parent: rev('9') };
    let next =
        AppChange { display_name: None, runtime_level: None, size_delta: 0, revision: rev('f'), parent: rev('e') };
    store.record_saves(&[(vt, after_gap), (vt, next)]).await.expect("saved");
    let gapped = store.find_app(&slug("virustotal")).await.expect("query").expect("found");
    assert_eq!(gapped.head_revision, None);

    store.archive_app(vt).await.expect("archived");
    assert!(store.find_app(&slug("virustotal")).await.expect("query").is_none());
    assert_eq!(store.list_apps(None, None, 10).await.expect("list").len(), 2);
    assert!(store.slug_taken(&slug("virustotal")).await.expect("query"), "archived slugs stay taken");
    let again = NewApp {
        slug: &slug("virustotal"),
        repo_key: "other",
        display_name: "x",
        runtime_level: "Playbook",
        template: None,
        created_by: user,
        size_bytes: 0,
        head_revision: &rev('e'),
    };
    assert!(matches!(store.create_app(&again).await, Err(StoreError::Conflict(_))));
}
