//! `ccgw console`: sign in, poll events in the background, and run one command per line
//! of standard input.

mod ask;
mod command;
mod output;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ccgw::{Client, Edition, ForceLogin, Session, SignIn};
use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};

use command::{Line, Remote};
use output::{Output, Report};

/// The gateway edition, which decides the range of agent IDs.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum EditionArg {
    /// Agent IDs 101 to 59999.
    Classic,
    /// Agent IDs 101 to 999999.
    Newest,
}

/// Options of `ccgw console`. The password comes from `CCGW_PASSWORD`, or from a hidden
/// prompt when standard input is a terminal.
#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    /// The gateway, e.g. https://gateway.example:8043 (or http://127.0.0.1:8043 for `ccgw sim`).
    #[arg(long, value_name = "URL")]
    gateway: String,
    /// The inspector's agent ID.
    #[arg(long, value_name = "ID")]
    agent: String,
    /// The phone number the inspector's audio rings on.
    #[arg(long, value_name = "NUM", default_value = "")]
    phone: String,
    /// Take the session over if the agent is already signed in elsewhere.
    #[arg(long)]
    force_login: bool,
    /// Print exactly one JSON object per line on standard output.
    #[arg(long)]
    json: bool,
    /// Also trust the CA certificate(s) in this PEM file.
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
    /// DANGEROUS: accept any TLS certificate. Anyone on the path can then read the password.
    #[arg(long)]
    danger_accept_invalid_certs: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    timeout: u64,
    /// The gateway edition, which decides the agent-ID range.
    #[arg(long, value_enum, default_value = "classic")]
    edition: EditionArg,
}

/// Could not start: exit status 2.
fn cannot_start(why: impl std::fmt::Display) -> ExitCode {
    eprintln!("ccgw console: {why}");
    ExitCode::from(2)
}

fn password() -> Result<String, String> {
    if let Ok(p) = std::env::var("CCGW_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("password: ")
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err("set CCGW_PASSWORD (standard input is not a terminal, so there is no prompt)".into())
}

fn build_client(args: &ConsoleArgs) -> Result<Client, String> {
    let mut builder = Client::builder(&args.gateway)
        .request_timeout(Duration::from_secs(args.timeout.max(1)))
        .edition(match args.edition {
            EditionArg::Classic => Edition::Classic,
            EditionArg::Newest => Edition::Newest,
        });
    if let Some(path) = &args.ca_cert {
        let pem =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        builder = builder
            .add_root_certificate_pem(&pem)
            .map_err(|e| e.to_string())?;
    }
    if args.danger_accept_invalid_certs {
        eprintln!("WARNING: TLS certificates are not verified; the password can be intercepted");
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Runs the console until `quit` or the end of input.
pub async fn run(args: ConsoleArgs) -> ExitCode {
    let out = Output { json: args.json };
    let client = match build_client(&args) {
        Ok(client) => client,
        Err(e) => return cannot_start(e),
    };
    let agent = match client.agent_id(&args.agent) {
        Ok(agent) => agent,
        Err(e) => return cannot_start(e),
    };
    let password = match password() {
        Ok(p) => p,
        Err(e) => return cannot_start(e),
    };
    let force = if args.force_login {
        ForceLogin::OnConflict
    } else {
        ForceLogin::Never
    };
    let session = match client
        .sign_in(SignIn::new(agent, password).phone(&args.phone).force(force))
        .await
    {
        Ok(session) => session,
        Err(e) => return cannot_start(format!("sign-in failed: {e}")),
    };
    eprintln!(
        "signed in as {} at {}; type help for commands",
        session.agent_id(),
        client.base_url()
    );

    let printed = Arc::new(AtomicU64::new(0));
    let quitting = Arc::new(AtomicBool::new(false));
    let printer = tokio::spawn(print_events(
        session.clone(),
        out,
        printed.clone(),
        quitting.clone(),
    ));
    let all_ok = read_commands(&session, out, &printed).await;
    quitting.store(true, Ordering::SeqCst);
    if let Err(e) = session.sign_out().await {
        eprintln!("sign-out failed: {e}");
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), printer).await;
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints events as they arrive. The end of the session is reported only when the
/// gateway ended it, not when the console signed out.
async fn print_events(
    session: Session,
    out: Output,
    printed: Arc<AtomicU64>,
    quitting: Arc<AtomicBool>,
) {
    let mut events = session.events();
    while let Some(event) = events.next().await {
        let ended = event.event_type == ccgw::EventType::SessionEnded;
        if !(ended && quitting.load(Ordering::SeqCst)) {
            out.event(&event);
            printed.fetch_add(1, Ordering::SeqCst);
        }
        if ended {
            if !quitting.load(Ordering::SeqCst) {
                eprintln!(
                    "the gateway ended the session; commands will fail until you sign in again"
                );
            }
            break;
        }
    }
}

/// Reads and runs lines; returns whether every command succeeded.
async fn read_commands(session: &Session, out: Output, printed: &AtomicU64) -> bool {
    let edition = session.client().edition();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut all_ok = true;
    loop {
        let line = match lines.next_line().await {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                eprintln!("cannot read standard input: {e}");
                all_ok = false;
                break;
            }
        };
        match command::parse(&line, edition) {
            Ok(Line::Nothing) => {}
            Ok(Line::Help) => out.help(),
            Ok(Line::Quit) => break,
            Ok(Line::Events) => settle_events(printed).await,
            Ok(Line::Ask(word, question)) => {
                let outcome = ask::ask(session, &question).await;
                all_ok &= outcome.is_ok();
                let work_no = question.work_no().map(|a| a.to_string());
                out.result(word, work_no.as_deref(), &outcome);
            }
            Ok(Line::Remote(word, remote)) => {
                let outcome = execute(session, &remote).await.map(|()| Report::done());
                all_ok &= outcome.is_ok();
                let work_no = match &remote {
                    Remote::DropCall(call) => Some(call.to_string()),
                    other => other.work_no().map(|a| a.to_string()),
                };
                out.result(word, work_no.as_deref(), &outcome);
            }
            Err(rejected) => {
                all_ok = false;
                out.rejected(&rejected);
            }
        }
    }
    all_ok
}

/// Waits until events stop arriving for a moment (at most 3 s), so that a script sees
/// the events its commands triggered before going on.
async fn settle_events(printed: &AtomicU64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let before = printed.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(600)).await;
        if printed.load(Ordering::SeqCst) == before || tokio::time::Instant::now() >= deadline {
            return;
        }
    }
}

async fn execute(session: &Session, remote: &Remote) -> Result<(), ccgw::Error> {
    match remote {
        Remote::Listen(a) => session.listen(a).await,
        Remote::Insert(a) => session.insert(a).await,
        Remote::Whisper(a) => session.whisper(a).await,
        Remote::Switch(a) => session.switch_listen_insert(a).await,
        Remote::Mode(a, mode) => session.set_mode(a, *mode).await,
        Remote::Stop(a) => session.stop(a).await,
        Remote::StopWhisper(a) => session.stop_whisper(a).await,
        Remote::Intercept(a, None) => session.intercept(a).await,
        Remote::Intercept(a, Some(call)) => session.intercept_call(a, call).await,
        Remote::ForceBusy(a) => session.force_busy(a).await,
        Remote::ForceIdle(a) => session.force_idle(a).await,
        Remote::ForceRest(a, seconds, reason) => session.force_rest(a, *seconds, *reason).await,
        Remote::ForceLogout(a) => session.force_sign_out(a).await,
        Remote::DropCall(call) => session.force_release_call(call).await,
        Remote::AdjustSkill(a, skills) => session.adjust_skills(a, skills).await,
    }
}
