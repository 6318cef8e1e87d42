//! The version store's speed, measured through the real HTTP API beside the git command line.
//!
//! Run with `bench/store.sh` (or `cargo bench -p server --bench store`). It prints, in one run on
//! one machine:
//! 1. saves: 16 clients on 16 apps, each saving one file per request through `POST .../commits`
//!    over keep-alive HTTP — latency p50/p99 and throughput — beside the same commits made with
//!    git's plumbing (hash-object, update-index, write-tree, commit-tree, update-ref) by 16
//!    workers on 16 bare repositories;
//! 2. reads on an app with 10,000 commits: the first history page (`GET .../commits`) and a diff
//!    (`GET .../diff`) beside `git log -50`.
//!
//! Targets (issue 3): API save p50 ≤ 3 ms, ≥ 7× git's throughput; history page and diff ≤ 5 ms.
//! Environment: BENCH_SAVES (per client, default 200), BENCH_COMMITS (default 10000),
//! BENCH_ONLY_SAVES (set: stop after the API saves, e.g. to profile them).

mod common;

use common::{Client, field, ms, percentile, start_server};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const PASSWORD: &str = "benchmark admin password";

struct Run {
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Run {
    fn line(&mut self, what: &str) -> f64 {
        self.latencies.sort();
        let throughput = self.latencies.len() as f64 / self.elapsed.as_secs_f64();
        println!(
            "{what:<44} {:>7} saves  p50 {:>9}  p99 {:>9}  {:>8.0} saves/s",
            self.latencies.len(),
            ms(percentile(&self.latencies, 0.5)),
            ms(percentile(&self.latencies, 0.99)),
            throughput
        );
        throughput
    }
}

async fn api_saves(addr: &str, cookie: &str, clients: usize, per_client: usize) -> Run {
    let mut apps = Vec::new();
    let mut admin = Client::connect(addr, cookie).await;
    for _ in 0..clients {
        let name = format!("Bench App {}", uuid_like());
        let (status, body, _) =
            admin.send("POST", "/api/v1/apps", &format!(r#"{{"name":"{name}","template":"playbook-basic"}}"#)).await;
        assert_eq!(status, 201, "{body}");
        apps.push((field(&body, "slug"), field(&body, "head")));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (slug, head) in apps {
        let (addr, cookie) = (addr.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(&addr, &cookie).await;
            let mut base = head;
            let mut latencies = Vec::with_capacity(per_client);
            for n in 0..per_client {
                let body = format!(r#"{{"base":"{base}","message":"save {n}","changes":[{{"op":"put","path":"app.py","content":"print({n})\n"}}]}}"#);
                let began = Instant::now();
                let (status, answer, _) = client.send("POST", &format!("/api/v1/apps/{slug}/commits"), &body).await;
                latencies.push(began.elapsed());
                assert_eq!(status, 201, "{answer}");
                base = field(&answer, "revision");
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a client"));
    }
    Run { latencies, elapsed: started.elapsed() }
}

/// A unique suffix for app names (time-based; the bench runs alone).
fn uuid_like() -> String {
    format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()))
}

fn git(dir: &Path, args: &[&str], env: &[(&str, &Path)], input: Option<&[u8]>) -> String {
    let mut command = Command::new("git");
    command.args(args).current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.env("GIT_AUTHOR_NAME", "bench").env("GIT_AUTHOR_EMAIL", "bench@bench.invalid");
    command.env("GIT_COMMITTER_NAME", "bench").env("GIT_COMMITTER_EMAIL", "bench@bench.invalid");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("git starts");
    if let Some(input) = input {
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input).expect("written");
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("git ends");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn git_saves(root: &Path, per_worker: usize) -> Run {
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let repo = root.join(format!("git-{n}.git"));
            std::thread::spawn(move || {
                std::fs::create_dir_all(&repo).expect("dir");
                git(&repo, &["init", "--quiet", "--bare"], &[], None);
                let index = repo.join("bench-index");
                let env = [("GIT_INDEX_FILE", index.as_path())];
                let mut parent: Option<String> = None;
                let mut latencies = Vec::with_capacity(per_worker);
                for i in 0..per_worker {
                    let began = Instant::now();
                    let blob =
                        git(&repo, &["hash-object", "-w", "--stdin"], &[], Some(format!("print({i})\n").as_bytes()));
                    git(&repo, &["update-index", "--add", "--cacheinfo", &format!("100644,{blob},app.py")], &env, None);
                    let tree = git(&repo, &["write-tree"], &env, None);
                    let mut args = vec!["commit-tree".to_owned(), tree, "-m".into(), format!("save {i}")];
                    if let Some(parent) = &parent {
                        args.extend(["-p".into(), parent.clone()]);
                    }
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let commit = git(&repo, &args, &[], None);
                    git(&repo, &["update-ref", "refs/heads/main", &commit], &[], None);
                    parent = Some(commit);
                    latencies.push(began.elapsed());
                }
                latencies
            })
        })
        .collect();
    let latencies = workers.into_iter().flat_map(|w| w.join().expect("a worker")).collect();
    Run { latencies, elapsed: started.elapsed() }
}

/// Appends `count` commits to the app's branch with git fast-import (fast set-up only).
fn grow_history(repo: &Path, count: usize) {
    let mut stream = String::new();
    for n in 0..count {
        let message = format!("commit {n}");
        let content = format!("# version {n}\nprint('line a {}')\nprint('line b {n}')\n", n / 3);
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Bench <bench@bench.invalid> {} +0000\ndata {}\n{message}\n",
            1_700_000_000 + n,
            message.len()
        ));
        if n == 0 {
            stream.push_str("from refs/heads/main^0\n");
        }
        stream.push_str(&format!("M 100644 inline app.py\ndata {}\n{content}\n", content.len()));
    }
    git(repo, &["fast-import", "--quiet"], &[], Some(stream.as_bytes()));
}

async fn timed(client: &mut Client, path: &str, rounds: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let began = Instant::now();
        let (status, body, _) = client.send("GET", path, "").await;
        times.push(began.elapsed());
        assert_eq!(status, 200, "{body}");
    }
    times.sort();
    times
}

fn read_line(what: &str, times: &[Duration]) {
    println!(
        "{what:<44} {:>7} runs   p50 {:>9}  p99 {:>9}",
        times.len(),
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99))
    );
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let per_client = env_count("BENCH_SAVES", 200);
    let commits = env_count("BENCH_COMMITS", 10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let data: PathBuf = dir.path().join("data");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let (addr, cookie) = start_server(&data, PASSWORD, |_| {}).await;

        println!("AppBuilder version store benchmark: {CLIENTS} clients x {per_client} saves; history of {commits} commits; {} cores", std::thread::available_parallelism().map_or(0, |n| n.get()));
        println!();
        api_saves(&addr, &cookie, 1, per_client).await.line("API save (HTTP, 1 client: latency unloaded)");
        let mut api = api_saves(&addr, &cookie, CLIENTS, per_client).await;
        let api_throughput = api.line("API save (HTTP, 16 clients on 16 apps)");
        if std::env::var_os("BENCH_ONLY_SAVES").is_some() {
            return; // for profiling the save path alone
        }
        let root = dir.path().join("git-cli");
        let mut cli = tokio::task::spawn_blocking(move || git_saves(&root, per_client)).await.expect("git ran");
        let cli_throughput = cli.line("git plumbing (16 workers on 16 repos)");
        println!("{:<44} {:.1}x the git command line's throughput", "API vs git CLI", api_throughput / cli_throughput);
        println!();

        let mut client = Client::connect(&addr, &cookie).await;
        let (_, body, _) = client.send("POST", "/api/v1/apps", r#"{"name":"Long History","template":"playbook-basic"}"#).await;
        let slug = field(&body, "slug");
        let repo = std::fs::read_dir(data.join("repos"))
            .expect("repos")
            .flatten()
            .map(|e| e.path())
            .find(|p| git(p, &["log", "-1", "--format=%s"], &[], None).contains("Long History"))
            .expect("the app's repository");
        let began = Instant::now();
        grow_history(&repo, commits);
        println!("(set-up: {commits} commits appended with git fast-import in {})", ms(began.elapsed()));
        let head = git(&repo, &["rev-parse", "refs/heads/main"], &[], None);
        let parent = git(&repo, &["rev-parse", "refs/heads/main~1"], &[], None);
        let old = git(&repo, &["rev-parse", &format!("refs/heads/main~{}", commits / 2)], &[], None);
        read_line("API first history page (50 commits + stats)", &timed(&mut client, &format!("/api/v1/apps/{slug}/commits"), 100).await);
        read_line("API diff head~1..head", &timed(&mut client, &format!("/api/v1/apps/{slug}/diff?from={parent}&to={head}"), 100).await);
        read_line(&format!("API diff head~{}..head", commits / 2), &timed(&mut client, &format!("/api/v1/apps/{slug}/diff?from={old}&to={head}"), 100).await);
        let mut cli_log = Vec::new();
        for _ in 0..30 {
            let began = Instant::now();
            git(&repo, &["log", "-50"], &[], None);
            cli_log.push(began.elapsed());
        }
        cli_log.sort();
        read_line("git log -50 (command line)", &cli_log);
    });
}
