//! A syslog collector on loopback for the audit anchors: the system's rsyslogd (CI
//! installs it and requires it), else, on a machine without it, the smallest TCP
//! listener that takes RFC 6587 octet-counted RFC 5424 messages and writes one a line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Collector {
    /// `host:port` to send to.
    pub address: String,
    /// The file the collector writes what it receives to.
    pub log: PathBuf,
    daemon: Option<Child>,
    _dir: tempfile::TempDir,
}

fn rsyslogd() -> Option<PathBuf> {
    let mut places: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    places.push("/usr/sbin".into());
    places
        .into_iter()
        .map(|dir| dir.join("rsyslogd"))
        .find(|path| path.is_file())
}

fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "not {what} within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Collector {
    pub fn start() -> Collector {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("anchors.log");
        match rsyslogd() {
            Some(daemon) => Collector::rsyslog(&daemon, dir, log),
            None if std::env::var_os("CI").is_some() => {
                panic!("CI installs rsyslog (.ci/run): rsyslogd was not found")
            }
            None => Collector::listener(dir, log),
        }
    }

    fn rsyslog(daemon: &Path, dir: tempfile::TempDir, log: PathBuf) -> Collector {
        let at = dir.path();
        let port_file = at.join("port");
        let config = at.join("rsyslog.conf");
        std::fs::write(
            &config,
            format!(
                "global(workDirectory=\"{dir}\")\n\
                 module(load=\"imtcp\")\n\
                 input(type=\"imtcp\" address=\"127.0.0.1\" port=\"0\" listenPortFileName=\"{port}\")\n\
                 *.* action(type=\"omfile\" file=\"{log}\")\n",
                dir = at.display(),
                port = port_file.display(),
                log = log.display()
            ),
        )
        .unwrap();
        let child = Command::new(daemon)
            .arg("-n")
            .arg("-f")
            .arg(&config)
            .arg("-i")
            .arg(at.join("pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsyslogd starts");
        let mut collector = Collector {
            address: String::new(),
            log,
            daemon: Some(child),
            _dir: dir,
        };
        wait_for("rsyslogd listening", || {
            std::fs::read_to_string(&port_file).is_ok_and(|p| p.trim().parse::<u16>().is_ok())
        });
        let port = std::fs::read_to_string(&port_file).unwrap();
        collector.address = format!("127.0.0.1:{}", port.trim());
        collector
    }

    fn listener(dir: tempfile::TempDir, log: PathBuf) -> Collector {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let out = log.clone();
        std::fs::write(&out, "").unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let out = out.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut length = Vec::new();
                        if reader.read_until(b' ', &mut length).unwrap_or(0) == 0 {
                            return;
                        }
                        let Ok(length) = String::from_utf8_lossy(&length).trim().parse::<usize>()
                        else {
                            return;
                        };
                        let mut message = vec![0; length];
                        if reader.read_exact(&mut message).is_err() {
                            return;
                        }
                        let mut file = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
                        file.write_all(&message).unwrap();
                        file.write_all(b"\n").unwrap();
                    }
                });
            }
        });
        Collector {
            address,
            log,
            daemon: None,
            _dir: dir,
        }
    }

    /// Whether a real daemon collects.
    pub fn is_rsyslog(&self) -> bool {
        self.daemon.is_some()
    }

    /// The heads received so far.
    pub fn heads(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("ccgw audit head ")
            .count()
    }

    /// Waits until the log holds `count` heads (10 s at most), then returns its text.
    pub fn wait_for_heads(&self, count: usize) -> String {
        wait_for(&format!("{count} heads in the log"), || {
            self.heads() >= count
        });
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        if let Some(child) = &mut self.daemon {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
