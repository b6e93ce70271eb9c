//! Post-call review in the console: `play RECORD [SECS]` plays a recording to the
//! inspector's phone, `pause`, `resume`, `forward SECS`, `rewind SECS` and `stop-play`
//! control it, `download RECORD FILE` saves one. The session's sign-out stops a playback
//! still running, whichever way the console ends.

use std::path::PathBuf;
use std::time::Duration;

use ccgw::{Error, PlayOptions, PlayStopCause, Playback, PlaybackState, Recording, Session};
use serde_json::{Map, json};

use super::command::{Line, Rejected};
use super::output::Report;

/// A review command, checked before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Play(Recording, u64),
    Pause,
    Resume,
    Forward(u32),
    Rewind(u32),
    StopPlay,
    Download(Recording, PathBuf),
}

/// The review commands and their arguments, for `help`.
pub const USAGE: &[(&str, &str)] = &[
    (
        "play RECORD [SECS]",
        "play a recording to your phone (from SECS)",
    ),
    ("pause", "pause the playback"),
    ("resume", "resume the playback"),
    ("forward SECS", "skip the playback forward (1 s or more)"),
    ("rewind SECS", "skip the playback back (1 s or more)"),
    ("stop-play", "stop the playback"),
    (
        "download RECORD FILE",
        "save a recording to FILE (private to you)",
    ),
];

/// The line of review command `name`, or `None` when `name` is no review command.
pub fn parse(name: &str, args: &[&str]) -> Option<Result<Line, Rejected>> {
    let reject = |reason: String| Rejected {
        command: name.chars().take(40).collect(),
        argument: args.first().map(|w| w.chars().take(40).collect()),
        reason,
    };
    let usage = || {
        let usage = USAGE
            .iter()
            .find(|(u, _)| u.split(' ').next() == Some(name))
            .map_or(name, |(u, _)| u);
        reject(format!("usage: {usage}"))
    };
    let recording = |text: &str| Recording::new(text).map_err(|e| reject(e.to_string()));
    let seconds = |text: &str| {
        text.parse::<u32>()
            .ok()
            .filter(|s| *s >= 1)
            .ok_or_else(|| reject("SECS must be 1 or more".into()))
    };
    let (word, review) = match (name, args) {
        ("play", [record]) => ("play", recording(record).map(|r| Review::Play(r, 0))),
        ("play", [record, from]) => (
            "play",
            recording(record).and_then(|r| {
                let from = from
                    .parse::<u64>()
                    .map_err(|_| reject("SECS must be a number of seconds".into()))?;
                Ok(Review::Play(r, from))
            }),
        ),
        ("pause", []) => ("pause", Ok(Review::Pause)),
        ("resume", []) => ("resume", Ok(Review::Resume)),
        ("forward", [secs]) => ("forward", seconds(secs).map(Review::Forward)),
        ("rewind", [secs]) => ("rewind", seconds(secs).map(Review::Rewind)),
        ("stop-play", []) => ("stop-play", Ok(Review::StopPlay)),
        ("download", [record, file]) => (
            "download",
            recording(record).map(|r| Review::Download(r, PathBuf::from(file))),
        ),
        ("play" | "pause" | "resume" | "forward" | "rewind" | "stop-play" | "download", _) => {
            return Some(Err(usage()));
        }
        _ => return None,
    };
    Some(review.map(|r| Line::Review(word, r)))
}

fn playback_report(state: &str) -> Report {
    let mut report = Report::done();
    report.fields.insert("playback".into(), json!(state));
    report.text = format!("playback {state}");
    report
}

/// Runs `review`; `playback` is the console's running playback, if any. `Err` is why it
/// was not sent: a control with no playback running.
pub async fn run(
    session: &Session,
    playback: &mut Option<Playback>,
    review: &Review,
) -> Result<Result<Report, Error>, &'static str> {
    if let Some(p) = playback.as_ref()
        && matches!(p.state(), PlaybackState::Stopped(_))
    {
        *playback = None;
    }
    match review {
        Review::Play(recording, from) => {
            if let Some(old) = playback.take()
                && let Err(e) = old.stop().await
            {
                return Ok(Err(e));
            }
            let options = PlayOptions::default().from(Duration::from_secs(*from));
            Ok(session.play_with(recording, options).await.map(|started| {
                *playback = Some(started);
                playback_report("playing")
            }))
        }
        Review::Download(recording, file) => {
            let done = match session.download_recording(recording, file).await {
                Ok(done) => done,
                Err(e) => return Ok(Err(e)),
            };
            let mut fields = Map::new();
            fields.insert("retcode".into(), json!("0"));
            fields.insert("file".into(), json!(done.path.display().to_string()));
            fields.insert("bytes".into(), json!(done.bytes));
            Ok(Ok(Report {
                fields,
                text: format!("saved {} ({} bytes)", done.path.display(), done.bytes),
            }))
        }
        control => {
            let Some(running) = playback.as_ref() else {
                return Err("no playback is running: play RECORD first");
            };
            Ok(match control {
                Review::Pause => running.pause().await.map(|()| playback_report("paused")),
                Review::Resume => running.resume().await.map(|()| playback_report("playing")),
                Review::Forward(s) => running.forward(*s).await.map(|()| Report::done()),
                Review::Rewind(s) => running.rewind(*s).await.map(|()| Report::done()),
                _ => running.stop().await.map(|cause| {
                    *playback = None;
                    let mut report = playback_report("stopped");
                    if cause != PlayStopCause::Stopped {
                        report.text = format!("playback stopped ({cause:?})");
                    }
                    report
                }),
            })
        }
    }
}
