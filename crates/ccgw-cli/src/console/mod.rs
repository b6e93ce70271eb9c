//! `ccgw console`: sign in, poll events in the background, and run one command per line,
//! from a script or, on a terminal, from a line editor. Every way out signs out first.

mod ask;
mod command;
mod editor;
mod input;
mod output;
mod reading;
mod review;
mod session;

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::connect::{self, ConnectionArgs};
use crate::signals::{self, Signals};
use editor::{Editor, KnownAgents, TerminalGuard};
use input::Source;
use output::Output;
use reading::{Ask, Input};
use session::{Console, Flow};

/// Options of `ccgw console`.
#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Print exactly one JSON object per line on standard output.
    #[arg(long)]
    json: bool,
}

fn cannot_start(why: impl std::fmt::Display) -> ExitCode {
    connect::cannot_start("console", why)
}

/// Runs the console until `quit`, the end of input, or a signal; signs out on every one.
pub async fn run(args: ConsoleArgs) -> ExitCode {
    let mut signals = match Signals::register() {
        Ok(signals) => signals,
        Err(e) => return cannot_start(format!("cannot watch for signals: {e}")),
    };
    let connect::Connection {
        client,
        request,
        settings,
    } = match connect::prepare(&args.connection) {
        Ok(connection) => connection,
        Err(e) => return cannot_start(e),
    };
    let known_agents = KnownAgents::default();
    let terminal = TerminalGuard::save();
    let (mut source, above_prompt) = if interactive() {
        match Editor::start(editor::history_path(), known_agents.clone()) {
            Ok((editor, printer)) => (Source::Editor(editor), Some(printer)),
            Err(e) => return cannot_start(format!("cannot start the line editor: {e}")),
        }
    } else {
        (Source::piped(), None)
    };
    let out = Output {
        json: args.json,
        above_prompt,
    };
    let mut console = match Console::sign_in(client.clone(), request, out, known_agents).await {
        Ok(console) => console,
        Err(e) => return cannot_start(connect::sign_in_failed(&e)),
    };
    errln!(
        "signed in as {} at {}; type help for commands",
        settings.agent,
        client.base_url()
    );

    match command_loop(&mut console, &mut source, &mut signals).await {
        Ending::Finished | Ending::OutputClosed => {}
        Ending::Signal(signal) => errln!("{signal}: signing out (Ctrl-C again to exit at once)"),
        Ending::SecondCtrlC => errln!("signing out (Ctrl-C again to exit at once)"),
    }
    let interactive = source.is_interactive();
    let signed_out = console.sign_out();
    let outcome =
        signals::sign_out_unless_interrupted(&mut signals, signed_out, source.interrupted()).await;
    if interactive {
        terminal.restore();
    }
    match outcome {
        Ok(()) => console.exit_code(),
        Err(code) => code,
    }
}

/// Whether a person is at a terminal on both ends: lines typed on standard input, and
/// results shown on standard output by a terminal that can draw a line editor. Otherwise
/// (`ccgw console --json | tee log`, `TERM=dumb`, a script) the console reads lines as a
/// script does.
fn interactive() -> bool {
    let dumb = std::env::var_os("TERM").is_none_or(|term| term == "dumb" || term.is_empty());
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal() && !dumb
}

/// Why the command loop ended.
enum Ending {
    /// `quit`, or the end of input.
    Finished,
    /// A signal arrived.
    Signal(&'static str),
    /// Ctrl-C twice in a row at an empty prompt.
    SecondCtrlC,
    /// Nobody reads standard output any more (a closed pipe, a hung-up terminal).
    OutputClosed,
}

/// What Ctrl-C at an empty prompt says.
const HOW_TO_LEAVE: &str = "(to leave, press Ctrl-C again, press Ctrl-D, or type quit)";

/// Reads and runs lines until `quit`, the end of input, a signal, a second Ctrl-C in a row
/// at the prompt, or a closed standard output. A command still running then is abandoned.
async fn command_loop(console: &mut Console, source: &mut Source, signals: &mut Signals) -> Ending {
    let mut interrupted = false;
    loop {
        let input = tokio::select! {
            input = source.next(Ask::Command) => input,
            signal = signals.any() => return Ending::Signal(signal),
            () = crate::stdio::stdout_closed() => return Ending::OutputClosed,
        };
        let line = match input {
            // Ctrl-C with text on the line clears it (the editor does that); on an empty
            // line it says how to leave, and a second one in a row leaves.
            Input::Interrupted if interrupted => return Ending::SecondCtrlC,
            Input::Interrupted => {
                interrupted = true;
                errln!("{HOW_TO_LEAVE}");
                continue;
            }
            Input::Line(line) => line,
            Input::Eof => return Ending::Finished,
        };
        interrupted = false;
        let flow = tokio::select! {
            flow = console.run_line(&line, source) => flow,
            signal = signals.any() => return Ending::Signal(signal),
            () = crate::stdio::stdout_closed() => return Ending::OutputClosed,
        };
        if let Flow::Quit = flow {
            return Ending::Finished;
        }
    }
}
