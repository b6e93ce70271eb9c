//! Runs the built `ccgw` binary against an in-process simulator.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use ccgw_sim::{AgentState, RunningSim};

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

pub use ccgw_sim::testing::{quick, wait_until};

/// Whether inspector 101 is signed out and the simulator holds no session of it.
pub fn signed_out(sim: &RunningSim) -> bool {
    sim.agent_state("101") == Some(AgentState::SignedOut) && sim.current_guid("101").is_none()
}

/// The audit journal every `ccgw` of these tests keeps, unless a test names its own: a
/// file of this test run, never the user's.
pub fn test_journal() -> PathBuf {
    home().join("audit.jsonl")
}

/// The home of this test run: every `ccgw` the tests start gets `HOME` and the XDG folders
/// in it ([`isolated_env`]), so that no test reads or writes the runner's own settings,
/// history or journal. Removed when the test binary exits.
fn home() -> &'static PathBuf {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    extern "C" fn remove_home() {
        if let Some(home) = HOME.get() {
            let _ = std::fs::remove_dir_all(home);
        }
    }
    HOME.get_or_init(|| {
        let home = std::env::temp_dir().join(format!("ccgw-test-home-{}", std::process::id()));
        std::fs::create_dir_all(&home).expect("a home for the tests");
        // SAFETY: registers a plain function to run at exit.
        unsafe { libc::atexit(remove_home) };
        home
    })
}

/// `HOME` and the XDG folders of this test run's own home, for a test's `ccgw`.
pub fn isolated_env() -> Vec<(&'static str, PathBuf)> {
    let home = home();
    vec![
        ("HOME", home.clone()),
        ("XDG_CONFIG_HOME", home.join(".config")),
        ("XDG_STATE_HOME", home.join(".local/state")),
        ("XDG_DATA_HOME", home.join(".local/share")),
        ("XDG_CACHE_HOME", home.join(".cache")),
    ]
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Every stdout line parsed as JSON (panics on a non-JSON line: stdout must be pure).
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
            .collect()
    }

    pub fn results(&self) -> Vec<Value> {
        self.json_lines()
            .into_iter()
            .filter(|v| v.get("command").is_some())
            .collect()
    }

    pub fn events(&self) -> Vec<Value> {
        self.json_lines()
            .into_iter()
            .filter(|v| v.get("event").is_some())
            .collect()
    }
}

/// Runs the shell command `command` (which starts `ccgw` itself) as [`ccgw`] runs the
/// binary: the same environment, feeding, and time limit.
pub async fn sh(command: &str, env: &[(&str, &str)], script: &[&str]) -> Run {
    run(Command::new("sh").arg("-c").arg(command), env, script).await
}

/// Runs `ccgw` with `args`, feeding `script` line by line (a line `@sleep N` waits N ms,
/// a line `@wait PATH` until the file PATH exists).
pub async fn ccgw(args: &[&str], env: &[(&str, &str)], script: &[&str]) -> Run {
    run(
        Command::new(env!("CARGO_BIN_EXE_ccgw")).args(args),
        env,
        script,
    )
    .await
}

async fn run(command: &mut Command, env: &[(&str, &str)], script: &[&str]) -> Run {
    command
        .envs(crate::common::isolated_env())
        .env("CCGW_AUDIT", test_journal())
        .env_remove("CCGW_PASSWORD")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("ccgw starts");
    let mut stdin = child.stdin.take().unwrap();
    let lines: Vec<String> = script.iter().map(|s| s.to_string()).collect();
    let feeder = tokio::spawn(async move {
        for line in lines {
            if let Some(ms) = line.strip_prefix("@sleep ") {
                tokio::time::sleep(Duration::from_millis(ms.parse().unwrap())).await;
                continue;
            }
            if let Some(path) = line.strip_prefix("@wait ") {
                let path = std::path::Path::new(path);
                wait_until(|| path.exists(), "the test's go-ahead").await;
                continue;
            }
            if stdin
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    });
    // Well under the 30 s an event poll may take to be given up: a program that waits for
    // a poll to end before it exits fails here rather than passing slowly.
    let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("ccgw finishes within 20 s")
        .expect("ccgw ran");
    feeder.abort();
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn console_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "console",
        "--gateway",
        url,
        "--agent",
        "101",
        "--phone",
        "70001",
    ];
    args.extend_from_slice(extra);
    args
}

/// Samples the inspector's Guid on the simulator every 50 ms until `stop` resolves.
pub async fn sample_guids(
    sim: &ccgw_sim::RunningSim,
    inspector: &str,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    tokio::pin!(stop);
    loop {
        if let Some(g) = sim.current_guid(inspector)
            && seen.last() != Some(&g)
        {
            seen.push(g);
        }
        tokio::select! {
            _ = &mut stop => return seen,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// Fails unless a program driven in a pseudo-terminal went as typed and exited with 0.
pub fn assert_typed_and_exited_zero(
    outcome: Result<expectrl::process::unix::WaitStatus, expectrl::Error>,
) {
    let status = outcome.expect("the session went as typed");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
}

/// Fails unless every line is one JSON object that follows the console's JSON-lines
/// contract, `console-lines.schema.json`.
pub fn assert_lines_follow_the_contract(stdout: &str) {
    let schema: Value = serde_json::from_str(include_str!("../../../console-lines.schema.json"))
        .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    for line in stdout.lines() {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{line}\nbreaks the contract: {errors:?}");
    }
}
pub mod syslog;
