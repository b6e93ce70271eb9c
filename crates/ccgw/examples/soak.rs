//! A soak run: many sessions under dynamic authentication, with faults injected all the
//! time, printing each minute the requests done, errors by kind and resident memory.
//!
//! `cargo run --release -p ccgw --example soak -- --minutes 5 [--sessions 32]`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ccgw::{Client, Mode, SignIn, TrackedMode};
use ccgw_sim::{Fault, FaultRule, SimConfig, Simulator};
use tokio::sync::Mutex;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap_or("");
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

const FAULTY_OPERATIONS: &[&str] = &[
    "switchListenInsert",
    "switchMode",
    "forceBusy",
    "forceIdle",
    "pollEvent",
    "listen",
];

fn random_fault() -> Fault {
    match rand::random_range(0..7) {
        0 => Fault::Latency(Duration::from_millis(1500)),
        1 => Fault::Status(503),
        2 => Fault::HtmlErrorPage,
        3 => Fault::TruncatedJson,
        4 => Fault::ConnectionReset,
        5 => Fault::NumericRetcode,
        _ => Fault::OversizedAnswer(2 << 20),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let minutes = arg("--minutes", 1);
    let sessions = arg("--sessions", 32) as u32;
    let config = SimConfig::default()
        .with_load_tenant(sessions, sessions * 2)
        .dynamic_auth(true)
        .poll_wait(Duration::from_millis(500));
    let sim = Arc::new(Simulator::start(config).await?);
    let client = Client::builder(sim.base_url())
        .request_timeout(Duration::from_secs(1))
        .build()?;
    let done = Arc::new(AtomicU64::new(0));
    let errors: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(minutes * 60);
    // Ctrl-C ends the soak early, and every session still signs out.
    let stopping = Arc::new(AtomicBool::new(false));
    tokio::spawn({
        let stopping = stopping.clone();
        async move {
            let _ = tokio::signal::ctrl_c().await;
            println!("stopping: every session signs out");
            stopping.store(true, Ordering::SeqCst);
        }
    });
    let running = {
        let stopping = stopping.clone();
        move || Instant::now() < deadline && !stopping.load(Ordering::SeqCst)
    };
    println!(
        "soak: {sessions} sessions, dynamic authentication, faults injected every 100 ms, {minutes} min"
    );
    println!("start: RSS {} KiB", rss_kib());

    let mut workers = Vec::new();
    for i in 0..sessions {
        let me = client.agent_id(&(30001 + i).to_string())?;
        let inspected = client.agent_id(&(40001 + i).to_string())?;
        let forced = client.agent_id(&(40001 + sessions + i).to_string())?;
        let session = client
            .sign_in(SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD))
            .await?;
        let (done, errors, running) = (done.clone(), errors.clone(), running.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0u64;
            while running() {
                n += 1;
                let result = match (session.mode_of(&inspected), n % 4) {
                    (TrackedMode::Idle, _) => session.listen(&inspected).await,
                    (TrackedMode::Unknown, _) => session.set_mode(&inspected, Mode::Listen).await,
                    (_, 0) => session.force_busy(&forced).await,
                    (_, 1) => session.force_idle(&forced).await,
                    (_, 2) => session.set_mode(&inspected, Mode::Insert).await,
                    _ => session.switch_listen_insert(&inspected).await,
                };
                done.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = result {
                    let key = match e.retcode() {
                        Some(r) => format!("gateway {}", r.code()),
                        None => format!("{:?}", e.kind()),
                    };
                    *errors.lock().await.entry(key).or_default() += 1;
                    // A state mismatch after a lost answer: ask the gateway for a known mode.
                    if e.retcode().is_some_and(|r| r.code() == "900-002") {
                        let _ = session.stop(&inspected).await;
                    }
                }
            }
            let _ = session.sign_out().await;
        }));
    }
    let injector = {
        let (sim, running) = (sim.clone(), running.clone());
        tokio::spawn(async move {
            while running() {
                let op = FAULTY_OPERATIONS[rand::random_range(0..FAULTY_OPERATIONS.len())];
                sim.faults()
                    .inject(FaultRule::on(op, random_fault()).times(1));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            sim.faults().clear();
        })
    };
    let started = Instant::now();
    for minute in 1..=minutes {
        let until = started + Duration::from_secs(minute * 60);
        while Instant::now() < until && running() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if !running() && Instant::now() < until {
            break;
        }
        let errors = errors.lock().await.clone();
        println!(
            "minute {minute}: {} requests, RSS {} KiB, errors {:?}",
            done.load(Ordering::Relaxed),
            rss_kib(),
            errors
        );
    }
    for w in workers {
        w.await?;
    }
    injector.await?;
    println!(
        "end: {} requests, {} received by the simulator, RSS {} KiB",
        done.load(Ordering::Relaxed),
        sim.received_total(),
        rss_kib()
    );
    Ok(())
}
