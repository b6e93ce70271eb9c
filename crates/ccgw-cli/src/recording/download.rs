//! `ccgw recording download`: the file, streamed to a temporary name and renamed when
//! whole; a progress bar on a terminal (bytes, rate, time left when the size is known),
//! a plain line every few seconds otherwise.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ccgw::{DownloadOptions, DownloadProgress, RecordingKind};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Target;
use crate::connect::ConnectionArgs;

/// Options of `ccgw recording download`.
#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    #[command(flatten)]
    target: Target,
    /// Where to save it: a new file, written private to its owner (an existing file is
    /// refused unless --force; a link, a folder or a device always is).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Replace the file at --output if one exists (a regular file only).
    #[arg(long)]
    force: bool,
    /// The longest the whole download may take, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = ccgw::DEFAULT_MAX_DOWNLOAD_TIME.as_secs())]
    max_time: u64,
    /// It is an IVR or third-party voice message, not a call recording.
    #[arg(long)]
    voice_message: bool,
}

/// How progress is shown.
enum Shown {
    Bar(ProgressBar),
    /// The last time a line was written.
    Lines(Instant),
}

/// Shows progress on standard error: a bar on a terminal, else a line every 2 s.
fn reporter() -> impl FnMut(DownloadProgress) + Send + 'static {
    let shown = Arc::new(Mutex::new(None::<Shown>));
    move |p: DownloadProgress| {
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        let shown = shown.get_or_insert_with(|| {
            if std::io::stderr().is_terminal() {
                let bar = match p.total {
                    Some(total) => ProgressBar::new(total).with_style(
                        ProgressStyle::with_template(
                            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta} left",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    ),
                    None => ProgressBar::new_spinner().with_style(
                        ProgressStyle::with_template("{spinner} {bytes} {binary_bytes_per_sec}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
                };
                bar.set_draw_target(ProgressDrawTarget::stderr());
                Shown::Bar(bar)
            } else {
                Shown::Lines(Instant::now())
            }
        });
        match shown {
            Shown::Bar(bar) => bar.set_position(p.received),
            Shown::Lines(last) => {
                let done = p.total == Some(p.received);
                if done || last.elapsed() >= Duration::from_secs(2) {
                    *last = Instant::now();
                    match p.total {
                        Some(total) => errln!("downloaded {} of {total} bytes", p.received),
                        None => errln!("downloaded {} bytes", p.received),
                    }
                }
            }
        }
    }
}

/// Downloads the recording; signs out on every way out.
pub async fn run(args: DownloadArgs) -> ExitCode {
    let checked = DownloadOptions::default()
        .overwrite(args.force)
        .check_target(&args.output);
    if let Err(e) = checked {
        // Before the sign-in: nothing is sent for a download that could not be saved.
        return crate::connect::cannot_start("recording download", e);
    }
    let (recording, session, mut signals) =
        match super::start("recording download", &args.target, &args.connection).await {
            Ok(started) => started,
            Err(code) => return code,
        };
    let kind = if args.voice_message {
        RecordingKind::VoiceMessage
    } else {
        RecordingKind::Call
    };
    let options = DownloadOptions::default()
        .kind(kind)
        .overwrite(args.force)
        .max_time(Duration::from_secs(args.max_time))
        .on_progress(reporter());
    let outcome = tokio::select! {
        done = session.download_recording_with(&recording, &args.output, options) => Some(done),
        signal = signals.any() => {
            errln!("{signal}: the download stopped; nothing was saved; signing out");
            None
        }
    };
    let code = match outcome {
        Some(Ok(done)) => {
            outln!("saved {} ({} bytes)", done.path.display(), done.bytes);
            ExitCode::SUCCESS
        }
        Some(Err(e)) => {
            errln!("ccgw recording download: {e}; nothing was saved");
            ExitCode::from(1)
        }
        None => ExitCode::from(1),
    };
    super::finish(&session, &mut signals, code).await
}
