//! Thousands of signed-in sessions in one client process, each polling events with the
//! gateway's 10 s hold, against a simulator in a child process (so that the memory and
//! CPU measured are the client's alone): memory per idle session, CPU while they sit
//! idle, the time to sign all of them in, and the 64-in-flight `switch` p99 with and
//! without them.
//!
//! `cargo bench -p ccgw --bench scale` (`CCGW_SCALE_SIZES`, default `1000,5000`;
//! `CCGW_SCALE_IDLE_SECS`, default 20: two poll holds; `CCGW_BENCH_SECS` per latency run,
//! default 3; `CCGW_SCALE_EVENT_BUFFER` to compare event buffer sizes).
//! The open-file limit is raised to its hard limit in both processes: 5,000 long polls
//! hold 5,000 connections on each side.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccgw::{AgentId, Client, Session, SignIn};
use ccgw_sim::{SimConfig, Simulator};
use support::*;

/// Workers that drive the latency runs; the idle sessions come after them.
const WORKERS: u32 = 64;
const FIRST_INSPECTOR: u32 = 30001;
const FIRST_AGENT: u32 = 40001;

fn raise_open_file_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit read and write a plain struct for this process.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
        limit.rlim_cur
    }
}

/// The simulator side: serves `sessions` idle inspectors and the workers until the
/// parent closes our standard input.
fn serve_simulator(sessions: u32) {
    raise_open_file_limit();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = SimConfig::default()
            .with_load_tenant(sessions + WORKERS, WORKERS)
            .session_timeout(Duration::from_secs(600));
        let sim = Simulator::start(config).await.expect("simulator starts");
        println!("{}", sim.base_url());
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        })
        .await
        .unwrap();
    });
}

async fn sign_in(client: &Client, inspector: u32) -> Session {
    let me = client.agent_id(&inspector.to_string()).unwrap();
    client
        .sign_in(SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD))
        .await
        .expect("sign-in")
}

/// `in_flight` workers toggling `switch` for `secs` seconds; the p99 latency.
async fn p99_at(pairs: &[(Session, AgentId)], secs: u64) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut workers = Vec::new();
    for (session, agent) in pairs {
        let (session, agent) = (session.clone(), agent.clone());
        workers.push(tokio::spawn(async move {
            let mut mine = Samples::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                session.switch_listen_insert(&agent).await.expect("switch");
                mine.push(t.elapsed());
            }
            mine
        }));
    }
    let mut all = Samples::default();
    for w in workers {
        all.merge(w.await.unwrap());
    }
    all.summary(started.elapsed().as_secs_f64()).2
}

async fn run(sessions: u32, idle_secs: u64, secs: u64) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("CCGW_SCALE_SIM", sessions.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("simulator process starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let client = Client::builder(url.trim())
        .request_timeout(Duration::from_secs(30))
        .event_buffer(
            env_u64("CCGW_SCALE_EVENT_BUFFER", ccgw::DEFAULT_EVENT_BUFFER as u64) as usize,
        )
        .build()
        .unwrap();
    let mut pairs = Vec::new();
    for i in 0..WORKERS {
        let session = sign_in(&client, FIRST_INSPECTOR + i).await;
        let agent = client.agent_id(&(FIRST_AGENT + i).to_string()).unwrap();
        session.listen(&agent).await.unwrap();
        pairs.push((session, agent));
    }
    let without = p99_at(&pairs, secs).await;

    let rss_before = status_kib("VmRSS");
    let started = Instant::now();
    let mut idle = Vec::with_capacity(sessions as usize);
    let mut next = FIRST_INSPECTOR + WORKERS;
    while idle.len() < sessions as usize {
        let batch = (sessions as usize - idle.len()).min(64) as u32;
        let signing: Vec<_> = (next..next + batch)
            .map(|inspector| {
                let client = client.clone();
                tokio::spawn(async move { sign_in(&client, inspector).await })
            })
            .collect();
        for s in signing {
            idle.push(s.await.unwrap());
        }
        next += batch;
    }
    let sign_in_secs = started.elapsed().as_secs_f64();
    // Let every session reach its long poll before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let per_session = (status_kib("VmRSS").saturating_sub(rss_before)) as f64 / sessions as f64;
    let (cpu0, wall0) = (cpu_time(libc::RUSAGE_SELF), Instant::now());
    tokio::time::sleep(Duration::from_secs(idle_secs)).await;
    let idle_core = cpu_time(libc::RUSAGE_SELF)
        .saturating_sub(cpu0)
        .as_secs_f64()
        / wall0.elapsed().as_secs_f64();
    let with = p99_at(&pairs, secs).await;
    println!(
        "scale: {sessions} sessions: {per_session:.1} KiB per session, {:.1}% of a core idle, \
         sign-in of all {sign_in_secs:.1} s",
        idle_core * 100.0
    );
    println!(
        "scale: {sessions} sessions: 64-in-flight switch p99 {:.0} us without them, {:.0} us \
         with them polling (ratio {:.2})",
        micros(without),
        micros(with),
        with.as_secs_f64() / without.as_secs_f64()
    );
    for session in idle.iter().chain(pairs.iter().map(|(s, _)| s)) {
        let _ = session.sign_out().await;
    }
    drop(child.stdin.take());
    let _ = child.wait();
}

fn main() {
    if let Ok(sessions) = std::env::var("CCGW_SCALE_SIM") {
        return serve_simulator(sessions.parse().expect("a session count"));
    }
    let limit = raise_open_file_limit();
    let sizes: Vec<u32> = std::env::var("CCGW_SCALE_SIZES")
        .unwrap_or_else(|_| "1000,5000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("a session count"))
        .collect();
    let idle_secs = env_u64("CCGW_SCALE_IDLE_SECS", 20);
    let secs = env_u64("CCGW_BENCH_SECS", 3);
    println!("open files allowed: {limit}; the client runs on one thread");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for sessions in sizes {
        runtime.block_on(run(sessions, idle_secs, secs));
    }
}
