//! Sustained `switch` throughput of the simulator over loopback HTTP.
//!
//! `cargo bench -p ccgw-sim --bench switch_throughput` (optional: `CCGW_BENCH_SECS`,
//! `CCGW_BENCH_TASKS`). Each task signs in its own inspector, starts listening to its own
//! agent, then toggles as fast as the simulator answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ccgw_sim::{SimConfig, Simulator};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let secs = env_or("CCGW_BENCH_SECS", 5);
    let tasks = env_or("CCGW_BENCH_TASKS", 32) as u32;
    let config = SimConfig::default().with_load_tenant(tasks, tasks);
    let password = config.password.clone();
    let sim = Simulator::start(config).await.expect("simulator starts");
    let base = sim.base_url();
    ccgw_sim::testing::install_ring_provider();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut workers = Vec::new();
    for i in 0..tasks {
        let (http, base, done, password) =
            (http.clone(), base.clone(), done.clone(), password.clone());
        workers.push(tokio::spawn(async move {
            let (me, agent) = (30001 + i, 40001 + i);
            let signed_in = http
                .put(format!("{base}/agentgateway/resource/onlineagent/{me}"))
                .json(&serde_json::json!({"password": password, "phonenum": "1"}))
                .send()
                .await
                .expect("sign-in");
            let guid =
                signed_in.headers()["set-guid"].to_str().unwrap()["JSESSIONID=".len()..].to_owned();
            let qc = format!("{base}/agentgateway/resource/qualitycontrol/{me}");
            http.put(format!("{qc}/addsupervise/{agent}"))
                .header("Guid", &guid)
                .send()
                .await
                .unwrap();
            let url = format!("{qc}/switch/{agent}");
            while Instant::now() < deadline {
                let answer = http.post(&url).header("Guid", &guid).send().await.unwrap();
                let body: serde_json::Value = answer.json().await.unwrap();
                assert_eq!(body["retcode"], "0");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    for w in workers {
        w.await.expect("worker");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = done.load(Ordering::Relaxed);
    println!("switch: {total} requests in {elapsed:.1} s with {tasks} concurrent clients");
    println!(
        "simulator switch throughput: {:.0} requests/s",
        total as f64 / elapsed
    );
    sim.shutdown().await;
}
