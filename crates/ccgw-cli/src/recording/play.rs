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

/// Carries out `ask`; says what failed.
async fn carry_out(playback: &Playback, ask: Ask) {
    let done = match ask {
        Ask::PauseOrResume if playback.state() == PlaybackState::Paused => playback.resume().await,
        Ask::PauseOrResume | Ask::Pause => playback.pause().await,
        Ask::Resume => playback.resume().await,
        Ask::Forward(s) => playback.forward(s).await,
        Ask::Rewind(s) => playback.rewind(s).await,
        Ask::Stop => return,
    };
    if let Err(e) = done {
        errln!("{e}\r");
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
            let why = listen(&playback, &mut signals).await;
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
async fn listen(playback: &Playback, signals: &mut crate::signals::Signals) -> String {
    let mut asks = Asks::open();
    let stopped = |s: PlaybackState| matches!(s, PlaybackState::Stopped(_));
    loop {
        tokio::select! {
            ask = asks.next() => match ask {
                None => return "end of input".to_owned(),
                Some(Ok(Ask::Stop)) => return "asked to".to_owned(),
                Some(Ok(ask)) => carry_out(playback, ask).await,
                Some(Err(e)) => errln!("{e}"),
            },
            ended = playback.wait_for_state(stopped, Duration::MAX) => {
                if let Ok(PlaybackState::Stopped(cause)) = ended {
                    return format!("{cause:?}").to_lowercase();
                }
            }
            signal = signals.any() => return signal.to_owned(),
            () = crate::stdio::stdout_closed() => return "output closed".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
