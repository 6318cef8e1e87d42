//! The `appbuilder` binary as an operator runs it: `user add`, `serve`, and SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_appbuilder");

/// A minimal HTTP/1.1 exchange, so this test depends on nothing but the binary.
fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("the server accepts connections");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
    stream.write_all(request.as_bytes()).expect("the request is sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    answer
}

#[test]
fn user_add_then_serve_then_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");

    let mut add = Command::new(BIN)
        .args(["--data-dir", data, "user", "add", "Bob", "--role", "reviewer", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("appbuilder starts");
    add.stdin.take().expect("stdin").write_all(b"bob's long password\n").expect("password sent");
    let added = add.wait_with_output().expect("appbuilder ends");
    assert!(added.status.success());
    assert!(String::from_utf8_lossy(&added.stdout).contains("added user bob with role reviewer"));

    let mut server = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--site-root", data])
        .env("APPBUILDER_DATA", data)
        .env("APPBUILDER_LOG", "info")
        .env_remove("APPBUILDER_ADMIN_PASSWORD")
        .stderr(Stdio::piped())
        .spawn()
        .expect("appbuilder serve starts");
    let mut log = BufReader::new(server.stderr.take().expect("stderr"));
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = loop {
        assert!(Instant::now() < deadline, "no 'listening' line in {lines:?}");
        let mut line = String::new();
        if log.read_line(&mut line).expect("a log line") == 0 {
            panic!("the server exited early: {lines:?}");
        }
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_owned();
        }
        lines.push(line);
    };
    assert!(
        !lines.iter().any(|l| l.contains("generated password")),
        "users exist already, so no admin is generated: {lines:?}"
    );

    let health = http(&addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let body = r#"{"username":"bob","password":"bob's long password"}"#;
    let sign_in = http(
        &addr,
        &format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(sign_in.starts_with("HTTP/1.1 200"), "the CLI's user signs in: {sign_in}");

    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let mut rest = String::new();
    log.read_to_string(&mut rest).expect("the rest of the log");
    let status = server.wait().expect("the server exits");
    assert!(status.success(), "exit status {status:?}; log: {rest}");
    assert!(rest.contains("shutting down") && rest.contains("AppBuilder stopped"), "{rest}");
}
