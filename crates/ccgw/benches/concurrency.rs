//! One client, many sessions, 1 / 8 / 64 / 256 `switch` requests in flight: requests per
//! second, p50/p99 latency and peak resident memory; then the hand-written reqwest call
//! at 64 in flight for comparison (its inspectors poll events and take the newest Guid
//! like the sessions, so both pay the same gateway cost); then all of it again with
//! dynamic authentication rotating every Guid.
//!
//! `cargo bench -p ccgw --bench concurrency` (`CCGW_BENCH_SECS` per level, default 3;
//! `CCGW_BENCH_MEMORY_SECS=60` adds a memory-growth run at 64 in flight).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ccgw::{AgentId, Client, Session, SignIn};
use ccgw_sim::SimConfig;
use support::*;
use tokio::sync::Mutex;

const LEVELS: [usize; 4] = [1, 8, 64, 256];

struct Level {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

fn report(label: &str, level: &Level) {
    println!(
        "  {label:<34} {:>9.0} req/s   p50 {:>8.1} us   p99 {:>8.1} us   peak RSS {:>6} KiB",
        level.rps,
        micros(level.p50),
        micros(level.p99),
        status_kib("VmHWM")
    );
}

/// Runs `in_flight` workers, each toggling its own session, for `secs` seconds.
async fn drive(pairs: &[(Session, AgentId)], in_flight: usize, secs: u64) -> Level {
    let latencies = Arc::new(Mutex::new(Samples::default()));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut workers = Vec::new();
    for (session, agent) in &pairs[..in_flight.min(pairs.len())] {
        let (session, agent) = (session.clone(), agent.clone());
        let latencies = latencies.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Samples::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                session
                    .switch_listen_insert(&agent)
                    .await
                    .expect("switch succeeds");
                mine.push(t.elapsed());
            }
            latencies.lock().await.merge(mine);
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (rps, p50, p99) = std::mem::take(&mut *latencies.lock().await).summary(elapsed);
    Level { rps, p50, p99 }
}

/// Signs in `in_flight` raw inspectors (31001..) listening to their own agents, each with
/// a hand-written event poller that keeps its Guid current, as the sessions do: both
/// sides pay the same gateway cost, rotations included.
async fn raw_targets(
    http: &reqwest::Client,
    base: &str,
    in_flight: usize,
) -> Vec<(String, RawGuid)> {
    let mut targets = Vec::new();
    for i in 0..in_flight {
        let (me, agent) = ((31001 + i).to_string(), (41001 + i).to_string());
        let guid = raw_sign_in(http, base, &me).await;
        raw_listen(http, base, &me, &agent, &guid).await;
        let guid: RawGuid = std::sync::Arc::new(std::sync::Mutex::new(guid));
        tokio::spawn(raw_poller(
            http.clone(),
            base.to_owned(),
            me.clone(),
            guid.clone(),
        ));
        targets.push((
            format!("{base}/agentgateway/resource/qualitycontrol/{me}/switch/{agent}"),
            guid,
        ));
    }
    targets
}

/// The same load with the hand-written reqwest call on one reused client.
async fn drive_raw(http: &reqwest::Client, targets: &[(String, RawGuid)], secs: u64) -> Level {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut workers = Vec::new();
    for (url, guid) in targets {
        let (url, guid) = (url.clone(), guid.clone());
        let http = http.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Samples::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                raw_switch_current(&http, &url, &guid).await;
                mine.push(t.elapsed());
            }
            mine
        }));
    }
    let mut all = Samples::default();
    for w in workers {
        all.merge(w.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (rps, p50, p99) = all.summary(elapsed);
    Level { rps, p50, p99 }
}

/// A load tenant of 256 inspectors for the client (30001..) and 64 more for the raw
/// comparison (31001..), each with its own agent.
fn config(dynamic: bool) -> SimConfig {
    let mut config = SimConfig::default()
        .with_load_tenant(256, 256)
        .poll_wait(Duration::from_millis(if dynamic { 500 } else { 2000 }))
        .dynamic_auth(dynamic);
    config.vdns.push(ccgw_sim::VdnConfig {
        id: 4,
        inspectors: (0..64).map(|i| (31001 + i).to_string()).collect(),
        agents: (0..64).map(|i| (41001 + i).to_string()).collect(),
        skills: Vec::new(),
    });
    config
}

async fn run(dynamic: bool, secs: u64, memory_secs: u64) {
    let base = spawn_sim(config(dynamic));
    let client = Client::builder(&base).build().unwrap();
    let mut pairs = Vec::new();
    for i in 0..256u32 {
        let me = client.agent_id(&(30001 + i).to_string()).unwrap();
        let agent = client.agent_id(&(40001 + i).to_string()).unwrap();
        let session = client
            .sign_in(SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD))
            .await
            .unwrap();
        session.listen(&agent).await.unwrap();
        pairs.push((session, agent));
    }
    let auth = if dynamic {
        "dynamic authentication (Guid rotating)"
    } else {
        "static authentication"
    };
    println!("\n{auth}, one client, 256 sessions polling events, {secs} s per level:");
    for level in LEVELS {
        let result = drive(&pairs, level, secs).await;
        report(&format!("ccgw, {level} in flight"), &result);
    }
    // Alternate one-second slices of both at 64 in flight, so noise hits both alike.
    let http = reqwest::Client::new();
    let targets = raw_targets(&http, &base, 64).await;
    let (mut ours, mut theirs) = (0.0, 0.0);
    for _ in 0..secs.max(1) {
        ours += drive(&pairs, 64, 1).await.rps;
        theirs += drive_raw(&http, &targets, 1).await.rps;
    }
    report(
        "hand-written reqwest, 64 in flight",
        &drive_raw(&http, &targets, secs).await,
    );
    println!(
        "  throughput ccgw/reqwest at 64 in flight (alternating slices): {:.2}",
        ours / theirs
    );
    let rotations: u64 = pairs.iter().map(|(s, _)| s.guid_rotations()).sum();
    println!("  Guid rotations taken by the sessions: {rotations}");
    if memory_secs > 0 {
        println!("  memory at 64 in flight for {memory_secs} s:");
        let first = status_kib("VmRSS");
        let mut last = first;
        for tick in 0..memory_secs.div_ceil(10) {
            drive(&pairs, 64, 10.min(memory_secs - tick * 10)).await;
            last = status_kib("VmRSS");
            println!("    after {:>3} s: RSS {last} KiB", (tick + 1) * 10);
        }
        println!(
            "  RSS growth over the run: {} KiB",
            last as i64 - first as i64
        );
    }
    for (session, _) in &pairs {
        let _ = session.sign_out().await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let secs = env_u64("CCGW_BENCH_SECS", 3);
    let memory_secs = env_u64("CCGW_BENCH_MEMORY_SECS", 0);
    // CCGW_BENCH_MODES=static or =dynamic runs one of the two (for profiling).
    let modes = std::env::var("CCGW_BENCH_MODES").unwrap_or_else(|_| "static,dynamic".into());
    if modes.contains("static") {
        run(false, secs, memory_secs).await;
    }
    if modes.contains("dynamic") {
        run(true, secs, 0).await;
    }
}
