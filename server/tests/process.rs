//! The `appbuilder` binary as an operator runs it: `user add`, `serve`, and SIGTERM.

mod running;

use running::{BIN, exchange};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

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

    let mut server = running::serve(dir.path(), &[]);
    assert!(
        !server.startup_log.iter().any(|l| l.contains("generated password")),
        "users exist already, so no admin is generated: {:?}",
        server.startup_log
    );
    let health = exchange(&server.addr, "GET", "/healthz", None, None).expect("an answer");
    assert_eq!(health.status, 200, "{}", health.body);
    let body = r#"{"username":"bob","password":"bob's long password"}"#;
    let sign_in = exchange(&server.addr, "POST", "/api/v1/session", None, Some(body)).expect("an answer");
    assert_eq!(sign_in.status, 200, "the CLI's user signs in: {}", sign_in.body);

    let (status, rest) = server.terminate(Duration::from_secs(60));
    assert!(status.success(), "exit status {status:?}; log: {rest}");
    assert!(rest.contains("shutting down") && rest.contains("AppBuilder stopped"), "{rest}");
}
