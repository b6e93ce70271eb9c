//! What the benches of `ccgw` share: a `ccgw sim` process on loopback that logs the
//! requests it answers, and a process's peak memory.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PASSWORD: &str = "Sim@12345";

/// A `ccgw sim` process and the requests it logged, by operationId.
pub struct Sim {
    child: Child,
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Sim {
    pub fn start(agents: u32, queues: u32) -> Sim {
        Sim::start_with(agents, queues, &[])
    }

    pub fn start_with(agents: u32, queues: u32, extra: &[&str]) -> Sim {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_ccgw"))
            .args(["sim", "--listen", &format!("127.0.0.1:{port}")])
            .args([
                "--agents",
                &agents.to_string(),
                "--queues",
                &queues.to_string(),
            ])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ccgw sim starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready, listening) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("listening on") {
                    let _ = ready.send(());
                }
                if let Some(at) = line.find("operation=\"") {
                    let rest = &line[at + 11..];
                    let op = rest.split('"').next().unwrap_or_default().to_owned();
                    lines.lock().unwrap().push(op);
                }
            }
        });
        listening
            .recv_timeout(Duration::from_secs(120))
            .expect("the simulator listens");
        Sim {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    pub fn logged(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn peak_mib(&self) -> f64 {
        peak_mib(self.child.id())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's peak resident memory, in MiB.
pub fn peak_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

/// `ccgw watch` against `sim` as inspector 101, with `rules`, keeping no journal; the
/// caller adds the rest.
pub fn watch_command(sim: &Sim, rules: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command
        .args([
            "watch",
            "--gateway",
            &sim.url,
            "--agent",
            "101",
            "--no-audit",
        ])
        .arg("--rules")
        .arg(rules)
        .env("CCGW_PASSWORD", PASSWORD)
        .env_remove("RUST_LOG");
    command
}

/// An HTTP receiver on loopback (a webhook, an Alertmanager stand-in): answers 503 until
/// `down_for` has passed since it started, 200 after; keeps each accepted body.
pub struct Receiver {
    pub url: String,
    accepted: Arc<Mutex<Vec<Vec<u8>>>>,
    refused: Arc<Mutex<u64>>,
}

impl Receiver {
    pub fn start(down_for_secs: u64) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0));
        let (kept, turned_away) = (accepted.clone(), refused.clone());
        let started = std::time::Instant::now();
        let down_for = Duration::from_secs(down_for_secs);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (kept, turned_away) = (kept.clone(), turned_away.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut length = 0;
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let lower = line.to_ascii_lowercase();
                            if let Some(v) = lower.strip_prefix("content-length:") {
                                length = v.trim().parse().unwrap_or(0);
                            }
                            if line == "\r\n" {
                                break;
                            }
                        }
                        let mut body = vec![0; length];
                        if reader.read_exact(&mut body).is_err() {
                            return;
                        }
                        let status = if started.elapsed() < down_for {
                            *turned_away.lock().unwrap() += 1;
                            "503 Service Unavailable"
                        } else {
                            kept.lock().unwrap().push(body);
                            "200 OK"
                        };
                        let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
                        if reader.get_mut().write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Receiver {
            url,
            accepted,
            refused,
        }
    }

    /// The bodies accepted, in order.
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.accepted.lock().unwrap().clone()
    }

    /// How many posts were refused while it was down.
    pub fn refused(&self) -> u64 {
        *self.refused.lock().unwrap()
    }
}
