//! The console keeps an audit journal by default, `ccgw audit verify` checks it and finds
//! an edited or deleted line, and `--no-audit` keeps none.

use std::process::Command;

use crate::common;

use ccgw_sim::{DEFAULT_PASSWORD, Simulator};
use common::{ccgw, console_args, quick};

fn verify(path: &std::path::Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .args(["audit", "verify"])
        .arg(path)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        output.status.code().unwrap_or(-1),
        text(&output.stdout),
        text(&output.stderr),
    )
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
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].contains(r#""operation":"addSupervise""#),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(r#""outcome":"retcode","retcode":"100-006""#));
    assert!(!text.contains(DEFAULT_PASSWORD));

    let (code, stdout, _) = verify(&path);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("ok: 3 lines"), "{stdout}");

    std::fs::write(&path, text.replacen("9999", "1002", 1)).unwrap();
    let (code, _, stderr) = verify(&path);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 3: "), "{stderr}");

    std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let (code, _, stderr) = verify(&path);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 2: "), "{stderr}");
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
