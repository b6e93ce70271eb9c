//! What an auditor holds outside the inspector's reach: heads anchored in a real syslog
//! daemon as the console writes, a kept head, the auditor's key. Each catches what the
//! chain alone cannot: a rewrite whose chain was recomputed, a cut tail. And two consoles
//! on one journal keep one chain.

use std::path::Path;

use crate::audit::verify_with;
use crate::common;

use ccgw_sim::{DEFAULT_PASSWORD, Simulator};
use common::syslog::Collector;
use common::{ccgw, console_args, quick};
use sha2::{Digest, Sha256};

/// What the journal's owner can do without a key: edit lines and recompute the chain,
/// so that `verify` alone finds nothing.
fn rechain(path: &Path, edit: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut prev: Option<String> = None;
    let mut out = String::new();
    for line in text.lines() {
        let mut line = edit(line);
        if let Some(prev) = &prev {
            let at = line.find(r#""prev":""#).unwrap() + r#""prev":""#.len();
            line.replace_range(at..at + 64, prev);
        }
        prev = Some(
            Sha256::digest(line.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        );
        out.push_str(&line);
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn head_printed(stdout: &str) -> String {
    let (_, head) = stdout.split_once("head ").expect("verify prints the head");
    head.split_whitespace().next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn heads_anchored_in_syslog_catch_a_re_chained_rewrite_and_a_cut_tail() {
    let collector = Collector::start();
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let anchor = format!("syslog+tcp://{}", collector.address);
    let run = ccgw(
        &console_args(&url, &["--json", "--audit-anchor", &anchor]),
        &[
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("CCGW_AUDIT", path.to_str().unwrap()),
        ],
        &["listen 1001", "force-busy 1002", "stop 1001", "quit"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    // One head a line written, and nothing about an agent or a call.
    let log = collector.wait_for_heads(6);
    assert_eq!(
        collector.heads(),
        6,
        "rsyslog: {}: {log}",
        collector.is_rsyslog()
    );
    assert!(
        !log.contains("1001") && !log.contains("addSupervise"),
        "{log}"
    );
    let anchors = collector.log.to_str().unwrap();
    let (code, stdout, stderr) = verify_with(&path, &["--anchors", anchors]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("the log's 6 heads of this journal match"),
        "{stdout}"
    );
    let head = head_printed(&stdout);
    assert!(head.starts_with("6:"), "{head}");

    // A forced state moved to another agent and made harmless, the chain recomputed.
    rechain(&path, |l| {
        l.replace("forceBusy", "forceIdle").replace("1002", "1009")
    });
    let (code, _, _) = verify_with(&path, &[]);
    assert_eq!(code, 0, "the chain alone cannot tell");
    let (code, _, stderr) = verify_with(&path, &["--anchors", anchors]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("line 3: "),
        "the forced line is named: {stderr}"
    );
    let (code, _, stderr) = verify_with(&path, &["--head", &head]);
    assert_eq!(code, 1);
    assert!(stderr.contains("rewritten"), "{stderr}");

    // The tail cut off: the chain holds, the kept head and the anchors do not.
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, format!("{}\n", lines[..4].join("\n"))).unwrap();
    assert_eq!(verify_with(&path, &[]).0, 0);
    for options in [["--head", head.as_str()], ["--anchors", anchors]] {
        let (code, _, stderr) = verify_with(&path, &options);
        assert_eq!(code, 1, "{options:?}");
        assert!(
            stderr.contains("line 5: ") && stderr.contains("tail was cut"),
            "{stderr}"
        );
    }
    // Grown, not rewritten: the kept head still holds.
    std::fs::write(&path, &text).unwrap();
    let (code, _, stderr) = verify_with(&path, &["--head", &head, "--anchors", anchors]);
    assert_eq!(code, 0, "{stderr}");
}

#[tokio::test]
async fn an_anchor_that_cannot_be_reached_stops_the_console_before_it_acts() {
    let sim = Simulator::start(quick()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let port = ccgw_sim::testing::unused_port();
    let anchor = format!("syslog+tcp://127.0.0.1:{port}");
    let run = ccgw(
        &console_args(&sim.base_url(), &["--audit-anchor", &anchor]),
        &[
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("CCGW_AUDIT", path.to_str().unwrap()),
        ],
        &["listen 1001", "quit"],
    )
    .await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot reach syslog+tcp://"),
        "{}",
        run.stderr
    );
    assert_eq!(sim.received_total(), 0, "not even a sign-in");
}

#[tokio::test]
async fn a_keyed_journal_verifies_with_its_key_only() {
    let password = "a password as long as a key";
    let sim = Simulator::start(quick().password(password)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let key = dir.path().join("auditor.key");
    let write_key = |text: &str| {
        std::fs::write(&key, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    };
    let console = |journal: &Path| {
        let (url, journal, key) = (sim.base_url(), journal.to_owned(), key.clone());
        async move {
            let key = key.to_str().unwrap();
            ccgw(
                &console_args(&url, &["--audit-key", key]),
                &[
                    ("CCGW_PASSWORD", password),
                    ("CCGW_AUDIT", journal.to_str().unwrap()),
                ],
                &["listen 1001", "stop 1001", "quit"],
            )
            .await
        }
    };
    // The inspector's own password is no key.
    write_key(&format!("{password}\n"));
    let run = console(&path).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the audit key is the inspector's password"),
        "{}",
        run.stderr
    );
    assert!(!path.exists() || std::fs::read_to_string(&path).unwrap().is_empty());

    write_key("an auditor's key that the inspector never sees\n");
    let run = console(&path).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    let key_arg = key.to_str().unwrap();
    let (code, stdout, stderr) = verify_with(&path, &["--audit-key", key_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("keyed by the given key"), "{stdout}");
    let (code, _, stderr) = verify_with(&path, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("audit key"), "{stderr}");

    // Re-chained by someone without the key: refused with it.
    rechain(&path, |l| {
        l.replace("1001", "1009").replace(r#""keyed":true,"#, "")
    });
    let (code, _, stderr) = verify_with(&path, &["--audit-key", key_arg]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("line 1: "), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_consoles_on_one_journal_keep_one_chain() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let journal = path.to_str().unwrap();
    let console = |inspector: &'static str, target: &'static str| {
        let url = url.clone();
        let journal = journal.to_owned();
        async move {
            let script: Vec<String> = (0..5)
                .flat_map(|_| [format!("listen {target}"), format!("stop {target}")])
                .chain(["quit".to_owned()])
                .collect();
            let script: Vec<&str> = script.iter().map(String::as_str).collect();
            let args = [
                "console",
                "--gateway",
                &url,
                "--agent",
                inspector,
                "--phone",
                "70001",
            ];
            let env = [
                ("CCGW_PASSWORD", DEFAULT_PASSWORD),
                ("CCGW_AUDIT", journal.as_str()),
            ];
            ccgw(&args, &env, &script).await
        }
    };
    let (a, b) = tokio::join!(console("101", "1001"), console("201", "2001"));
    assert_eq!((a.status, b.status), (0, 0), "{}\n{}", a.stderr, b.stderr);
    let (code, stdout, stderr) = verify_with(&path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("ok: 40 lines"), "{stdout}");
    assert!(!stdout.contains("without an outcome"), "{stdout}");
    let text = std::fs::read_to_string(&path).unwrap();
    for inspector in ["101", "201"] {
        let intents = text
            .lines()
            .filter(|l| l.contains(&format!(r#""kind":"intent","inspector":"{inspector}""#)))
            .count();
        assert_eq!(intents, 10, "{inspector}: {text}");
    }
}
