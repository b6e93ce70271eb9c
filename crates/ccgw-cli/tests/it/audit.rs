//! The console keeps an audit journal by default: an intent line before each
//! state-changing request, on disk even when the program is killed before the answer,
//! and an outcome after; a journal that cannot be written refuses the request. `ccgw
//! audit verify` checks it and finds an edited or deleted line; `--no-audit` keeps none.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{self, Isolated};

use ccgw_sim::{DEFAULT_PASSWORD, Fault, FaultRule, Simulator};
use common::{ccgw, console_args, quick, wait_until};

/// `ccgw audit verify FILE` with `options`: exit status, stdout, stderr.
pub fn verify_with(path: &std::path::Path, options: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .isolated()
        .args(["audit", "verify"])
        .arg(path)
        .args(options)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        output.status.code().unwrap_or(-1),
        text(&output.stdout),
        text(&output.stderr),
    )
}

fn verify(path: &std::path::Path) -> (i32, String, String) {
    verify_with(path, &[])
}

#[tokio::test]
async fn the_console_journals_what_it_changed_and_verify_finds_an_edit_and_a_deletion() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal").join("audit.jsonl");
    let journal = path.to_str().unwrap();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD), ("CCGW_AUDIT", journal)],
        &[
            "listen 1001",
            "agent 1001",
            "force-busy 9999",
            "stop 1001",
            "quit",
        ],
    )
    .await;
    assert_eq!(run.status, 1, "force-busy 9999 was refused: {}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "an intent and an outcome each: {text}");
    assert!(
        lines[0].contains(r#""kind":"intent","inspector":"101","operation":"addSupervise""#),
        "{}",
        lines[0]
    );
    assert!(lines[3].contains(r#""intent":3,"outcome":"retcode","retcode":"100-006""#));
    assert!(!text.contains(DEFAULT_PASSWORD));

    let (code, stdout, _) = verify(&path);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("ok: 6 lines"), "{stdout}");
    assert!(
        stdout.contains("its owner could have rewritten it"),
        "{stdout}"
    );

    std::fs::write(&path, text.replacen("9999", "1002", 1)).unwrap();
    let (code, _, stderr) = verify(&path);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 4: "), "{stderr}");

    std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let (code, _, stderr) = verify(&path);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 2: "), "{stderr}");
}

#[tokio::test]
async fn a_journal_torn_by_another_writer_refuses_listen_and_the_console_says_why() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let go = dir.path().join("go");
    let script = format!("@wait {}", go.display());
    let journal = path.to_str().unwrap().to_owned();
    let run = tokio::spawn(async move {
        let args = console_args(&url, &["--json"]);
        let env = [
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("CCGW_AUDIT", &journal),
        ];
        ccgw(&args, &env, &[&script, "listen 1001", "quit"]).await
    });
    wait_until(|| sim.current_guid("101").is_some(), "signed in").await;
    // Another console was cut off mid-line.
    std::fs::write(&path, r#"{"seq":1,"at":"2026-"#).unwrap();
    std::fs::write(&go, "").unwrap();
    let run = run.await.unwrap();
    let results = run.results();
    assert_eq!(results.len(), 1, "{}", run.stdout);
    assert_eq!(results[0]["ok"], false, "{}", run.stdout);
    let error = results[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("the audit journal cannot be written"),
        "{error}"
    );
    assert!(error.contains("incomplete"), "{error}");
    assert_eq!(sim.received("listen"), 0, "nothing reached the gateway");
    assert!(common::signed_out(&sim));
}

#[tokio::test]
async fn a_console_killed_before_the_answer_leaves_its_intent_on_disk() {
    let sim = Simulator::start(quick()).await.unwrap();
    sim.faults().inject(FaultRule::on(
        "listen",
        Fault::Latency(Duration::from_secs(60)),
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut console = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .isolated()
        .args(console_args(&sim.base_url(), &["--json"]))
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .env("CCGW_AUDIT", &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = console.stdin.take().unwrap();
    stdin.write_all(b"listen 1001\n").unwrap();
    wait_until(|| sim.received("listen") == 1, "the listen sent").await;
    console.kill().unwrap(); // SIGKILL: nothing runs after it
    console.wait().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains(
            r#""kind":"intent","inspector":"101","operation":"addSupervise","agent":"1001""#
        ),
        "{text}"
    );
    let (code, stdout, stderr) = verify(&path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("intents without an outcome"), "{stdout}");
    assert!(stdout.contains("line 1"), "{stdout}");
}

#[tokio::test]
async fn no_audit_keeps_no_journal() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let run = ccgw(
        &console_args(&url, &["--no-audit"]),
        &[
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("CCGW_AUDIT", path.to_str().unwrap()),
        ],
        &["listen 1001", "quit"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!path.exists());
}

/// A journal that hits the file-size limit mid-line (RLIMIT_FSIZE, with SIGXFSZ ignored as a
/// service manager might): the part written is taken back, the request that needed the
/// line is refused, and the journal still verifies, every line whole.
#[tokio::test]
async fn a_line_cut_by_the_file_size_limit_is_taken_back_and_the_request_refused() {
    let sim = Simulator::start(quick()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    // 1,024 bytes: room for four or five lines of about 200. Set in bytes by the child
    // itself, whatever a shell's `ulimit -f` counts in.
    let mut console = tokio::process::Command::new(env!("CARGO_BIN_EXE_ccgw"));
    console.args(console_args(&sim.base_url(), &["--json"]));
    // SAFETY: between fork and exec only async-signal-safe calls: signal and setrlimit.
    unsafe {
        console.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let run = common::run(
        &mut console,
        &[
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("CCGW_AUDIT", path.to_str().unwrap()),
        ],
        &[
            "listen 1001",
            "stop 1001",
            "listen 1001",
            "stop 1001",
            "listen 1001",
            "stop 1001",
            "quit",
        ],
    )
    .await;
    let refused: Vec<serde_json::Value> = run
        .results()
        .into_iter()
        .filter(|r| r["ok"] == false)
        .collect();
    assert!(!refused.is_empty(), "{}", run.stdout);
    let error = refused[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("the audit journal cannot be written"),
        "{error}"
    );
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= 1024, "{size}");
    let (code, stdout, stderr) = verify(&path);
    assert_eq!(code, 0, "every line whole: {stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(common::signed_out(&sim));
}
