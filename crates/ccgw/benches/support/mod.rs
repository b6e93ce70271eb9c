//! What both benchmarks share: a simulator on its own thread and runtime, raw sign-in,
//! percentiles and resident memory.
#![allow(dead_code)]

use std::time::Duration;

use ccgw_sim::{SimConfig, Simulator};
use serde_json::Value;

/// Starts a simulator on a thread of its own with a single-threaded runtime, so that on
/// a two-core machine the server and the client each have one core. Returns its base URL.
pub fn spawn_sim(config: SimConfig) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let sim = Simulator::start(config).await.expect("simulator starts");
            tx.send(sim.base_url()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().expect("simulator URL")
}

/// Signs `agent` in with plain reqwest and returns its Guid.
pub async fn raw_sign_in(http: &reqwest::Client, base: &str, agent: &str) -> String {
    let answer = http
        .put(format!("{base}/agentgateway/resource/onlineagent/{agent}"))
        .json(&serde_json::json!({"password": ccgw_sim::DEFAULT_PASSWORD, "phonenum": "1"}))
        .send()
        .await
        .expect("sign-in sent");
    let guid = answer.headers()["set-guid"].to_str().unwrap();
    guid.trim_start_matches("JSESSIONID=").to_owned()
}

/// Starts listening with plain reqwest, so that `switch` is valid afterwards.
pub async fn raw_listen(http: &reqwest::Client, base: &str, me: &str, agent: &str, guid: &str) {
    let url = format!("{base}/agentgateway/resource/qualitycontrol/{me}/addsupervise/{agent}");
    let answer: Value = http
        .put(url)
        .header("Guid", guid)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["retcode"], "0", "{answer}");
}

/// The hand-written call users write today: one POST, the JSON, the retcode check.
pub async fn raw_switch(http: &reqwest::Client, url: &str, guid: &str) {
    let answer: Value = http
        .post(url)
        .header("Guid", guid)
        .header("Content-Type", "application/json; charset=UTF-8")
        .send()
        .await
        .expect("switch sent")
        .json()
        .await
        .expect("JSON answer");
    assert_eq!(answer["retcode"], "0");
}

/// A hand-written client's current Guid, shared by its poller and its requests.
pub type RawGuid = std::sync::Arc<std::sync::Mutex<String>>;

/// Takes a Guid the gateway announced in `Set-GUID`, as a careful hand-written client does.
fn take_guid(guid: &RawGuid, headers: &reqwest::header::HeaderMap) {
    if let Some(fresh) = headers.get("set-guid").and_then(|v| v.to_str().ok()) {
        let fresh = fresh.trim_start_matches("JSESSIONID=");
        let mut current = guid.lock().unwrap();
        if current.as_str() != fresh {
            *current = fresh.to_owned();
        }
    }
}

/// The hand-written call with the newest Guid, taking any Guid the answer announces.
pub async fn raw_switch_current(http: &reqwest::Client, url: &str, guid: &RawGuid) {
    let current = guid.lock().unwrap().clone();
    let response = http
        .post(url)
        .header("Guid", current)
        .header("Content-Type", "application/json; charset=UTF-8")
        .send()
        .await
        .expect("switch sent");
    take_guid(guid, response.headers());
    let answer: Value = response.json().await.expect("JSON answer");
    assert_eq!(answer["retcode"], "0", "{answer}");
}

/// A hand-written event poller, as `ccgw` runs one per session: long polls, a pause of
/// 200 to 500 ms after each answer, the newest Guid taken from every answer.
pub async fn raw_poller(http: reqwest::Client, base: String, me: String, guid: RawGuid) {
    let url = format!("{base}/agentgateway/resource/agentevent/{me}");
    loop {
        let current = guid.lock().unwrap().clone();
        if let Ok(response) = http.get(&url).header("Guid", current).send().await {
            take_guid(&guid, response.headers());
            let _ = response.bytes().await;
        }
        tokio::time::sleep(Duration::from_millis(rand::random_range(200..=500))).await;
    }
}

/// The `p`-th percentile (0..=100) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A field of /proc/self/status in KiB, such as `VmRSS` or `VmHWM`.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Latency samples with a bounded memory: the count of every request, and at most
/// `CAP` of their latencies (the most recent), so that a long run measures the client's
/// memory rather than the benchmark's own bookkeeping.
#[derive(Default)]
pub struct Samples {
    pub count: u64,
    pub kept: Vec<Duration>,
}

impl Samples {
    const CAP: usize = 4096;

    pub fn push(&mut self, latency: Duration) {
        if self.kept.len() < Self::CAP {
            self.kept.push(latency);
        } else {
            self.kept[(self.count as usize) % Self::CAP] = latency;
        }
        self.count += 1;
    }

    pub fn merge(&mut self, other: Samples) {
        self.count += other.count;
        self.kept.extend(other.kept);
    }

    /// Requests per second over `elapsed` seconds, and the 50th and 99th percentiles.
    pub fn summary(mut self, elapsed: f64) -> (f64, Duration, Duration) {
        self.kept.sort();
        (
            self.count as f64 / elapsed,
            percentile(&self.kept, 50.0),
            percentile(&self.kept, 99.0),
        )
    }
}
