//! Durability: the server killed with SIGKILL in the middle of a stream of saves restarts with
//! every acknowledged save in history, and `git fsck` finds the repository clean.

mod running;

use running::exchange;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "crash test admin password";

fn start(data: &Path) -> running::Running {
    running::serve(data, &[("APPBUILDER_ADMIN_PASSWORD", PASSWORD)])
}

#[test]
fn sigkill_during_saves_loses_no_acknowledged_save_and_leaves_git_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(dir.path());
    let addr = server.addr.clone();
    let signed_in = exchange(
        &addr,
        "POST",
        "/api/v1/session",
        None,
        Some(&format!(r#"{{"username":"admin","password":"{PASSWORD}"}}"#)),
    )
    .expect("an answer");
    let cookie = signed_in.cookie().expect("a session cookie");
    let created = exchange(
        &addr,
        "POST",
        "/api/v1/apps",
        Some(&cookie),
        Some(r#"{"name":"Crash Test","template":"playbook-basic"}"#),
    )
    .expect("created");
    assert_eq!(created.status, 201, "{}", created.body);
    let mut base = created.field("head");

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop, addr, cookie) = (acknowledged.clone(), stop.clone(), addr.clone(), cookie.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = format!(
                    r#"{{"base":"{base}","message":"save {n}","changes":[{{"op":"put","path":"notes/{n}.txt","content":"save {n}\n"}},{{"op":"put","path":"app.py","content":"print({n})\n"}}]}}"#
                );
                match exchange(&addr, "POST", "/api/v1/apps/crash-test/commits", Some(&cookie), Some(&body)) {
                    Some(answer) if answer.status == 201 => {
                        base = answer.field("revision");
                        acknowledged.lock().expect("lock").push(base.clone());
                    }
                    Some(answer) => panic!("save {n} failed with {}: {}", answer.status, answer.body),
                    None => break, // the server is gone
                }
            }
        })
    };
    // Let some saves land, then kill the server in the middle of the stream (a slow machine may
    // land fewer: the test is about durability, not speed).
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().expect("lock").len() < 150 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("the server is gone");
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("the writer ends");
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 20, "only {} saves were acknowledged", acknowledged.len());

    let server = start(dir.path());
    let addr = server.addr.clone();
    let mut history = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/apps/crash-test/commits?limit=500{cursor}");
        let answer = exchange(&addr, "GET", &path, Some(&cookie), None).expect("history");
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
        history.extend(
            page["items"].as_array().expect("items").iter().map(|c| c["revision"].as_str().expect("rev").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    for revision in &acknowledged {
        assert!(history.contains(revision), "acknowledged save {revision} is missing after the restart");
    }
    // The next save works on top of whatever the head is now.
    let head = history.first().expect("a head").clone();
    let body = format!(r#"{{"base":"{head}","changes":[{{"op":"put","path":"after.txt","content":"ok"}}]}}"#);
    assert_eq!(
        exchange(&addr, "POST", "/api/v1/apps/crash-test/commits", Some(&cookie), Some(&body)).expect("saved").status,
        201
    );
    drop(server);

    let repos: Vec<_> = std::fs::read_dir(dir.path().join("repos")).expect("repos").flatten().collect();
    assert_eq!(repos.len(), 1);
    let fsck = Command::new("git")
        .args(["fsck", "--strict", "--no-dangling"])
        .current_dir(repos[0].path())
        .output()
        .expect("git runs");
    assert!(
        fsck.status.success(),
        "git fsck: {}{}",
        String::from_utf8_lossy(&fsck.stdout),
        String::from_utf8_lossy(&fsck.stderr)
    );
}
