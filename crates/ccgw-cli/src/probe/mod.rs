//! `ccgw probe`: a safe look at a real gateway. It signs in without taking over a session,
//! sends only read-only requests through the SDK (own state, the VDN's queues and their
//! agents, an agent's details and skills, a queue's length, statistics and waiting calls,
//! one talking agent's calls, a few event polls), signs out on every way out, and reports
//! how each answer came (status, charset, `Set-GUID`, cookies, latency) and how its shape
//! differs from the OpenAPI document: shapes, never values.

mod leaks;
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
    let host = reqwest::Url::parse(&connection.settings.gateway)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    let signing_in = connection.client.sign_in(connection.request);
    tokio::pin!(signing_in);
    let session = tokio::select! {
        signed_in = &mut signing_in => signed_in,
        signal = signals.any() => {
            errln!("{signal}: the probe did not finish; signing out");
            // The sign-in may already have reached the gateway and made a session there:
            // let it finish (it has its own time limit), so that the session it made is
            // the one signed out. A second signal leaves at once.
            let finished = async {
                if let Ok(session) = (&mut signing_in).await {
                    signals::sign_out(&session).await;
                }
            };
            return match signals::sign_out_unless_interrupted(
                &mut signals,
                finished,
                std::future::pending(),
            )
            .await
            {
                Ok(()) => ExitCode::from(1),
                Err(code) => code,
            };
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
        let limit = session.longest_sign_out();
        let sign_out = async {
            signed_out = Some(tokio::time::timeout(limit, session.sign_out()).await);
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
    let carried = leaks::carried(&document, &answers, host.as_deref());
    let report = Report::new(&document, steps, answers);
    let screen = summary(&report);
    let value = serde_json::to_value(&report).expect("reports serialize");
    if let Some(at) = leaks::first_leak(&carried, &value, &screen) {
        // Never expected: the report is made of closed sets and documented names.
        // Refuse rather than leak, and say where the value came from, not what it is.
        errln!(
            "ccgw probe: the report would repeat a value the gateway sent ({at}); \
             nothing shown or written"
        );
        return ExitCode::from(1);
    }
    let json = serde_json::to_string_pretty(&value).expect("reports serialize");
    for line in screen {
        outln!("{line}");
    }
    if let Some(path) = &args.report {
        if let Err(e) = write_private(path, &format!("{json}\n")) {
            errln!("ccgw probe: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        outln!(
            "report: {} (shapes only: no names, numbers, IDs, Guids, passwords or addresses)",
            path.display()
        );
    }
    if report.fits && report.unanswered() == 0 && cut_short.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes `text` to `path`, readable by its owner alone from the first byte (as every file
/// the programs write): a report holds no values, but where it goes is the user's choice.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}
