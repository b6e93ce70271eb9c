//! Nothing leaves the programs by a side door: an environment proxy never sees a
//! plain-HTTP session, a webhook's URL (and the token in it) never reaches a message, a
//! download never writes through a link or onto a device or an existing file, and the
//! probe's report holds no key an answer made of a value.

use std::sync::atomic::Ordering;

use ccgw_sim::{DEFAULT_PASSWORD, Simulator};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::{self, Isolated, quick, signed_out};

#[tokio::test]
async fn an_environment_proxy_never_sees_a_plain_http_session() {
    let sim = Simulator::start(quick()).await.unwrap();
    let (proxy, connections) = common::silent_listener().await;
    let proxy = format!("http://{proxy}");
    let env: Vec<(&str, &str)> = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        .into_iter()
        .map(|name| (name, proxy.as_str()))
        .chain([
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ])
        .collect();
    let url = sim.base_url();
    let run = common::ccgw(&common::console_args(&url, &[]), &env, &["status"]).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        sim.received("signIn"),
        1,
        "the gateway was reached directly"
    );
    assert!(signed_out(&sim));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the proxy saw nothing"
    );
}

#[tokio::test]
async fn a_webhook_url_and_its_token_never_appear_in_a_message() {
    let sim = Simulator::start(quick()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rules = common::waiting_rule(dir.path());
    let token = "tok-9f8e7d6c5b4a";
    // Nothing listens on the discard port: every delivery fails.
    let hook = format!("http://127.0.0.1:9/hooks/{token}");
    let file = dir.path().join("webhook.url");
    std::fs::write(&file, format!("{hook}\n")).unwrap();
    let url = sim.base_url();
    let rules = rules.to_str().unwrap();
    let base = [
        "watch",
        "--gateway",
        &url,
        "--agent",
        "101",
        "--every",
        "1",
        "--rounds",
        "1",
        "--queues",
        "1",
        "--rules",
        rules,
    ];
    let by_arg: Vec<&str> = base.iter().copied().chain(["--webhook", &hook]).collect();
    let by_file: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--webhook-file", file.to_str().unwrap()])
        .collect();
    let password = ("CCGW_PASSWORD", DEFAULT_PASSWORD);
    let runs = [
        common::ccgw(&by_arg, &[password], &[]).await,
        common::ccgw(&base, &[password, ("CCGW_WEBHOOK", &hook)], &[]).await,
        common::ccgw(&by_file, &[password], &[]).await,
    ];
    for run in runs {
        assert!(
            run.stderr.contains("webhook: gave up"),
            "the delivery failed and said so:\n{}",
            run.stderr
        );
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains(token), "the token leaked:\n{text}");
            assert!(!text.contains("/hooks/"), "the URL leaked:\n{text}");
        }
    }
    // A URL refused at start is not repeated either.
    let refused: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--webhook", "ftp://receiver.example/hooks/tok-9f8e7d6c5b4a"])
        .collect();
    let run = common::ccgw(&refused, &[password], &[]).await;
    assert_eq!(run.status, 2);
    assert!(!run.stderr.contains(token), "{}", run.stderr);
    assert!(signed_out(&sim));
}

#[cfg(unix)]
#[tokio::test]
async fn a_download_to_a_link_a_pipe_a_folder_or_an_existing_file_is_refused_before_sign_in() {
    let sim = Simulator::start(quick()).await.unwrap();
    let recording = sim.recording_of("1001").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.txt");
    std::fs::write(&kept, "untouched").unwrap();
    let link = dir.path().join("link.v3");
    std::os::unix::fs::symlink(&kept, &link).unwrap();
    let fifo = dir.path().join("fifo.v3");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let folder = dir.path().join("folder.v3");
    std::fs::create_dir(&folder).unwrap();
    let existing = dir.path().join("existing.v3");
    std::fs::write(&existing, "an earlier recording").unwrap();
    let url = sim.base_url();
    let password = ("CCGW_PASSWORD", DEFAULT_PASSWORD);
    for (target, force) in [
        (&link, true),
        (&fifo, true),
        (&folder, true),
        (&existing, false),
    ] {
        let mut args = vec![
            "recording",
            "download",
            &recording,
            "--gateway",
            &url,
            "--agent",
            "101",
            "-o",
            target.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        let run = common::ccgw(&args, &[password], &[]).await;
        assert_eq!(run.status, 2, "{target:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(target.to_str().unwrap()),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        sim.received_total(),
        0,
        "nothing was sent, not even a sign-in"
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "untouched");
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "an earlier recording"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let args = [
        "recording",
        "download",
        &recording,
        "--gateway",
        &url,
        "--agent",
        "101",
        "-o",
        existing.to_str().unwrap(),
        "--force",
    ];
    let run = common::ccgw(&args, &[password], &[]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_ne!(std::fs::read(&existing).unwrap(), b"an earlier recording");
    assert!(signed_out(&sim));
}

/// Values a gateway may use as keys or send as text: Latin and Chinese names, phone
/// numbers, a host.
const VALUES: &[&str] = &[
    "wangfang",
    "13800001111",
    "王芳",
    "Zhang Wei",
    "13900002222",
    "gw01.corp.example",
    "x_private_note",
];

/// Rewrites a JSON answer as a gateway that keys objects by agent would send it.
fn keyed(mut answer: Value) -> Value {
    let extra = serde_json::json!({
        "wangfang": {"agentState": 7, "name": "Zhang Wei"},
        "13800001111": {"status": 4},
        "王芳": {"status": 4, "phone": "13900002222"},
        "x_private_note": "gw01.corp.example",
    });
    let add = |object: &mut serde_json::Map<String, Value>| {
        for (k, v) in extra.as_object().unwrap() {
            object.insert(k.clone(), v.clone());
        }
    };
    match answer.get_mut("result") {
        Some(Value::Object(result)) => add(result),
        Some(Value::Array(items)) => {
            if let Some(Value::Object(first)) = items.first_mut() {
                add(first);
            }
        }
        _ => {}
    }
    answer
}

/// A gateway in front of the simulator whose JSON answers are [`keyed`].
async fn keyed_gateway(sim_url: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let http = ccgw_sim::testing::loopback_http(std::time::Duration::from_secs(30));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (http, sim_url) = (http.clone(), sim_url.clone());
            tokio::spawn(async move {
                while let Some(head) = ccgw_sim::testing::read_request_head(&mut stream).await {
                    let (head, rest) = head.split_once("\r\n\r\n").unwrap();
                    let mut lines = head.lines();
                    let request_line = lines.next().unwrap_or_default().to_owned();
                    let mut parts = request_line.split(' ');
                    let method = parts.next().unwrap_or_default().to_owned();
                    let path = parts.next().unwrap_or_default().to_owned();
                    let mut request =
                        http.request(method.parse().unwrap(), format!("{sim_url}{path}"));
                    let mut length = 0;
                    for line in lines {
                        let Some((name, value)) = line.split_once(':') else {
                            continue;
                        };
                        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
                        if name == "content-length" {
                            length = value.parse().unwrap_or(0);
                        }
                        if matches!(name.as_str(), "guid" | "cookie" | "content-type") {
                            request = request.header(name, value);
                        }
                    }
                    let mut body = rest.as_bytes().to_vec();
                    while body.len() < length {
                        let mut more = vec![0; length - body.len()];
                        match stream.read(&mut more).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => body.extend_from_slice(&more[..n]),
                        }
                    }
                    let Ok(answer) = request.body(body).send().await else {
                        return;
                    };
                    let mut reply = format!("HTTP/1.1 {}\r\n", answer.status());
                    for name in ["set-guid", "set-cookie"] {
                        for value in answer.headers().get_all(name) {
                            reply += &format!("{name}: {}\r\n", value.to_str().unwrap());
                        }
                    }
                    let text = answer.text().await.unwrap_or_default();
                    let body = match serde_json::from_str::<Value>(&text) {
                        Ok(json) => keyed(json).to_string(),
                        Err(_) => text,
                    };
                    reply += &format!(
                        "content-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    base
}

#[tokio::test]
async fn the_probe_report_holds_no_key_or_value_a_gateway_keyed_its_answers_with() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = keyed_gateway(sim.base_url()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let args = [
        "probe",
        "--gateway",
        &url,
        "--agent",
        "101",
        "--report",
        path.to_str().unwrap(),
        "--polls",
        "1",
        "--poll-secs",
        "3",
    ];
    let run = common::ccgw(&args, &[("CCGW_PASSWORD", DEFAULT_PASSWORD)], &[]).await;
    let report = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the report was written ({e}):\n{}\n{}",
            run.stdout, run.stderr
        )
    });
    assert!(report.contains("<key>"), "the keys were noticed:\n{report}");
    for value in VALUES {
        for (what, text) in [
            ("report", &report),
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
        ] {
            assert!(!text.contains(value), "{value} in the {what}:\n{text}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report is private to its owner");
    }
    assert!(signed_out(&sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signal_during_the_probes_sign_in_still_signs_out_the_session_it_made() {
    use ccgw_sim::{Fault, FaultRule};
    use std::time::Duration;
    for signal in ["TERM", "INT", "HUP"] {
        let sim = Simulator::start(quick()).await.unwrap();
        // The gateway makes the session at once and answers late.
        sim.faults()
            .inject(FaultRule::on("signIn", Fault::Latency(Duration::from_millis(1500))).times(1));
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ccgw"))
            .isolated()
            .args(["probe", "--gateway", &sim.base_url(), "--agent", "101"])
            .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        common::wait_until(
            || sim.current_guid("101").is_some(),
            "the sign-in reached the gateway",
        )
        .await;
        let pid = child.id().unwrap().to_string();
        let signal_arg = format!("-{signal}");
        assert!(
            std::process::Command::new("kill")
                .args([signal_arg.as_str(), &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
            .await
            .unwrap_or_else(|_| panic!("SIG{signal}: the probe exits within 5 s"))
            .unwrap();
        assert_eq!(status.code(), Some(1), "SIG{signal}: cut short");
        assert!(
            signed_out(&sim),
            "SIG{signal}: the session the cut sign-in made was signed out"
        );
        assert_eq!(sim.received("signOut"), 1, "SIG{signal}");
    }
}
