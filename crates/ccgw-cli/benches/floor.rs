//! The floor benchmark: `ccgw board` against `ccgw sim` with a large tenant, each its own
//! process, as a supervisor would run them; then the simulator alone with a full VDN.
//!
//! ```sh
//! cargo bench -p ccgw-cli --bench floor
//! ```
//!
//! Prints one line per case: `floor: 5000 agents, 100 queues: first screen X s, Y
//! requests per refresh, board RSS Z MiB, simulator RSS W MiB`, `watch: 5000 agents, 100
//! queues: N requests per round (M budgeted), X ms client CPU per round` (`ccgw watch`
//! with every kind of rule on a busy floor; its CPU from the kernel's accounting of the
//! process, the least of three 1-round runs taken from the least of two 21-round runs,
//! over 20, so that start-up and sign-in do not count; the two CPU times go to standard
//! error), and `simulator: 60000 agents, 100 queues: RSS W MiB,
//! allonlineagents N MB in T s`. Requests per refresh are counted from the simulator's
//! request log over `CCGW_BENCH_FLOOR_SECS` (default 20) s of refreshes. RSS is each
//! process's peak (`VmHWM`). `CCGW_BENCH_ONLY=watch` runs the watch case alone. Only
//! loopback is used.

// A benchmark prints its figures for the person who ran it; stdio.rs is the programs'.
#![allow(clippy::disallowed_macros)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use expectrl::{Eof, Expect, Session};

mod support;

use support::{PASSWORD, Receiver, Sim, peak_mib, watch_command};

fn floor(agents: u32, queues: u32, watch: Duration) {
    let sim = Sim::start(agents, queues);
    let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command
        .args([
            "board",
            "--gateway",
            &sim.url,
            "--agent",
            "101",
            "--refresh",
            "2",
            "--no-audit",
        ])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", PASSWORD)
        .env_remove("RUST_LOG");
    let started = Instant::now();
    let mut board = Session::spawn(command).expect("the board starts");
    board.set_expect_timeout(Some(Duration::from_secs(60)));
    // Drawn by difference, words apart by cursor moves: the count is one word.
    board
        .expect(format!("({agents})").as_str())
        .expect("the agents are on screen");
    let first_screen = started.elapsed();
    let before = sim.logged().len();
    std::thread::sleep(watch);
    let during: Vec<String> = sim.logged()[before..].to_vec();
    let board_mib = peak_mib(board.get_process().pid().as_raw() as u32);
    board.send("q").expect("q reaches the board");
    board.expect(Eof).expect("the board ends");
    // Each refresh asks for the inspector's own state once; polls are not refreshes.
    let refreshes = during.iter().filter(|op| *op == "getAgentStatus").count();
    let requests = during.iter().filter(|op| *op != "pollEvent").count();
    let per_refresh = requests as f64 / refreshes.max(1) as f64;
    println!(
        "floor: {agents} agents, {queues} queues: first screen {:.2} s, {per_refresh:.1} \
         requests per refresh, board RSS {board_mib:.1} MiB, simulator RSS {:.1} MiB",
        first_screen.as_secs_f64(),
        sim.peak_mib()
    );
}

async fn simulator_alone(agents: u32, queues: u32) {
    let sim = Sim::start(agents, queues);
    let http = ccgw_sim::testing::loopback_http(Duration::from_secs(600));
    let signed_in = http
        .put(format!("{}/agentgateway/resource/onlineagent/101", sim.url))
        .json(&serde_json::json!({"password": PASSWORD, "phonenum": "70001"}))
        .send()
        .await
        .expect("signs in");
    let guid = signed_in
        .headers()
        .get("Set-GUID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("JSESSIONID="))
        .expect("a Guid")
        .to_owned();
    let started = Instant::now();
    let mut answer = http
        .get(format!(
            "{}/agentgateway/resource/agentgroup/101/allonlineagents",
            sim.url
        ))
        .header("Guid", &guid)
        .send()
        .await
        .expect("allonlineagents answers");
    let mut bytes = 0usize;
    while let Some(chunk) = answer.chunk().await.expect("the answer streams") {
        bytes += chunk.len();
    }
    let took = started.elapsed();
    let _ = http
        .delete(format!(
            "{}/agentgateway/resource/onlineagent/101/logout",
            sim.url
        ))
        .header("Guid", &guid)
        .send()
        .await;
    println!(
        "simulator: {agents} agents, {queues} queues: RSS {:.1} MiB, allonlineagents {:.1} MB \
         in {:.2} s",
        sim.peak_mib(),
        bytes as f64 / 1e6,
        took.as_secs_f64()
    );
}

/// Runs `ccgw watch` for `rounds` rounds; the CPU time it used, from the kernel.
// Reaped by `wait4` below, which also reports the child's CPU time.
#[allow(clippy::zombie_processes)]
fn watch_cpu(sim: &Sim, rules: &std::path::Path, rounds: u32, extra: &[&str]) -> Duration {
    let child = watch_command(sim, rules)
        .args(["--every", "1", "--rounds", &rounds.to_string()])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ccgw watch starts");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child just reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals.
    let reaped = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(reaped, child.id() as i32, "ccgw watch ends");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn watch(agents: u32, queues: u32) {
    let sim = Sim::start_with(agents, queues, &["--traffic", "busy", "--seed", "1"]);
    let dir = std::env::temp_dir().join(format!("ccgw-bench-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.toml");
    let every_kind = "[[alerts]]\nrule = \"longest-wait\"\nover = 60\n\
        [[alerts]]\nrule = \"waiting\"\nover = 5\n[[alerts]]\nrule = \"unattended\"\n\
        [[alerts]]\nrule = \"talking\"\nover = 2400\n[[alerts]]\nrule = \"wrap-up\"\nover = 120\n\
        [[alerts]]\nrule = \"resting\"\nover = 900\n";
    std::fs::write(&rules, every_kind).unwrap();
    // With the outlets on: Prometheus' endpoint, and posts to an Alertmanager stand-in.
    let alertmanager = Receiver::start(0);
    let outlets = [
        "--metrics",
        "127.0.0.1:0",
        "--alertmanager",
        &alertmanager.url,
    ];
    for (case, extra) in [
        ("watch", &[][..]),
        ("watch --metrics --alertmanager", &outlets[..]),
    ] {
        // Start-up and sign-in cost more than a round: the least of a few runs of 1
        // round and of 21 rounds, and the difference over 20 rounds.
        let one = (0..3)
            .map(|_| watch_cpu(&sim, &rules, 1, extra))
            .min()
            .unwrap();
        let before = sim.logged().len();
        let many = (0..2)
            .map(|_| watch_cpu(&sim, &rules, 21, extra))
            .min()
            .unwrap();
        let logged = sim.logged()[before..].to_vec();
        let session = ["signIn", "signOut", "pollEvent"];
        let requests = logged
            .iter()
            .filter(|op| !session.contains(&op.as_str()))
            .count();
        let own_state = logged.iter().filter(|op| *op == "getAgentStatus").count();
        let per_round = many.saturating_sub(one).as_secs_f64() * 1000.0 / 20.0;
        eprintln!("{case} CPU: 1 round {one:?}, 21 rounds {many:?}");
        println!(
            "{case}: {agents} agents, {queues} queues: {:.1} requests per round ({:.1} \
             budgeted), {per_round:.1} ms client CPU per round",
            requests as f64 / 42.0,
            (requests - own_state) as f64 / 42.0
        );
    }
    println!(
        "alertmanager stand-in: {} posts received",
        alertmanager.bodies().len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    // `cargo test --benches` runs this with --bench absent: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let secs = std::env::var("CCGW_BENCH_FLOOR_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    if std::env::var("CCGW_BENCH_ONLY").as_deref() != Ok("watch") {
        floor(5_000, 100, Duration::from_secs(secs));
    }
    watch(5_000, 100);
    if std::env::var("CCGW_BENCH_ONLY").as_deref() == Ok("watch") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(simulator_alone(60_000, 100));
}
