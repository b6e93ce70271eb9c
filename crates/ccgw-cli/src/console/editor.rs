//! The interactive console's line editor (rustyline): a prompt, history kept across
//! runs, completion of commands and of agent IDs used before, and event lines printed
//! above the prompt without breaking the line being typed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{
    Cmd, CompletionType, ConditionalEventHandler, Config, Context, Event, EventContext,
    EventHandler, ExternalPrinter, Helper, KeyEvent, Movement, RepeatCount,
};
use tokio::sync::mpsc;

use super::command::USAGE;
use super::reading::{Ask, Input};

/// The agent IDs the console has seen, for completion.
pub type KnownAgents = Arc<Mutex<BTreeSet<String>>>;

/// The prompt of a command line.
pub const PROMPT: &str = "ccgw> ";

/// The history file: `CCGW_HISTORY`, else `<state or data dir>/ccgw/console_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CCGW_HISTORY") {
        return Some(PathBuf::from(path));
    }
    dirs::state_dir()
        .or_else(dirs::data_dir)
        .map(|d| d.join("ccgw").join("console_history"))
}

struct Completion {
    agents: KnownAgents,
}

impl Completion {
    fn commands() -> impl Iterator<Item = &'static str> {
        USAGE
            .iter()
            .chain(super::review::USAGE)
            .filter_map(|(usage, _)| usage.split(' ').next())
    }
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(' ').map_or(0, |i| i + 1);
        let word = &before[start..];
        let pool: Vec<String> = if before[..start].trim().is_empty() {
            Self::commands().map(str::to_owned).collect()
        } else {
            let agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
            agents.iter().cloned().collect()
        };
        let candidates = pool
            .into_iter()
            .filter(|c| c.starts_with(word))
            .map(|c| Pair {
                display: c.clone(),
                replacement: format!("{c} "),
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for Completion {
    type Hint = String;
}
impl Highlighter for Completion {}
impl Validator for Completion {}
impl Helper for Completion {}

/// Ctrl-C clears a line that holds text, and interrupts only at an empty prompt (where the
/// console says how to leave, and a second one in a row leaves), as Node's REPL does.
struct ClearOrInterrupt;

impl ConditionalEventHandler for ClearOrInterrupt {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        if ctx.line().is_empty() {
            Some(Cmd::Interrupt)
        } else {
            Some(Cmd::Kill(Movement::WholeLine))
        }
    }
}

/// The editor, running on a thread of its own (a read blocks it), asked for one input
/// at a time.
pub struct Editor {
    asks: std::sync::mpsc::Sender<Ask>,
    inputs: mpsc::UnboundedReceiver<Input>,
    /// Whether the editor is reading now (an ask was sent and not answered yet).
    reading: bool,
}

/// Where event lines go so that they appear above the prompt.
pub type EventPrinter = std::sync::mpsc::Sender<String>;

impl Editor {
    /// Starts the editor with the history at `history` (if any).
    pub fn start(
        history: Option<PathBuf>,
        agents: KnownAgents,
    ) -> Result<(Editor, EventPrinter), String> {
        let config = Config::builder()
            .auto_add_history(false)
            .history_ignore_space(true)
            .completion_type(CompletionType::List)
            .completion_show_all_if_ambiguous(true)
            .max_history_size(1000)
            .map_err(|e| e.to_string())?
            .build();
        let mut rl: rustyline::Editor<Completion, DefaultHistory> =
            rustyline::Editor::with_config(config).map_err(|e| e.to_string())?;
        rl.set_helper(Some(Completion { agents }));
        rl.bind_sequence(
            KeyEvent::ctrl('C'),
            EventHandler::Conditional(Box::new(ClearOrInterrupt)),
        );
        if let Some(path) = &history {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            create_private(path);
            match rl.load_history(path) {
                Ok(()) => {}
                Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => errln!("cannot read the history {}: {e}", path.display()),
            }
        }
        let mut printer = rl.create_external_printer().map_err(|e| e.to_string())?;
        let (lines, to_print) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            // print() may wait for the editor, so it has a thread of its own.
            while let Ok(line) = to_print.recv() {
                if printer.print(line).is_err() {
                    return;
                }
            }
        });
        let (asks, asked) = std::sync::mpsc::channel::<Ask>();
        let (answers, inputs) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            while let Ok(ask) = asked.recv() {
                let (prompt, command) = match ask {
                    Ask::Command => (PROMPT.to_owned(), true),
                    Ask::Confirm(question) => (format!("{question} [y/N] "), false),
                };
                let input = match rl.readline(&prompt) {
                    Ok(line) => {
                        if command && !line.trim().is_empty() {
                            let _ = rl.add_history_entry(line.as_str());
                            if let Some(path) = &history {
                                let _ = rl.append_history(path);
                            }
                        }
                        Input::Line(line)
                    }
                    Err(ReadlineError::Interrupted) => Input::Interrupted,
                    Err(ReadlineError::Eof) => Input::Eof,
                    Err(e) => {
                        errln!("cannot read the terminal: {e}");
                        Input::Eof
                    }
                };
                if answers.send(input).is_err() {
                    return;
                }
            }
        });
        let editor = Editor {
            asks,
            inputs,
            reading: false,
        };
        Ok((editor, lines))
    }

    /// The next input; asks for it unless a read is already under way.
    pub async fn read(&mut self, ask: Ask) -> Input {
        if !self.reading {
            if self.asks.send(ask).is_err() {
                return Input::Eof;
            }
            self.reading = true;
        }
        let input = self.inputs.recv().await.unwrap_or(Input::Eof);
        self.reading = false;
        input
    }

    /// Waits for a Ctrl-C at a prompt that is still up.
    pub async fn interrupted(&mut self) {
        if !self.reading {
            return std::future::pending().await;
        }
        while let Some(input) = self.inputs.recv().await {
            if matches!(input, Input::Interrupted) {
                return;
            }
        }
        std::future::pending().await
    }
}

/// Creates `path` readable and writable by its owner alone, from the first byte, unless
/// it exists: the history holds what the inspector typed (agent and call IDs).
fn create_private(path: &std::path::Path) {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let _ = options.open(path);
}

/// The terminal's settings at start, put back on the way out: the editor may be reading
/// (raw mode) when the console exits.
pub struct TerminalGuard {
    saved: Option<libc::termios>,
}

impl TerminalGuard {
    pub fn save() -> TerminalGuard {
        // SAFETY: tcgetattr writes a termios for descriptor 0 or fails; an all-zero
        // termios is a valid value to hand it.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        let saved = (unsafe { libc::tcgetattr(0, &mut termios) } == 0).then_some(termios);
        TerminalGuard { saved }
    }

    pub fn restore(&self) {
        if let Some(termios) = &self.saved {
            // SAFETY: the termios came from tcgetattr on the same descriptor.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, termios) };
            // rustyline turns bracketed paste on while it reads.
            out!("\x1b[?2004l");
        }
    }
}
