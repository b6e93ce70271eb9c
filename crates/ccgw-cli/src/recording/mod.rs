//! `ccgw recording`: post-call review. `download` saves a recording to a file with a
//! progress bar on a terminal (plain lines otherwise); `play` plays it to the inspector's
//! phone with keys on a terminal (commands when piped). Both sign out on every way out,
//! and a playback is stopped first.

mod download;
mod play;

use std::process::ExitCode;

use ccgw::{Recording, Session};

use crate::connect::{self, ConnectionArgs};
use crate::signals::{self, Signals};

/// Post-call review of a recording (its file name, as `AgentMediaEvent_Record` gives it,
/// such as `y:/1/0/20181217/120/1524488.V3`).
#[derive(Debug, clap::Subcommand)]
pub enum RecordingCommand {
    /// Download a recording to a file, streamed and renamed into place when whole.
    Download(download::DownloadArgs),
    /// Play a recording to your own phone. On a terminal: space pauses and resumes, the
    /// right and left arrows (or f and b) skip 10 s, q or Esc stops. Piped: one command a
    /// line (`pause`, `resume`, `+SECS`, `-SECS`, `stop`). Every way out stops it.
    Play(play::PlayArgs),
}

/// The recording named on the command line, and where its node is.
#[derive(Debug, clap::Args)]
struct Target {
    /// The recording's file name.
    record: String,
    /// The node that holds it (from its event; needed in CTI-pool mode).
    #[arg(long, value_name = "ID")]
    location: Option<u16>,
}

impl Target {
    fn recording(&self) -> Result<Recording, String> {
        let recording = Recording::new(&self.record).map_err(|e| e.to_string())?;
        Ok(match self.location {
            Some(id) => recording.location(id),
            None => recording,
        })
    }
}

/// Runs a `ccgw recording` command.
pub async fn run(command: RecordingCommand) -> ExitCode {
    match command {
        RecordingCommand::Download(args) => download::run(args).await,
        RecordingCommand::Play(args) => play::run(args).await,
    }
}

/// Checks the recording named, then signs in for `what`, watching for signals from the
/// start.
async fn start(
    what: &str,
    target: &Target,
    connection: &ConnectionArgs,
) -> Result<(Recording, Session, Signals), ExitCode> {
    let recording = target
        .recording()
        .map_err(|e| connect::cannot_start(what, e))?;
    let connection = connect::prepare(connection).map_err(|e| connect::cannot_start(what, e))?;
    let signals = Signals::register()
        .map_err(|e| connect::cannot_start(what, format!("cannot watch for signals: {e}")))?;
    let session = connection
        .client
        .sign_in(connection.request)
        .await
        .map_err(|e| connect::cannot_start(what, connect::sign_in_failed(&e)))?;
    crate::last_resort::remember(&session);
    Ok((recording, session, signals))
}

/// Signs `session` out (which stops a playback first) and gives `code`, unless a second
/// signal says to hurry (130).
async fn finish(session: &Session, signals: &mut Signals, code: ExitCode) -> ExitCode {
    let signed_out = signals::sign_out(session);
    match signals::sign_out_unless_interrupted(signals, signed_out, std::future::pending()).await {
        Ok(()) => code,
        Err(hurried) => hurried,
    }
}
