//! Downloading a recording, against the simulator on loopback: throughput compared with
//! `curl` fetching the same file in the same run (the target: ours at least 0.9 of curl's),
//! and the peak resident memory above idle during a 100 MiB download (the target: a few
//! MiB, as the file is streamed to disk, never held).
//!
//! `cargo bench -p ccgw --bench download`. The simulator runs on a thread of its own, the
//! client on another; each round fetches the file once with curl and once with
//! `Session::download_recording`, alternating, to the same folder, after one more download
//! through which the resident set is sampled every 2 ms.

mod support;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ccgw::{Client, Recording, SignIn};
use ccgw_sim::{RecordingConfig, SimConfig};

const MIB: u64 = 1024 * 1024;
const SIZE: u64 = 100 * MIB;
const NAME: &str = "y:/1/0/20261204/bench.V3";
const ROUNDS: usize = 9;

fn main() {
    let mut config = SimConfig::default()
        .poll_wait(Duration::from_millis(500))
        .recording(RecordingConfig::new(NAME, 1, SIZE));
    // A second inspector for curl: one session per agent.
    config.vdns[0].inspectors.push("102".to_owned());
    let base = support::spawn_sim(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(&base));
}

async fn run(base: &str) {
    let client = Client::builder(base).build().unwrap();
    let session = client
        .sign_in(SignIn::new(
            "101".parse().unwrap(),
            ccgw_sim::DEFAULT_PASSWORD,
        ))
        .await
        .unwrap();
    let http = support::loopback_http();
    let guid = support::raw_sign_in(&http, base, "102").await;
    let url = format!(
        "{base}/agentgateway/resource/recordfile/102?recordId={}",
        NAME.replace(':', "%3A").replace('/', "%2F")
    );
    let dir = tempfile::tempdir().unwrap();
    let recording = Recording::new(NAME).unwrap();
    let curl_available = Command::new("curl").arg("--version").output().is_ok();

    // Memory: the resident set sampled every 2 ms through the first download, before
    // any other warmed the allocator up.
    let idle = support::status_kib("VmRSS");
    let peak = Arc::new(AtomicU64::new(idle));
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, running) = (peak.clone(), running.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                peak.fetch_max(support::status_kib("VmRSS"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let path = dir.path().join("memory.v3");
    session.download_recording(&recording, &path).await.unwrap();
    running.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let above = peak.load(Ordering::Relaxed).saturating_sub(idle);
    println!(
        "peak resident memory above idle during a {} MiB download: {:.1} MiB (idle {:.1} MiB; \
         the simulator shares the process)",
        SIZE / MIB,
        above as f64 / 1024.0,
        idle as f64 / 1024.0
    );
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        if curl_available {
            let path = dir.path().join(format!("curl-{round}.v3"));
            let started = Instant::now();
            let status = Command::new("curl")
                .args(["-s", "-f", "-o"])
                .arg(&path)
                .args(["-H", &format!("Guid: {guid}"), &url])
                .status()
                .unwrap();
            theirs.push(started.elapsed());
            assert!(status.success(), "curl fetched the file");
            assert_eq!(std::fs::metadata(&path).unwrap().len(), SIZE);
            std::fs::remove_file(&path).unwrap();
        }
        let path = dir.path().join(format!("ours-{round}.v3"));
        let started = Instant::now();
        let done = session.download_recording(&recording, &path).await.unwrap();
        ours.push(started.elapsed());
        assert_eq!(done.bytes, SIZE);
        std::fs::remove_file(&path).unwrap();
    }
    ours.sort();
    theirs.sort();
    let rate = |d: Duration| SIZE as f64 / MIB as f64 / d.as_secs_f64();
    let ours_median = support::percentile(&ours, 50.0);
    println!(
        "download of {} MiB, median of {ROUNDS}: ccgw {:.0} ms ({:.0} MiB/s)",
        SIZE / MIB,
        ours_median.as_secs_f64() * 1000.0,
        rate(ours_median)
    );
    if curl_available {
        let theirs_median = support::percentile(&theirs, 50.0);
        println!(
            "                               curl {:.0} ms ({:.0} MiB/s)",
            theirs_median.as_secs_f64() * 1000.0,
            rate(theirs_median)
        );
        println!(
            "throughput ratio ccgw / curl: {:.2} (target >= 0.9)",
            theirs_median.as_secs_f64() / ours_median.as_secs_f64()
        );
    } else {
        println!("curl not found: the ratio was not measured");
    }

    session.sign_out().await.unwrap();
}
