//! `ccgw`: an inspector console for CC-Gateway quality control, a guided demo against
//! the built-in simulator, and the simulator itself.

// First, so that its print macros are in scope in every module below.
#[macro_use]
mod stdio;

mod alerts;
mod audit;
mod board;
mod clock;
mod connect;
mod console;
mod demo;
mod export;
mod last_resort;
mod probe;
mod recording;
mod signals;
mod sim;
mod watch;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Real-time quality control on a Huawei CC-Gateway: listen, insert, whisper, intercept,
/// and force agent states, from a terminal or a script.
#[derive(Debug, Parser)]
#[command(name = "ccgw", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Walk through a whole inspection against a built-in simulator (no gateway needed).
    Demo,
    /// Serve the CC-Gateway simulator until Ctrl-C, SIGTERM or SIGHUP.
    Sim(sim::SimArgs),
    /// Sign in to a gateway and run quality-control commands read from standard input.
    ///
    /// One command per line (type `help`), so it works interactively and from a pipe or
    /// script. On a terminal it has a prompt, line editing, history and completion.
    /// The password comes from --password-file, the CCGW_PASSWORD environment variable,
    /// or a hidden prompt when standard input is a terminal. At the prompt, Ctrl-C clears
    /// a line with text; on an empty line it says how to leave, and a second Ctrl-C in a
    /// row leaves. Every way out (quit, end of input, that second Ctrl-C, SIGINT, SIGTERM,
    /// SIGHUP, a closed standard output, a panic) signs the session out first; a second
    /// SIGINT or SIGTERM while signing out exits at once. Interactive only with a terminal on both
    /// ends. With --json, one JSON object a line (see console-lines.schema.json). Exit
    /// status: 0 when every command succeeded, 1 when any failed, 2 when the console could
    /// not start, 101 after an internal error, 130 after a second signal; a declined
    /// confirmation, a command cut off by a signal and a failed sign-out do not count.
    Console(console::ConsoleArgs),
    /// A live wallboard of the inspector's agents: select one and listen, insert,
    /// whisper, switch, stop or act on it with one key (`?` lists the keys). `--sim`
    /// watches a built-in simulator. `q`, Ctrl-C, SIGTERM and SIGHUP sign out first.
    Board(board::BoardArgs),
    /// Run the alert rules of the settings file (or --rules FILE) without a screen:
    /// one JSON line per alert raised or cleared, also POSTed to --webhook. Signs out on
    /// every way out.
    Watch(watch::WatchArgs),
    /// Check that this SDK fits a gateway, safely: sign in without taking over, send only
    /// read-only requests, sign out, and report how the answers' shapes differ from the
    /// OpenAPI document (--report FILE: JSON with shapes only, never values, to share).
    /// Exit status 0 when the SDK fits, 1 when it does not, 2 when it could not start.
    Probe(probe::ProbeArgs),
    /// Post-call review: download a recording, or play it to your phone.
    Recording {
        #[command(subcommand)]
        command: recording::RecordingCommand,
    },
    /// Work with the audit journal the console and the board keep of every
    /// state-changing request (`CCGW_AUDIT`, else `<state dir>/ccgw/audit.jsonl`).
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Print a shell completion script, e.g. `ccgw completions bash > /etc/bash_completion.d/ccgw`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// Logs go to standard error; `RUST_LOG` overrides the default level.
fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // tokio's signal driver panics, rather than failing, when no file descriptor is left
    // for it: a start that cannot be made either way says so with status 2.
    // Its panic message is not for the user: the hook is silenced while nothing else runs.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let runtime = std::panic::catch_unwind(tokio::runtime::Runtime::new).unwrap_or_else(|_| {
        Err(std::io::Error::other(
            "cannot set up signal handling (too many open files?)",
        ))
    });
    std::panic::set_hook(hook);
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            errln!("ccgw: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    // A panic anywhere below unwinds to here: sign out whatever was signed in first.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli, &runtime)));
    let code = ran.unwrap_or_else(|_| {
        errln!("ccgw: stopped on an internal error; signing out");
        runtime.block_on(last_resort::sign_out_all());
        ExitCode::from(101)
    });
    // A read of standard input may still be blocked on a thread: do not wait for it.
    runtime.shutdown_background();
    code
}

fn run(cli: Cli, runtime: &tokio::runtime::Runtime) -> ExitCode {
    match cli.command {
        Command::Demo => {
            init_logging("warn");
            runtime.block_on(demo::run())
        }
        Command::Sim(args) => {
            init_logging("info");
            runtime.block_on(sim::run(args))
        }
        Command::Board(args) => {
            init_logging("off");
            runtime.block_on(board::run(args))
        }
        Command::Console(args) => {
            init_logging("warn");
            runtime.block_on(console::run(args))
        }
        Command::Audit { command } => audit::run(command),
        Command::Recording { command } => {
            init_logging("warn");
            runtime.block_on(recording::run(command))
        }
        Command::Probe(args) => {
            init_logging("warn");
            runtime.block_on(probe::run(args))
        }
        Command::Watch(args) => {
            init_logging("warn");
            runtime.block_on(watch::run(args))
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ccgw", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            ExitCode::SUCCESS
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
