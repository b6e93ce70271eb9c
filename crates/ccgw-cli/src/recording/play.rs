//! `ccgw recording play`: the recording plays to the inspector's phone; keys on a
//! terminal, one command a line when piped. Ends when the playback ends, at `q`, Esc,
//! Ctrl-C, `stop`, the end of input, a signal or a closed output; every way out stops the
//! playback and signs out.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use ccgw::{PlayOptions, Playback, PlaybackState};
use crossterm::event::{Event as TermEvent, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use tokio::io::AsyncBufReadExt;

use super::Target;
use crate::connect::ConnectionArgs;

/// How far the arrow keys skip.
const SKIP: u32 = 10;

/// Where the playback is, as this program reckons it: the gateway reports no position
/// (nor a recording's length), so it is counted from the start offset, the time spent
/// playing, and the skips the gateway accepted.
#[derive(Debug, Clone, Copy)]
struct Position {
    at: Duration,
    since: tokio::time::Instant,
    playing: bool,
}

impl Position {
    fn new(from: Duration) -> Self {
        Position {
            at: from,
            since: tokio::time::Instant::now(),
            playing: true,
        }
    }

    fn now(&self) -> Duration {
        if self.playing {
            self.at.saturating_add(self.since.elapsed())
        } else {
            self.at
        }
    }

    /// Moves to `now` and goes on playing or paused.
    fn set(&mut self, at: Duration, playing: bool) {
        self.at = at;
        self.since = tokio::time::Instant::now();
        self.playing = playing;
    }

    /// `0:42 playing`, `1:05 paused`.
    fn words(&self) -> String {
        let secs = self.now().as_secs();
        let state = if self.playing { "playing" } else { "paused" };
        format!("{}:{:02} {state}", secs / 60, secs % 60)
    }
}

/// Options of `ccgw recording play`.
#[derive(Debug, clap::Args)]
pub struct PlayArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    #[command(flatten)]
    target: Target,
    /// Start this many seconds in.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    from: u64,
}

/// What the listener asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    PauseOrResume,
    Pause,
    Resume,
    Forward(u32),
    Rewind(u32),
    Stop,
}

/// One piped command.
fn ask_of_line(line: &str) -> Result<Ask, String> {
    let line = line.trim();
    let seconds = |digits: &str| {
        digits
            .parse::<u32>()
            .ok()
            .filter(|s| *s >= 1)
            .ok_or_else(|| format!("{line:?}: skip 1 second or more"))
    };
    match line {
        "pause" => Ok(Ask::Pause),
        "resume" => Ok(Ask::Resume),
        "stop" | "quit" | "q" => Ok(Ask::Stop),
        _ if line.starts_with('+') => seconds(&line[1..]).map(Ask::Forward),
        _ if line.starts_with('-') => seconds(&line[1..]).map(Ask::Rewind),
        _ => Err(format!(
            "{line:?}: the commands are pause, resume, +SECS, -SECS and stop"
        )),
    }
}

/// One key, on a terminal.
fn ask_of_key(code: KeyCode, modifiers: KeyModifiers) -> Option<Ask> {
    match code {
        KeyCode::Char(' ') => Some(Ask::PauseOrResume),
        KeyCode::Right | KeyCode::Char('f') => Some(Ask::Forward(SKIP)),
        KeyCode::Left | KeyCode::Char('b') => Some(Ask::Rewind(SKIP)),
        KeyCode::Char('q') | KeyCode::Esc => Some(Ask::Stop),
        KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => Some(Ask::Stop),
        _ => None,
    }
}

/// Raw mode while it lives, so that single keys arrive; restored however it ends.
struct RawMode;

impl RawMode {
    fn enter() -> Option<RawMode> {
        crossterm::terminal::enable_raw_mode()
            .ok()
            .map(|()| RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// The listener's asks: keys on a terminal, lines otherwise; `None` at the end of input.
enum Asks {
    Keys(EventStream, #[allow(dead_code)] RawMode),
    Lines(tokio::io::Lines<tokio::io::BufReader<tokio::io::Stdin>>),
}

impl Asks {
    fn open() -> Asks {
        if std::io::stdin().is_terminal()
            && std::io::stdout().is_terminal()
            && let Some(raw) = RawMode::enter()
        {
            return Asks::Keys(EventStream::new(), raw);
        }
        Asks::Lines(tokio::io::BufReader::new(tokio::io::stdin()).lines())
    }

    async fn next(&mut self) -> Option<Result<Ask, String>> {
        match self {
            Asks::Keys(keys, _) => loop {
                match keys.next().await? {
                    Ok(TermEvent::Key(key)) if key.kind == KeyEventKind::Press => {
                        if let Some(ask) = ask_of_key(key.code, key.modifiers) {
                            return Some(Ok(ask));
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return None,
                }
            },
            Asks::Lines(lines) => loop {
                match lines.next_line().await {
                    Ok(Some(line)) if line.trim().is_empty() => {}
                    Ok(Some(line)) => return Some(ask_of_line(&line)),
                    _ => return None,
                }
            },
        }
    }
}

/// Carries out `ask`, moving `position` when the gateway did it; says what failed.
async fn carry_out(playback: &Playback, ask: Ask, position: &mut Position) {
    let now = position.now();
    let moved = match ask {
        Ask::Forward(s) => now.saturating_add(Duration::from_secs(s.into())),
        Ask::Rewind(s) => now.saturating_sub(Duration::from_secs(s.into())),
        _ => now,
    };
    // What the gateway accepted decides at once whether it plays: its own report of a
    // pause or resume comes later, as an event, if at all.
    let (done, playing) = match ask {
        Ask::PauseOrResume if !position.playing => (playback.resume().await, true),
        Ask::PauseOrResume | Ask::Pause => (playback.pause().await, false),
        Ask::Resume => (playback.resume().await, true),
        Ask::Forward(s) => (playback.forward(s).await, position.playing),
        Ask::Rewind(s) => (playback.rewind(s).await, position.playing),
        Ask::Stop => return,
    };
    match done {
        Ok(()) => position.set(moved, playing),
        Err(e) => errln!("{e}\r"),
    }
}

/// Plays the recording until it ends or the listener leaves; signs out on every way out.
pub async fn run(args: PlayArgs) -> ExitCode {
    let (recording, session, mut signals) =
        match super::start("recording play", &args.target, &args.connection).await {
            Ok(started) => started,
            Err(code) => return code,
        };
    let options = PlayOptions::default().from(Duration::from_secs(args.from));
    errln!("ringing your phone: answer it to hear the recording");
    let started = tokio::select! {
        started = session.play_with(&recording, options) => Some(started),
        signal = signals.any() => {
            errln!("{signal}: signing out");
            None
        }
    };
    let code = match started {
        Some(Ok(playback)) => {
            outln!("playing; space pauses and resumes, arrows skip {SKIP} s, q stops");
            let from = Duration::from_secs(args.from);
            let why = listen(&playback, &mut signals, Position::new(from)).await;
            if !matches!(playback.state(), PlaybackState::Stopped(_))
                && let Err(e) = playback.stop().await
            {
                errln!("stopping the playback failed: {e}");
            }
            outln!("stopped: {why}");
            ExitCode::SUCCESS
        }
        Some(Err(e)) => {
            errln!("ccgw recording play: {e}");
            ExitCode::from(1)
        }
        None => ExitCode::from(1),
    };
    super::finish(&session, &mut signals, code).await
}

/// Follows the listener's asks until the playback ends or they leave; says why it ended.
/// Shows where it is: on a terminal a line redrawn every second (`0:42 playing`), else a
/// line at each pause, resume and skip.
async fn listen(
    playback: &Playback,
    signals: &mut crate::signals::Signals,
    mut position: Position,
) -> String {
    let mut asks = Asks::open();
    let on_terminal = matches!(asks, Asks::Keys(..));
    let stopped = |s: PlaybackState| matches!(s, PlaybackState::Stopped(_));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // The state the gateway last reported: only a change of it (a pause or resume it made
    // by itself, or its late report of one asked for) moves the position.
    let mut reported = playback.state();
    let show = |position: &Position| {
        if on_terminal {
            // Carriage return and erase the line: raw mode, one line kept current.
            out!("\r\x1b[2K{}", position.words());
        } else {
            outln!("at {}", position.words());
        }
    };
    let why = loop {
        tokio::select! {
            ask = asks.next() => match ask {
                None => break "end of input".to_owned(),
                Some(Ok(Ask::Stop)) => break "asked to".to_owned(),
                Some(Ok(ask)) => {
                    carry_out(playback, ask, &mut position).await;
                    show(&position);
                }
                Some(Err(e)) => errln!("{e}"),
            },
            _ = tick.tick(), if on_terminal => {
                let now_reported = playback.state();
                if now_reported != reported {
                    reported = now_reported;
                    position.set(position.now(), reported != PlaybackState::Paused);
                }
                show(&position);
            }
            ended = playback.wait_for_state(stopped, Duration::MAX) => {
                if let Ok(PlaybackState::Stopped(cause)) = ended {
                    break format!("{cause:?}").to_lowercase();
                }
            }
            signal = signals.any() => break signal.to_owned(),
            () = crate::stdio::stdout_closed() => break "output closed".to_owned(),
        }
    };
    if on_terminal {
        // Off the redrawn line, for what follows.
        out!("\r\n");
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_position_counts_playing_time_and_skips_but_not_pauses() {
        let mut at = Position::new(Duration::from_secs(40));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(at.words(), "0:42 playing");
        at.set(at.now(), false);
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(at.words(), "0:42 paused", "a pause stops the clock");
        at.set(at.now() + Duration::from_secs(25), true);
        assert_eq!(at.words(), "1:07 playing");
    }

    #[test]
    fn piped_commands_and_keys_ask_for_what_they_say() {
        assert_eq!(ask_of_line(" pause "), Ok(Ask::Pause));
        assert_eq!(ask_of_line("+15"), Ok(Ask::Forward(15)));
        assert_eq!(ask_of_line("-3"), Ok(Ask::Rewind(3)));
        assert!(ask_of_line("+0").is_err(), "0 seconds is never sent");
        assert!(ask_of_line("dance").is_err());
        assert_eq!(
            ask_of_key(KeyCode::Char(' '), KeyModifiers::NONE),
            Some(Ask::PauseOrResume)
        );
        assert_eq!(
            ask_of_key(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Ask::Stop)
        );
        assert_eq!(
            ask_of_key(KeyCode::Right, KeyModifiers::NONE),
            Some(Ask::Forward(SKIP))
        );
    }
}
