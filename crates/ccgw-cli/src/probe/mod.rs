//! `ccgw probe`: a safe look at a real gateway. It signs in without taking over a session,
//! sends only read-only requests through the SDK (own state, the VDN's queues and their
//! agents, an agent's details and skills, a queue's length, statistics and waiting calls,
//! one talking agent's calls, a few event polls), signs out on every way out, and reports
//! how each answer came (status, charset, `Set-GUID`, cookies, latency) and how its shape
//! differs from the OpenAPI document: shapes, never values.

mod record;
mod report;
mod shape;
mod steps;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::connect::{self, ConnectionArgs};
use crate::signals::{self, Signals};

pub use report::{Report, summary};

/// Options of `ccgw probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Also write the report, as JSON, to this file (shapes only: safe to share).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// How many event polls to wait for (each waits up to the gateway's poll time).
    #[arg(long, value_name = "N", default_value_t = 3)]
    polls: usize,
    /// The longest time to wait for them, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 35)]
    poll_secs: u64,
}

fn cannot_start(why: impl std::fmt::Display) -> ExitCode {
    connect::cannot_start("probe", why)
}

/// Probes the gateway, prints the summary and writes the report. Exit status: 0 when the
/// SDK fits the gateway, 1 when it does not (or the probe was cut short), 2 when it could
/// not start.
pub async fn run(args: ProbeArgs) -> ExitCode {
    if args.connection.force_login || args.connection.recover {
        return cannot_start(
            "the probe never takes over a session: --force-login and --recover are refused",
        );
    }
    let document = match shape::Document::load() {
        Ok(document) => document,
        Err(e) => return cannot_start(e),
    };
    let recorder = Arc::new(record::Recorder::default());
    let tap = recorder.clone();
    let connection = match connect::prepare_with(&args.connection, |b| b.answer_tap(tap)) {
        Ok(connection) => connection,
        Err(e) => return cannot_start(e),
    };
    let mut signals = match Signals::register() {
        Ok(signals) => signals,
        Err(e) => return cannot_start(format!("cannot watch for signals: {e}")),
    };
    let timeout = Duration::from_secs(connection.settings.timeout_secs);
    let host = reqwest::Url::parse(&connection.settings.gateway)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    let session = tokio::select! {
        signed_in = connection.client.sign_in(connection.request) => signed_in,
        signal = signals.any() => {
            errln!("{signal}: the probe did not finish");
            // A sign-in cut short may still have reached the gateway.
            crate::last_resort::sign_out_all(timeout).await;
            return ExitCode::from(1);
        }
    };
    let mut steps = vec![steps::step("signIn", session.as_ref().map(|_| ()))];
    let mut cut_short = None;
    if let Ok(session) = &session {
        crate::last_resort::remember(session);
        let wait = steps::PollWait {
            polls: args.polls,
            limit: Duration::from_secs(args.poll_secs),
        };
        tokio::select! {
            () = steps::run(session, &recorder, wait, &mut steps) => {}
            signal = signals.any() => cut_short = Some(signal),
        }
        if let Some(signal) = cut_short {
            errln!("{signal}: signing out; the probe did not finish");
        }
        let mut signed_out = None;
        let sign_out = async {
            signed_out = Some(tokio::time::timeout(timeout, session.sign_out()).await);
        };
        if let Err(code) =
            signals::sign_out_unless_interrupted(&mut signals, sign_out, std::future::pending())
                .await
        {
            return code;
        }
        steps.push(match signed_out {
            Some(Ok(result)) => steps::step("signOut", result.as_ref().map(|_| ())),
            _ => report::Step {
                operation: "signOut".to_owned(),
                outcome: "failed: no answer in time".to_owned(),
            },
        });
    }
    let answers = recorder.take();
    let mut secrets: Vec<String> = answers.iter().flat_map(|a| a.secrets.clone()).collect();
    secrets.extend(host);
    let report = Report::new(&document, steps, answers);
    let json = serde_json::to_string_pretty(&report).expect("reports serialize");
    if secrets.iter().any(|s| json.contains(s.as_str())) {
        // Never expected: the report is made of closed sets. Refuse rather than leak.
        errln!("ccgw probe: the report would hold a header value or the host; not written");
        return ExitCode::from(1);
    }
    for line in summary(&report) {
        outln!("{line}");
    }
    if let Some(path) = &args.report {
        if let Err(e) = std::fs::write(path, format!("{json}\n")) {
            errln!("ccgw probe: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        outln!(
            "report: {} (shapes only: no names, numbers, IDs, Guids, passwords or addresses)",
            path.display()
        );
    }
    if report.fits && cut_short.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
