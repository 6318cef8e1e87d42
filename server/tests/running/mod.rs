//! Helpers for tests that run the real `appbuilder` binary: start it on a free port, and speak
//! just enough HTTP/1.1 to it that these tests depend on nothing but the binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_appbuilder");

/// A running server; killed when dropped, so a failing test leaves no process behind.
pub struct Running {
    pub child: Child,
    pub addr: String,
    /// The log lines before the "listening" line.
    pub startup_log: Vec<String>,
    /// The log's lines, read on a thread of their own: a chatty server never blocks on a full
    /// pipe, and a test waits for a line no longer than it chooses.
    log: Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Sends SIGTERM and waits at most `within` for the server to exit; its exit status and its
    /// log after the "listening" line. Panics with that log when the server is still running.
    pub fn terminate(&mut self, within: Duration) -> (ExitStatus, String) {
        let term = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(term.success());
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the server's status") {
                break status;
            }
            if Instant::now() >= deadline {
                let log: Vec<String> = self.log.try_iter().collect();
                panic!("still running {within:?} after SIGTERM: {}", log.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The rest of the log: what the reader has, and what is still in the pipe (a moment).
        let mut log = String::new();
        while let Ok(line) = self.log.recv_timeout(Duration::from_millis(500)) {
            log.extend([line.as_str(), "\n"]);
        }
        (status, log)
    }
}

/// Starts `appbuilder serve` on a free port over `data`, with extra environment variables (and
/// none of the `APPBUILDER_*` ones the test's own environment may have).
pub fn serve(data: &Path, env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(BIN);
    command.args(["serve", "--addr", "127.0.0.1:0", "--site-root", data.to_str().expect("utf-8 path")]);
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|key| key.starts_with("APPBUILDER_")) {
            command.env_remove(key);
        }
    }
    command.env("APPBUILDER_DATA", data).env("APPBUILDER_LOG", "info").stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("appbuilder serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (lines, log) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Read to the end even when nobody listens any more.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    // From here the guard owns the process: a panic below kills and reaps it.
    let mut running = Running { child, addr: String::new(), startup_log: Vec::new(), log };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match running.log.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => match line.split("listening on http://").nth(1) {
                Some(rest) => {
                    running.addr = rest.trim().to_owned();
                    return running;
                }
                None => running.startup_log.push(line),
            },
            Err(RecvTimeoutError::Timeout) => panic!("no 'listening' line within 30 s: {:?}", running.startup_log),
            Err(RecvTimeoutError::Disconnected) => panic!("the server exited early: {:?}", running.startup_log),
        }
    }
}

/// An HTTP answer: status, header lines, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<String>,
    pub body: String,
}

impl Answer {
    /// `name=value` of the cookie this answer sets.
    pub fn cookie(&self) -> Option<String> {
        self.headers
            .iter()
            .find_map(|h| h.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie")))
            .map(|(_, value)| value.trim().split(';').next().unwrap_or("").to_owned())
    }

    /// A string field of the JSON body.
    pub fn field(&self, name: &str) -> String {
        let value: serde_json::Value =
            serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body));
        value[name].as_str().unwrap_or_else(|| panic!("no {name} in {}", self.body)).to_owned()
    }
}

/// One request on a new connection; `None` when the server is gone.
pub fn exchange(addr: &str, method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> Option<Answer> {
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
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.get(9..12)?.parse().ok()?;
    Some(Answer { status, headers: lines.map(str::to_owned).collect(), body: body.to_owned() })
}
