//! The signals that end a program politely: SIGINT (Ctrl-C), SIGTERM and SIGHUP. They are
//! registered before anything else, so that a line editor, which swaps its own SIGINT
//! handler in and out, hands ours back.

use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    pub fn register() -> std::io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
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

    /// The next Ctrl-C (SIGINT).
    pub async fn interrupt(&mut self) {
        self.interrupt.recv().await;
    }
}
