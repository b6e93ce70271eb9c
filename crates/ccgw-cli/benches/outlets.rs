//! `ccgw watch`'s outlets on an alert storm: 5,000 agents and 100 queues of busy traffic,
//! the rules longest-wait over 20, unattended and talking over 45, a round every 2 s.
//!
//! ```sh
//! cargo bench -p ccgw-cli --bench outlets
//! ```
//!
//! The direct webhook's receiver is down (503) for the first `CCGW_BENCH_OUTAGE_SECS`
//! (default 300) seconds and up for 60 more. Prints the alert lines, the posts per minute,
//! and the state changes lost: the alerts in force by the receiver's account (replaying
//! what it accepted) against watch's own lines; 0 means none was lost. Also the latency of
//! scrapes of `--metrics` during the run. Only loopback is used.

// A benchmark prints its figures for the person who ran it; stdio.rs is the programs'.
#![allow(clippy::disallowed_macros)]

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Receiver, Sim, watch_command};

/// One GET of `http://{address}/metrics`: its latency.
fn scrape(address: &str) -> Duration {
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "a scrape is answered");
    started.elapsed()
}

/// Applies an alert line (raised, cleared) to a set of (rule, subject) in force.
fn apply(state: &mut BTreeSet<(String, String)>, change: &Value) {
    let key = (
        change["rule"].as_str().unwrap_or_default().to_owned(),
        change["subject"].as_str().unwrap_or_default().to_owned(),
    );
    match change["alert"].as_str() {
        Some("raised") => {
            state.insert(key);
        }
        Some("cleared") => {
            state.remove(&key);
        }
        _ => {}
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let outage: u64 = std::env::var("CCGW_BENCH_OUTAGE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let rounds = (outage + 60) / 2;
    let sim = Sim::start_with(5_000, 100, &["--traffic", "busy", "--seed", "1"]);
    let dir = std::env::temp_dir().join(format!("ccgw-bench-outlets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.toml");
    std::fs::write(
        &rules,
        "[[alerts]]\nrule = \"longest-wait\"\nover = 20\n[[alerts]]\nrule = \"unattended\"\n\
         [[alerts]]\nrule = \"talking\"\nover = 45\n",
    )
    .unwrap();
    let hook = Receiver::start(outage);
    let started = Instant::now();
    let mut watch = watch_command(&sim, &rules)
        .args([
            "--every",
            "2",
            "--rounds",
            &rounds.to_string(),
            "--per-subject",
        ])
        .args(["--webhook", &hook.url, "--metrics", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ccgw watch starts");
    let stdout = watch.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    let mut stderr = BufReader::new(watch.stderr.take().unwrap()).lines();
    let address = stderr
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("metrics at http://")
                .map(|a| a.trim_end_matches("/metrics").to_owned())
        })
        .expect("watch tells where its metrics are");
    std::thread::spawn(move || for _ in stderr {});
    // Scrapes while the storm goes on, after the first rounds.
    std::thread::sleep(Duration::from_secs(6));
    let mut latencies: Vec<Duration> = (0..50)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            scrape(&address)
        })
        .collect();
    latencies.sort();
    assert!(watch.wait().unwrap().success(), "watch ends well");
    let took = started.elapsed();
    let lines: Vec<Value> = lines
        .join()
        .unwrap()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mut by_watch = BTreeSet::new();
    for line in &lines {
        apply(&mut by_watch, line);
    }
    let mut by_receiver = BTreeSet::new();
    let bodies = hook.bodies();
    for body in &bodies {
        let batch: Value = serde_json::from_slice(body).unwrap();
        if let Some(firing) = batch["firing"].as_array() {
            by_receiver = firing
                .iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap().to_owned(),
                        f["subject"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
        }
        for change in batch["changes"].as_array().into_iter().flatten() {
            apply(&mut by_receiver, change);
        }
    }
    let lost = by_watch.symmetric_difference(&by_receiver).count();
    let posts = bodies.len() as u64 + hook.refused();
    let minutes = took.as_secs_f64() / 60.0;
    println!(
        "storm: {} alert lines in {rounds} rounds ({:.0} s); webhook: {posts} posts, {:.1} per \
         minute ({} refused during a {outage} s outage); alerts in force at the end: {} by watch, \
         {} by the receiver; state changes lost: {lost}",
        lines.len(),
        took.as_secs_f64(),
        posts as f64 / minutes,
        hook.refused(),
        by_watch.len(),
        by_receiver.len()
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "scrape of --metrics during the storm: median {:.2} ms, p99 {:.2} ms ({} scrapes)",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100]),
        latencies.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
