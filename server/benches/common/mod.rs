//! What the benchmarks share: a minimal keep-alive HTTP/1.1 client, signing in, percentiles.

#![allow(dead_code)]

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A keep-alive HTTP/1.1 client: just enough for JSON requests with Content-Length answers.
pub struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    cookie: String,
}

impl Client {
    pub async fn connect(addr: &str, cookie: &str) -> Self {
        let stream = TcpStream::connect(addr).await.expect("the server accepts");
        stream.set_nodelay(true).expect("nodelay");
        let (read, write) = stream.into_split();
        Self { reader: BufReader::new(read), writer: write, cookie: cookie.to_owned() }
    }

    pub async fn send(&mut self, method: &str, path: &str, body: &str) -> (u16, String, Vec<String>) {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nCookie: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.cookie,
            body.len()
        );
        self.writer.write_all(request.as_bytes()).await.expect("sent");
        let mut line = String::new();
        self.reader.read_line(&mut line).await.expect("a status line");
        let status: u16 = line.get(9..12).and_then(|s| s.parse().ok()).expect("a status");
        let mut length = 0usize;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).await.expect("a header");
            let header = line.trim_end().to_owned();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().expect("a length");
            }
            headers.push(header);
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.expect("a body");
        (status, String::from_utf8_lossy(&body).into_owned(), headers)
    }
}

pub fn field(body: &str, name: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    value[name].as_str().unwrap_or_else(|| panic!("no {name} in {body}")).to_owned()
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Signs in as `admin` and returns the session cookie (`name=value`).
pub async fn sign_in(addr: &str, password: &str) -> String {
    let mut anonymous = Client::connect(addr, "none=1").await;
    let (status, _, headers) =
        anonymous.send("POST", "/api/v1/session", &format!(r#"{{"username":"admin","password":"{password}"}}"#)).await;
    assert_eq!(status, 200);
    headers
        .iter()
        .find_map(|h| {
            h.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| h["set-cookie:".len()..].trim().split(';').next().unwrap_or("").to_owned())
        })
        .expect("a session cookie")
}

/// Starts a real AppBuilder over `data` on a free loopback port (`tweak` adjusts the settings),
/// signs in as the admin, and returns the address and the session cookie.
pub async fn start_server(
    data: &std::path::Path,
    password: &str,
    tweak: impl FnOnce(&mut server::config::ServeArgs),
) -> (String, String) {
    use clap::Parser;
    let data_dir = data.to_str().expect("utf-8");
    let global = server::config::Cli::parse_from(["appbuilder", "--data-dir", data_dir, "--log", "warn"]).global;
    let mut serve = server::config::ServeArgs::parse_from(["serve", "--site-root", data_dir]);
    serve.admin_password = Some(password.into());
    serve.ruff = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/build-tools/bin/ruff");
    tweak(&mut serve);
    let state = server::startup::prepare(&global, &serve, accounts::ThrottlePolicy::default()).await.expect("prepared");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address").to_string();
    tokio::spawn(async move { axum::serve(listener, server::http::router(state)).await });
    let cookie = sign_in(&addr, password).await;
    (addr, cookie)
}
