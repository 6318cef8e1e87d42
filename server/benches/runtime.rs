//! The embedded runtime's speed, through the real HTTP API, in one run on one machine.
//!
//! Run with `bench/runtime.sh` (or `cargo bench -p server --bench runtime`). It prints:
//! 1. on-demand runs of the playbook-basic template ("hello"): the Python process alone on the
//!    host (no sandbox), the sandboxed process as the runtime times it, the API round trip of
//!    `POST .../runs` with `wait`, and the server's overhead beyond the sandboxed process
//!    (round trip minus process time), p50/p90;
//! 2. webhook deliveries: 32 keep-alive clients posting to one hook for a fixed count, the
//!    accepted deliveries per second (each stored durably before its 202), and the number stored
//!    beside the number acknowledged.
//!
//! Targets (issue 7): overhead ≤ 30 ms p50; ≥ 2,000 deliveries/s, stored = acknowledged.
//! Environment: BENCH_RUNS (default 30), BENCH_DELIVERIES (default 20000).

mod common;

use common::{Client, field, ms, percentile, start_server};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark admin password";
const CLIENTS: usize = 32;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn line(what: &str, times: &mut [Duration]) -> Duration {
    times.sort();
    let p50 = percentile(times, 0.5);
    println!("{what:<58} p50 {:>10}  p90 {:>10}  (n={})", ms(p50), ms(percentile(times, 0.9)), times.len());
    p50
}

async fn json(client: &mut Client, method: &str, path: &str, body: &str) -> Value {
    let (status, text, _) = client.send(method, path, body).await;
    assert!(status < 300, "{method} {path}: {status} {text}");
    serde_json::from_str(&text).expect("JSON")
}

/// The Python process alone: the installed app run by the host interpreter, without sandbox.
fn bare_runs(installed: &Path, rounds: usize) -> Vec<Duration> {
    let scratch = tempfile::tempdir().expect("temp dir");
    std::fs::write(scratch.path().join("app_inputs.json"), r#"{"text": "hello", "upper_case": true}"#).expect("inputs");
    let python =
        build::toolbox::Toolbox::discover(None).python_for(Some("3.11")).expect("python").python.executable.clone();
    (0..rounds)
        .map(|_| {
            let began = Instant::now();
            let status = std::process::Command::new(&python)
                .args(["-s", "-B"])
                .arg(installed.join("run.py"))
                .current_dir(scratch.path())
                .env_clear()
                .env("PYTHONPATH", installed)
                .env("TC_APP_PARAM_FILE", scratch.path().join("app_inputs.json"))
                .env("TC_OUT_PATH", scratch.path().join("out"))
                .stdout(std::process::Stdio::null())
                .status()
                .expect("python runs");
            assert!(status.success());
            began.elapsed()
        })
        .collect()
}

fn main() {
    let rounds = env_count("BENCH_RUNS", 30);
    let deliveries = env_count("BENCH_DELIVERIES", 20_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let data: PathBuf = dir.path().join("data");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let (addr, cookie) = start_server(&data, PASSWORD, |serve| serve.run_queue = 100_000).await;
        let mut client = Client::connect(&addr, &cookie).await;

        let (_, body, _) = client.send("POST", "/api/v1/apps", r#"{"name":"Hello","template":"playbook-basic"}"#).await;
        let slug = field(&body, "slug");
        let build = json(&mut client, "POST", &format!("/api/v1/apps/{slug}/builds"), "").await["id"].as_i64().expect("id");
        let package = loop {
            let b = json(&mut client, "GET", &format!("/api/v1/builds/{build}"), "").await;
            match b["status"].as_str() {
                Some("succeeded") => break b["package"]["sha256"].as_str().expect("sha").to_owned(),
                Some("failed" | "cancelled") => panic!("the build failed: {b}"),
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        json(&mut client, "POST", "/api/v1/deployments", &format!(r#"{{"build":{build},"target":"local"}}"#)).await;
        println!(
            "AppBuilder runtime benchmark: {rounds} on-demand runs of the hello template; {deliveries} webhook deliveries from {CLIENTS} clients; {} cores",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        println!();

        let installed = data.join("runtime").join("apps").join(&package);
        let mut bare = tokio::task::spawn_blocking(move || bare_runs(&installed, rounds)).await.expect("bare runs");
        let bare_p50 = line("Python process alone (host, no sandbox)", &mut bare);
        let run_body = r#"{"inputs": {"text": "hello", "upper_case": true}, "wait": true}"#;
        json(&mut client, "POST", &format!("/api/v1/apps/{slug}/runs"), run_body).await; // warm-up
        let (mut process, mut total, mut overhead) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let began = Instant::now();
            let run = json(&mut client, "POST", &format!("/api/v1/apps/{slug}/runs"), run_body).await;
            let round_trip = began.elapsed();
            assert_eq!(run["status"], "succeeded", "{run}");
            let own = Duration::from_millis(run["duration_ms"].as_u64().expect("a duration"));
            process.push(own);
            total.push(round_trip);
            overhead.push(round_trip.saturating_sub(own));
        }
        let sandboxed_p50 = line("sandboxed process (bubblewrap + Python), as timed by the runtime", &mut process);
        line("API round trip: POST .../runs {wait: true}", &mut total);
        let overhead_p50 = line("server overhead beyond the sandboxed process", &mut overhead);
        println!(
            "{:<58} {}   (target: overhead <= 30 ms p50: {})",
            "the sandbox's own cost (sandboxed - bare, p50)",
            ms(sandboxed_p50.saturating_sub(bare_p50)),
            if overhead_p50 <= Duration::from_millis(30) { "met" } else { "NOT met" }
        );
        println!();

        let hook_body = r#"{"inputs": {"text": "from a webhook"}, "rate_per_minute": 600000}"#;
        let hook = json(&mut client, "POST", &format!("/api/v1/apps/{slug}/webhooks"), hook_body).await;
        let path = format!("/hooks/{}", hook["token"].as_str().expect("token"));
        let id = hook["id"].as_i64().expect("id");
        let alert = r#"{"title": "bench alert", "severity": "high"}"#;
        let per_client = deliveries / CLIENTS;
        let began = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..CLIENTS {
            let (addr, path) = (addr.clone(), path.clone());
            workers.push(tokio::spawn(async move {
                let mut client = Client::connect(&addr, "none=1").await;
                let mut accepted = 0usize;
                for _ in 0..per_client {
                    let (status, _, _) = client.send("POST", &path, alert).await;
                    if status == 202 {
                        accepted += 1;
                    }
                }
                accepted
            }));
        }
        let mut accepted = 0;
        for worker in workers {
            accepted += worker.await.expect("a client");
        }
        let elapsed = began.elapsed();
        let stored = json(&mut client, "GET", &format!("/api/v1/webhooks/{id}/deliveries?limit=1"), "").await["total"].as_u64().expect("total");
        let rate = accepted as f64 / elapsed.as_secs_f64();
        println!(
            "{:<58} {accepted} acknowledged in {}: {rate:.0} deliveries/s   (target: >= 2000/s: {})",
            "webhook deliveries accepted (stored before the 202)",
            ms(elapsed),
            if rate >= 2000.0 { "met" } else { "NOT met" }
        );
        println!(
            "{:<58} {stored} stored, {accepted} acknowledged: {}",
            "durability",
            if stored == accepted as u64 { "equal" } else { "DIFFERENT" }
        );
    });
}
