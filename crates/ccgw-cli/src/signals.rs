//! The signals that end a program politely: SIGINT (Ctrl-C), SIGTERM and SIGHUP, and the
//! way out the console and the board share. The signals are registered once, before
//! anything else (so that a line editor, which swaps its own SIGINT handler in and out,
//! hands ours back) and kept until the program exits, so that none is ever missed.

use crate::stdio::Why;
use std::future::Future;
use std::process::ExitCode;

use ccgw::Session;
use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    pub fn register() -> std::io::Result<Signals> {
        // tokio sets up its signal handling on first use and panics when the process has
        // no file descriptor left for it: an error here, as any other that stops a start.
        std::panic::catch_unwind(|| {
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
            })
        })
        .unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "cannot set up signal handling (too many open files?)",
            ))
        })
    }

    /// The next of the three, by name.
    pub async fn any(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.hangup.recv() => "SIGHUP",
        }
    }

    /// The next SIGINT or SIGTERM, by name. A SIGHUP is left out: a terminal that hangs
    /// up sends it twice (to the session's leader and to its foreground group), and the
    /// second is no person asking to hurry.
    async fn interrupt_or_terminate(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Runs `sign_out` unless a second SIGINT or SIGTERM (or `typed_interrupt`: a Ctrl-C typed
/// at a prompt that is still up) arrives first; then says so and gives the exit status
/// 130, for leaving at once without waiting for the gateway.
pub async fn sign_out_unless_interrupted(
    signals: &mut Signals,
    sign_out: impl Future<Output = ()>,
    typed_interrupt: impl Future<Output = ()>,
) -> Result<(), ExitCode> {
    tokio::select! {
        () = sign_out => Ok(()),
        signal = signals.interrupt_or_terminate() => {
            errln!("{signal}: exiting without waiting for the sign-out");
            Err(ExitCode::from(130))
        }
        () = typed_interrupt => {
            errln!("interrupted again: exiting without waiting for the sign-out");
            Err(ExitCode::from(130))
        }
    }
}

/// Signs `session` out, waiting at most as long as its sign-out may take (the stop of a
/// playback, then the sign-out request: [`Session::longest_sign_out`]), and says so when
/// it failed. The outcome never changes a program's exit status: the commands' results do.
pub async fn sign_out(session: &Session) {
    let timeout = session.longest_sign_out();
    match tokio::time::timeout(timeout, session.sign_out()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => errln!("sign-out failed: {}", Why(&e)),
        Err(_) => errln!("sign-out got no answer within {timeout:?}"),
    }
}
