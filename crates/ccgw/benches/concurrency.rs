//! One client, many sessions, 1 / 8 / 64 / 256 `switch` requests in flight: requests per
//! second, p50/p99 latency and peak resident memory; then the hand-written reqwest call
//! at 64 in flight for comparison (its inspectors poll events, take the newest Guid and
//! send the load balancer's cookie back like the sessions, so both pay the same gateway
//! cost); then all of it again with dynamic authentication rotating every Guid.
//!
//! `cargo bench -p ccgw --bench concurrency` (`CCGW_BENCH_SECS` per level, default 3;
//! `CCGW_BENCH_PARITY_SECS` per side for the comparison, default 5;
//! `CCGW_BENCH_MEMORY_SECS=60` adds a memory-growth run at 64 in flight;
//! `CCGW_BENCH_MODES=static|dynamic` runs one mode; `CCGW_BENCH_SIDE=ccgw|reqwest` runs
//! one side alone and prints its client CPU per request, for profiling).

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

/// Runs `in_flight` workers, each toggling its own session, for `time`.
async fn drive(pairs: &[(Session, AgentId)], in_flight: usize, time: Duration) -> Level {
    let latencies = Arc::new(Mutex::new(Samples::default()));
    let deadline = Instant::now() + time;
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
) -> Vec<(String, SharedRawAuth)> {
    let mut targets = Vec::new();
    for i in 0..in_flight {
        let (me, agent) = ((31001 + i).to_string(), (41001 + i).to_string());
        let auth = raw_sign_in_keeping(http, base, &me).await;
        raw_listen(http, base, &me, &agent, &auth.guid).await;
        let guid: SharedRawAuth = std::sync::Arc::new(std::sync::Mutex::new(auth));
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
async fn drive_raw(
    http: &reqwest::Client,
    targets: &[(String, SharedRawAuth)],
    time: Duration,
) -> Level {
    let deadline = Instant::now() + time;
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
        skills_per_agent: None,
    });
    config
}

/// Signs in the 256 sessions, each listening to its own agent.
async fn sessions(client: &Client) -> Vec<(Session, AgentId)> {
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
    pairs
}

/// Both sides' setup, then one side alone at 64 in flight, with its client CPU cost.
async fn profile_one_side(dynamic: bool, side: &str, secs: u64) {
    let base = spawn_sim(config(dynamic));
    let client = Client::builder(&base).build().unwrap();
    let pairs = sessions(&client).await;
    let http = loopback_http();
    let targets = raw_targets(&http, &base, 64).await;
    let cpu = cpu_time(libc::RUSAGE_THREAD);
    let level = if side == "ccgw" {
        drive(&pairs, 64, Duration::from_secs(secs)).await
    } else {
        drive_raw(&http, &targets, Duration::from_secs(secs)).await
    };
    report(&format!("{side} alone, 64 in flight"), &level);
    let requests = level.rps * secs as f64;
    println!(
        "  client CPU per request: {:.1} us",
        micros(cpu_time(libc::RUSAGE_THREAD) - cpu) / requests
    );
}

async fn run(dynamic: bool, secs: u64, parity_secs: u64, memory_secs: u64) {
    let base = spawn_sim(config(dynamic));
    let client = Client::builder(&base).build().unwrap();
    let pairs = sessions(&client).await;
    let auth = if dynamic {
        "dynamic authentication (Guid rotating)"
    } else {
        "static authentication"
    };
    println!("\n{auth}, one client, 256 sessions polling events, {secs} s per level:");
    for level in LEVELS {
        let result = drive(&pairs, level, Duration::from_secs(secs)).await;
        report(&format!("ccgw, {level} in flight"), &result);
    }
    // Alternate short slices of both at 64 in flight, so that noise (the pollers' answers
    // come in bursts) hits both alike. Each pair of slices swaps the order, so that
    // neither side always runs right after the other, and one untimed slice of each
    // warms both up.
    let http = loopback_http();
    let targets = raw_targets(&http, &base, 64).await;
    let slice = Duration::from_millis(100);
    drive_raw(&http, &targets, slice).await;
    drive(&pairs, 64, slice).await;
    let (mut ours, mut theirs) = (0.0, 0.0);
    for pair in 0..parity_secs * 10 {
        if pair % 2 == 0 {
            ours += drive(&pairs, 64, slice).await.rps;
            theirs += drive_raw(&http, &targets, slice).await.rps;
        } else {
            theirs += drive_raw(&http, &targets, slice).await.rps;
            ours += drive(&pairs, 64, slice).await.rps;
        }
    }
    report(
        "hand-written reqwest, 64 in flight",
        &drive_raw(&http, &targets, Duration::from_secs(secs)).await,
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
            let time = Duration::from_secs(10.min(memory_secs - tick * 10));
            drive(&pairs, 64, time).await;
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
    let parity_secs = env_u64("CCGW_BENCH_PARITY_SECS", 5).max(1);
    let modes = std::env::var("CCGW_BENCH_MODES").unwrap_or_else(|_| "static,dynamic".into());
    if let Ok(side) = std::env::var("CCGW_BENCH_SIDE") {
        profile_one_side(modes.contains("dynamic"), &side, secs).await;
        return;
    }
    if modes.contains("static") {
        run(false, secs, parity_secs, memory_secs).await;
    }
    if modes.contains("dynamic") {
        run(true, secs, parity_secs, 0).await;
    }
}
