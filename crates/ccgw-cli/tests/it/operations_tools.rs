//! `ccgw watch` against the real programs an operations team runs, from the system's
//! packages, on loopback: Prometheus scrapes `--metrics` (and `promtool check metrics`
//! passes on the exposition), Alertmanager receives `--alertmanager`'s alerts, groups a
//! surge into one notification to its own webhook receiver, and resolves it when the
//! surge ends. CI installs both (.ci/run) and fails when they are missing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccgw_sim::{DEFAULT_PASSWORD, Simulator};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

use crate::common::Isolated;
use crate::common::{self, wait_until};

/// The program named, from PATH; `None` (with a note) outside CI when it is missing.
fn program(names: &[&str]) -> Option<PathBuf> {
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let found = names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs {names:?} (.ci/run) but none was found"
        );
        eprintln!("NOT RUN here: {names:?} is not installed (CI installs it)");
    }
    found
}

fn daemon(program: &Path, args: &[String]) -> Child {
    Command::new(program)
        .isolated()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Alertmanager's webhook receiver: every notification's body.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                let _ = stream.read_exact(&mut body).await;
                if let Ok(body) = serde_json::from_slice(&body) {
                    seen.lock().unwrap().push(body);
                }
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                let _ = stream.get_mut().write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, got)
}

/// A GET to a program of this test on loopback: never through a proxy of the runner's,
/// and never longer than 10 s.
async fn get(url: &str) -> Option<reqwest::Response> {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let http = HTTP.get_or_init(|| ccgw_sim::testing::loopback_http(Duration::from_secs(10)));
    http.get(url).send().await.ok()
}

async fn get_json(url: &str) -> Option<Value> {
    get(url).await?.json().await.ok()
}

/// Polls `check` every 200 ms until it gives a value, 60 s at most.
async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not {what} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Notifications of `status` naming both surging queues in one group.
fn grouped(notifications: &[Value], status: &str) -> bool {
    notifications.iter().any(|n| {
        n["status"] == status
            && n["groupLabels"]["rule"] == "waiting"
            && n["alerts"].as_array().is_some_and(|alerts| {
                let queues: Vec<&str> = alerts
                    .iter()
                    .filter(|a| a["status"] == status)
                    .filter_map(|a| a["labels"]["queue"].as_str())
                    .collect();
                queues.contains(&"1") && queues.contains(&"2")
            })
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_scrapes_the_floor_and_alertmanager_groups_and_resolves_a_surge() {
    let (Some(prometheus), Some(promtool), Some(alertmanager)) = (
        program(&["prometheus"]),
        program(&["promtool"]),
        program(&["prometheus-alertmanager", "alertmanager"]),
    ) else {
        return;
    };
    let sim = Simulator::start(common::quick()).await.unwrap();
    assert!(sim.set_waiting(1, 0) && sim.set_waiting(2, 0));
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    // Alertmanager, grouping by rule, notifying the receiver.
    let (notify, notifications) = receiver().await;
    let am_port = ccgw_sim::testing::unused_port();
    std::fs::write(
        at("alertmanager.yml"),
        format!(
            "route:\n  receiver: test\n  group_by: [rule]\n  group_wait: 1s\n  \
             group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: test\n    \
             webhook_configs:\n      - url: {notify}\n        send_resolved: true\n"
        ),
    )
    .unwrap();
    let am_url = format!("http://127.0.0.1:{am_port}");
    let _alertmanager = daemon(
        &alertmanager,
        &[
            format!("--config.file={}", at("alertmanager.yml")),
            format!("--storage.path={}", at("am-data")),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".to_owned(),
        ],
    );
    let ready = format!("{am_url}/-/ready");
    eventually("Alertmanager ready", async || {
        let answer = get(&ready).await?;
        answer.status().is_success().then_some(())
    })
    .await;

    // ccgw watch, with both outlets.
    std::fs::write(
        at("rules.toml"),
        "[[alerts]]\nrule = \"waiting\"\nover = 1\n",
    )
    .unwrap();
    let mut watch = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .isolated()
        .args(["watch", "--gateway", &sim.base_url(), "--agent", "101"])
        .args([
            "--every",
            "1",
            "--queues",
            "1,2",
            "--rules",
            &at("rules.toml"),
        ])
        .args(["--metrics", "127.0.0.1:0", "--alertmanager", &am_url])
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(watch.stderr.take().unwrap()).lines();
    let metrics_url = eventually("the metrics address", async || {
        let line = stderr.next_line().await.ok()??;
        line.strip_prefix("metrics at ").map(str::to_owned)
    })
    .await;
    let target = metrics_url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_owned();
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });

    // The exposition passes Prometheus' own linter.
    let exposition = eventually("a round's metrics", async || {
        let text = get(&metrics_url).await?.text().await.ok()?;
        text.contains("ccgw_queue_waiting_calls").then_some(text)
    })
    .await;
    let mut check = std::process::Command::new(&promtool)
        .isolated()
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut check.stdin.take().unwrap(), exposition.as_bytes()).unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}\n{exposition}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    // Prometheus scrapes it.
    let prom_port = ccgw_sim::testing::unused_port();
    std::fs::write(
        at("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: ccgw\n    \
             static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let _prometheus = daemon(
        &prometheus,
        &[
            format!("--config.file={}", at("prometheus.yml")),
            format!("--storage.tsdb.path={}", at("prom-data")),
            format!("--web.listen-address=127.0.0.1:{prom_port}"),
        ],
    );
    let query = |q: &str| format!("http://127.0.0.1:{prom_port}/api/v1/query?query={q}");
    let (up, waiting) = (query("up"), query("ccgw_queue_waiting_calls"));
    eventually("up == 1 for the ccgw job", async || {
        let answer = get_json(&up).await?;
        let result = answer["data"]["result"].as_array()?.first()?.clone();
        (result["value"][1] == "1").then_some(())
    })
    .await;
    let queues = eventually("ccgw_queue_waiting_calls of both queues", async || {
        let answer = get_json(&waiting).await?;
        let mut queues: Vec<String> = answer["data"]["result"]
            .as_array()?
            .iter()
            .filter_map(|r| r["metric"]["queue"].as_str().map(str::to_owned))
            .collect();
        queues.sort();
        (queues.len() == 2).then_some(queues)
    })
    .await;
    assert_eq!(queues, ["1", "2"]);

    // A surge in both queues: one grouped notification; its end: resolved.
    assert!(sim.set_waiting(1, 6) && sim.set_waiting(2, 6));
    eventually("a grouped firing notification", async || {
        grouped(&notifications.lock().unwrap(), "firing").then_some(())
    })
    .await;
    assert!(sim.set_waiting(1, 0) && sim.set_waiting(2, 0));
    eventually("the resolved notification", async || {
        grouped(&notifications.lock().unwrap(), "resolved").then_some(())
    })
    .await;

    // SIGTERM: watch signs out and exits 0.
    let pid = watch.id().unwrap();
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let status = tokio::time::timeout(Duration::from_secs(20), watch.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    wait_until(|| common::signed_out(&sim), "signed out").await;
}
