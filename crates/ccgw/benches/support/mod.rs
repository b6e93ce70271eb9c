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

/// The plain reqwest client the benchmarks compare with: reqwest's defaults, but never
/// a proxy from the environment (every request goes to the simulator on loopback, as
/// `ccgw`'s own plain-HTTP requests do).
pub fn loopback_http() -> reqwest::Client {
    ccgw::install_tls_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a plain HTTP client builds")
}

/// Signs `agent` in with plain reqwest and returns its Guid.
pub async fn raw_sign_in(http: &reqwest::Client, base: &str, agent: &str) -> String {
    raw_sign_in_keeping(http, base, agent).await.guid
}

/// Signs `agent` in with plain reqwest and keeps what a careful client keeps: the Guid
/// and the load balancer's cookie.
pub async fn raw_sign_in_keeping(http: &reqwest::Client, base: &str, agent: &str) -> RawAuth {
    let answer = http
        .put(format!("{base}/agentgateway/resource/onlineagent/{agent}"))
        .json(&serde_json::json!({"password": ccgw_sim::DEFAULT_PASSWORD, "phonenum": "1"}))
        .send()
        .await
        .expect("sign-in sent");
    let mut auth = RawAuth::default();
    auth.take(answer.headers());
    auth
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

/// What a careful hand-written client keeps from the gateway's answers and sends back:
/// the newest Guid, and the load balancer's cookie (the gateway's guide says a client
/// must keep cookies, so both sides pay for it).
#[derive(Default)]
pub struct RawAuth {
    pub guid: String,
    pub cookie: Option<String>,
}

impl RawAuth {
    /// Takes a Guid announced in `Set-GUID` and a cookie set in `Set-Cookie`.
    fn take(&mut self, headers: &reqwest::header::HeaderMap) {
        if let Some(fresh) = headers.get("set-guid").and_then(|v| v.to_str().ok()) {
            let fresh = fresh.trim_start_matches("JSESSIONID=");
            if self.guid != fresh {
                self.guid = fresh.to_owned();
            }
        }
        if let Some(cookie) = headers.get("set-cookie").and_then(|v| v.to_str().ok()) {
            let pair = cookie.split(';').next().unwrap_or_default().trim();
            self.cookie = Some(pair.to_owned());
        }
    }
}

/// One hand-written client's [`RawAuth`], shared by its poller and its requests.
pub type SharedRawAuth = std::sync::Arc<std::sync::Mutex<RawAuth>>;

/// A request with the newest Guid and the cookie, as a careful hand-written client sends.
fn with_auth(request: reqwest::RequestBuilder, auth: &SharedRawAuth) -> reqwest::RequestBuilder {
    let (guid, cookie) = {
        let auth = auth.lock().unwrap();
        (auth.guid.clone(), auth.cookie.clone())
    };
    let request = request.header("Guid", guid);
    match cookie {
        Some(cookie) => request.header("Cookie", cookie),
        None => request,
    }
}

/// The hand-written call with the newest Guid and the cookie, taking what the answer announces.
pub async fn raw_switch_current(http: &reqwest::Client, url: &str, auth: &SharedRawAuth) {
    let response = with_auth(http.post(url), auth)
        .header("Content-Type", "application/json; charset=UTF-8")
        .send()
        .await
        .expect("switch sent");
    auth.lock().unwrap().take(response.headers());
    let answer: Value = response.json().await.expect("JSON answer");
    assert_eq!(answer["retcode"], "0", "{answer}");
}

/// A hand-written event poller, as `ccgw` runs one per session: long polls, a pause of
/// 200 to 500 ms after each answer, the newest Guid and cookie taken from every answer.
pub async fn raw_poller(http: reqwest::Client, base: String, me: String, auth: SharedRawAuth) {
    let url = format!("{base}/agentgateway/resource/agentevent/{me}");
    loop {
        if let Ok(response) = with_auth(http.get(&url), &auth).send().await {
            auth.lock().unwrap().take(response.headers());
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

/// The CPU time, user and system, of this process (`libc::RUSAGE_SELF`) or of the
/// calling thread (`libc::RUSAGE_THREAD`).
pub fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage fills a plain struct for this process or thread.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
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
