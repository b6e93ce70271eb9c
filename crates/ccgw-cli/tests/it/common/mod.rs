//! Runs the built `ccgw` binary against an in-process simulator.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use ccgw_sim::{AgentState, RunningSim};

use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::task::JoinHandle;

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
fn isolated_env() -> Vec<(&'static str, PathBuf)> {
    let home = home();
    vec![
        ("HOME", home.clone()),
        ("XDG_CONFIG_HOME", home.join(".config")),
        ("XDG_STATE_HOME", home.join(".local/state")),
        ("XDG_DATA_HOME", home.join(".local/share")),
        ("XDG_CACHE_HOME", home.join(".cache")),
        ("CCGW_AUDIT", test_journal()),
    ]
}

/// What the runner's environment may hold that would change what a test's `ccgw` does:
/// its settings and secrets, its log filter, proxies and trusted certificates. CI runs
/// the tests with each of these set to something hostile.
pub const NOT_INHERITED: &[&str] = &[
    "CCGW_AGENT",
    "CCGW_AUDIT_ANCHOR",
    "CCGW_AUDIT_KEY",
    "CCGW_GATEWAY",
    "CCGW_HISTORY",
    "CCGW_PANIC_AFTER_SIGN_IN",
    "CCGW_PASSWORD",
    "CCGW_WEBHOOK",
    "RUST_LOG",
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// A command for a test's `ccgw`, kept apart from the runner's own: its home, XDG folders
/// and audit journal are this test run's ([`home`]), and nothing in [`NOT_INHERITED`]
/// passes through. A test sets what it needs afterwards.
pub trait Isolated {
    /// Isolates the command; returns it for chaining.
    fn isolated(&mut self) -> &mut Self;
}

macro_rules! isolated_command {
    ($command:ty) => {
        impl Isolated for $command {
            fn isolated(&mut self) -> &mut Self {
                for name in NOT_INHERITED {
                    self.env_remove(name);
                }
                self.envs(isolated_env())
            }
        }
    };
}

isolated_command!(std::process::Command);
isolated_command!(tokio::process::Command);

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

/// Runs `ccgw` with `args`, feeding `script` line by line. A line starting with `@` is
/// a step of the feeder's, not a line for `ccgw`: `@sleep N` waits N ms, `@wait PATH`
/// until the file PATH exists, `@touch PATH` creates that file (to tell the test how far
/// the script got), and `@seen TEXT` waits until `ccgw` has printed TEXT on standard
/// output or standard error.
pub async fn ccgw(args: &[&str], env: &[(&str, &str)], script: &[&str]) -> Run {
    run(
        Command::new(env!("CARGO_BIN_EXE_ccgw")).args(args),
        env,
        script,
    )
    .await
}

/// What a running `ccgw` printed so far, standard output and standard error.
#[derive(Clone, Default)]
struct Printed(Arc<Mutex<(Vec<u8>, Vec<u8>)>>);

impl Printed {
    /// Copies `from` into standard output's (or error's) share until it ends.
    fn collect(
        &self,
        mut from: impl AsyncRead + Unpin + Send + 'static,
        stdout: bool,
    ) -> JoinHandle<()> {
        let printed = self.clone();
        tokio::spawn(async move {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = from.read(&mut buffer).await {
                let mut both = printed.0.lock().unwrap();
                let into = if stdout { &mut both.0 } else { &mut both.1 };
                into.extend_from_slice(&buffer[..n]);
            }
        })
    }

    fn contains(&self, text: &str) -> bool {
        let both = self.0.lock().unwrap();
        [&both.0, &both.1]
            .iter()
            .any(|printed| String::from_utf8_lossy(printed).contains(text))
    }

    fn text(&self, stdout: bool) -> String {
        let both = self.0.lock().unwrap();
        String::from_utf8_lossy(if stdout { &both.0 } else { &both.1 }).into_owned()
    }
}

/// Runs `command` (which is, or starts, `ccgw`) as [`ccgw`] runs the binary: isolated,
/// fed `script`, within the same time limit.
pub async fn run(command: &mut Command, env: &[(&str, &str)], script: &[&str]) -> Run {
    command
        .isolated()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("ccgw starts");
    let mut stdin = child.stdin.take().unwrap();
    let printed = Printed::default();
    let readers = [
        printed.collect(child.stdout.take().unwrap(), true),
        printed.collect(child.stderr.take().unwrap(), false),
    ];
    let lines: Vec<String> = script.iter().map(|s| s.to_string()).collect();
    let seen = printed.clone();
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
            if let Some(path) = line.strip_prefix("@touch ") {
                std::fs::write(path, "").unwrap();
                continue;
            }
            if let Some(text) = line.strip_prefix("@seen ") {
                wait_until(|| seen.contains(text), text).await;
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
    let Ok(status) = tokio::time::timeout(Duration::from_secs(20), child.wait()).await else {
        panic!(
            "ccgw did not finish within 20 s\nstdout: {}\nstderr: {}",
            printed.text(true),
            printed.text(false)
        );
    };
    let status = status.expect("ccgw ran");
    for reader in readers {
        // A grandchild that kept the pipes open (under `sh`) does not hold the test up.
        let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
    }
    if feeder.is_finished() {
        if let Err(e) = feeder.await
            && e.is_panic()
        {
            panic!(
                "the script did not go as written\nstdout: {}\nstderr: {}",
                printed.text(true),
                printed.text(false)
            );
        }
    } else {
        // Left waiting (a step after the program's end): nothing more to feed.
        feeder.abort();
    }
    Run {
        status: status.code().unwrap_or(-1),
        stdout: printed.text(true),
        stderr: printed.text(false),
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
/// A listener that counts connections and never answers.
pub async fn silent_listener() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            // Kept open, unanswered, until the test ends.
            std::mem::forget(stream);
        }
    });
    (addr, count)
}

/// A point of a script where its feeder stops until the test lets it go on: the script
/// holds its two [`lines`](Self::lines), the test waits until it is [`reached`](Self::reached),
/// does what it must, then lets it [`go`](Self::go).
pub struct Checkpoint {
    reached: PathBuf,
    go: PathBuf,
}

impl Checkpoint {
    /// A checkpoint named `name`, its files in `dir`.
    pub fn new(dir: &std::path::Path, name: &str) -> Self {
        Checkpoint {
            reached: dir.join(format!("{name}.reached")),
            go: dir.join(format!("{name}.go")),
        }
    }

    /// The script's lines: say it got here, then wait for the go-ahead.
    pub fn lines(&self) -> [String; 2] {
        [
            format!("@touch {}", self.reached.display()),
            format!("@wait {}", self.go.display()),
        ]
    }

    /// Waits until the script got here.
    pub async fn reached(&self) {
        wait_until(|| self.reached.exists(), "the script's checkpoint").await;
    }

    /// Lets the script go on.
    pub fn go(&self) {
        std::fs::write(&self.go, "").unwrap();
    }
}

/// Waits until the simulator holds a Guid for `inspector` other than the one it holds now.
pub async fn rotated(sim: &RunningSim, inspector: &str) {
    let before = sim.current_guid(inspector);
    wait_until(|| sim.current_guid(inspector) != before, "a Guid rotation").await;
}

/// A rules file in `dir` with one alert: a queue with a caller waiting. Its path.
pub fn waiting_rule(dir: &std::path::Path) -> PathBuf {
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, "[[alerts]]\nrule = \"waiting\"\nover = 1\n").unwrap();
    rules
}

pub mod syslog;
