//! Helpers for tests that run the real `appbuilder` binary: start it on a free port, and speak
//! just enough HTTP/1.1 to it that these tests depend on nothing but the binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_appbuilder");

/// A running server; killed when dropped, so a failing test leaves no process behind.
pub struct Running {
    pub child: Child,
    pub addr: String,
    /// The rest of the server's log, after the "listening" line (until taken or discarded).
    pub log: Option<BufReader<ChildStderr>>,
    /// The log lines before the "listening" line.
    pub startup_log: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Reads and drops the rest of the log in the background, so a chatty server never blocks
    /// on a full pipe.
    pub fn discard_log(&mut self) {
        if let Some(mut log) = self.log.take() {
            std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
        }
    }
}

/// Starts `appbuilder serve` on a free port over `data`, with extra environment variables.
pub fn serve(data: &Path, env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--site-root", data.to_str().expect("utf-8 path")])
        .env("APPBUILDER_DATA", data)
        .env("APPBUILDER_LOG", "info")
        .env_remove("APPBUILDER_ADMIN_PASSWORD")
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("appbuilder serve starts");
    let mut log = BufReader::new(child.stderr.take().expect("stderr"));
    // From here the guard owns the process: a panic below kills and reaps it.
    let mut running = Running { child, addr: String::new(), log: None, startup_log: Vec::new() };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "no 'listening' line in {:?}", running.startup_log);
        let mut line = String::new();
        assert!(
            log.read_line(&mut line).expect("a log line") > 0,
            "the server exited early: {:?}",
            running.startup_log
        );
        if let Some(rest) = line.split("listening on http://").nth(1) {
            running.addr = rest.trim().to_owned();
            running.log = Some(log);
            return running;
        }
        running.startup_log.push(line);
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
