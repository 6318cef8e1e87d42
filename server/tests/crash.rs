//! Durability: the server killed with SIGKILL in the middle of a stream of saves restarts with
//! every acknowledged save in history, and `git fsck` finds the repository clean.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_appbuilder");
const PASSWORD: &str = "crash test admin password";

/// One HTTP/1.1 exchange; returns (status, body). `None` when the server is gone.
fn exchange(addr: &str, method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let body = body.unwrap_or("");
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\n{cookie}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.get(9..12)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    let cookie_line = answer.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"));
    Some((status, cookie_line.map_or(body.clone(), |line| format!("{body}\n{line}"))))
}

/// A server process that is killed when dropped, so a failing test leaves no process behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data: &Path) -> (Server, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--site-root", data.to_str().expect("utf-8")])
        .env("APPBUILDER_DATA", data)
        .env("APPBUILDER_ADMIN_PASSWORD", PASSWORD)
        .env("APPBUILDER_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut log = BufReader::new(child.stderr.take().expect("stderr"));
    let child = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "the server did not start");
        let mut line = String::new();
        assert!(log.read_line(&mut line).expect("a log line") > 0, "the server exited early");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.trim().to_owned();
            std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
            return (child, addr);
        }
    }
}

fn json_field(body: &str, field: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body.lines().next().unwrap_or("")).expect("a JSON body");
    value[field].as_str().unwrap_or_else(|| panic!("no {field} in {body}")).to_owned()
}

#[test]
fn sigkill_during_saves_loses_no_acknowledged_save_and_leaves_git_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut server, addr) = start(dir.path());
    let signed_in = exchange(
        &addr,
        "POST",
        "/api/v1/session",
        None,
        Some(&format!(r#"{{"username":"admin","password":"{PASSWORD}"}}"#)),
    )
    .expect("an answer");
    let cookie = signed_in
        .1
        .lines()
        .last()
        .and_then(|l| l.split_once(": "))
        .map(|(_, v)| v.split(';').next().unwrap_or("").to_owned())
        .expect("a cookie");
    let created = exchange(
        &addr,
        "POST",
        "/api/v1/apps",
        Some(&cookie),
        Some(r#"{"name":"Crash Test","template":"playbook-basic"}"#),
    )
    .expect("created");
    assert_eq!(created.0, 201, "{}", created.1);
    let mut base = json_field(&created.1, "head");

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
                    Some((201, answer)) => {
                        base = json_field(&answer, "revision");
                        acknowledged.lock().expect("lock").push(base.clone());
                    }
                    Some((status, answer)) => panic!("save {n} failed with {status}: {answer}"),
                    None => break, // the server is gone
                }
            }
        })
    };
    // Let some saves land, then kill the server in the middle of the stream.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().expect("lock").len() < 150 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.0.kill().expect("SIGKILL");
    server.0.wait().expect("the server is gone");
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("the writer ends");
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 150, "only {} saves were acknowledged", acknowledged.len());

    let (server, addr) = start(dir.path());
    let mut history = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/apps/crash-test/commits?limit=500{cursor}");
        let (status, body) = exchange(&addr, "GET", &path, Some(&cookie), None).expect("history");
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).expect("JSON");
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
        exchange(&addr, "POST", "/api/v1/apps/crash-test/commits", Some(&cookie), Some(&body)).expect("saved").0,
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
