//! Writing to standard output and standard error without ever panicking. `outln!`
//! panics when its write fails, and writes do fail: a pipe whose reader left
//! (`ccgw console --json | head -n 1`), a terminal that hung up (EIO). A print must never
//! stop a program before it signs out, so every print of this crate goes through here.
//!
//! A failed write to standard output means nobody reads the results any more: it is
//! remembered, and [`stdout_closed`] completes, so that a program can sign out and leave.
//! A failed write to standard error is ignored: it carries only notes for a person.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDOUT_CLOSED_SIGNAL: Notify = Notify::const_new();

/// Writes to standard output; once a write failed, writes nothing more.
pub fn write_out(text: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out.write_fmt(text).and_then(|()| out.flush()).is_err() {
        STDOUT_CLOSED.store(true, Ordering::SeqCst);
        STDOUT_CLOSED_SIGNAL.notify_waiters();
    }
}

/// Writes to standard error, ignoring a failure.
pub fn write_err(text: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(text);
}

/// Completes once a write to standard output failed.
pub async fn stdout_closed() {
    loop {
        let signal = STDOUT_CLOSED_SIGNAL.notified();
        if STDOUT_CLOSED.load(Ordering::SeqCst) {
            return;
        }
        signal.await;
    }
}

/// An error with the errors beneath it, `error: cause: deeper cause`, for a person: a TLS
/// failure's reason (an unknown issuer, an expired certificate) lives in a source, two or
/// three levels below what the client says. A cause whose words the text already holds is
/// left out.
pub struct Why<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut said = self.0.to_string();
        let mut source = self.0.source();
        while let Some(cause) = source {
            let words = cause.to_string();
            if !words.is_empty() && !said.contains(&words) {
                said.push_str(": ");
                said.push_str(&words);
            }
            source = cause.source();
        }
        f.write_str(&said)
    }
}

/// `out!` that never panics.
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdio::write_out(format_args!($($arg)*)) };
}

/// `outln!` that never panics.
macro_rules! outln {
    () => { $crate::stdio::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdio::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `err!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::stdio::write_err(format_args!($($arg)*)) };
}

/// `errln!` that never panics.
macro_rules! errln {
    () => { $crate::stdio::write_err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdio::write_err(format_args!("{}\n", format_args!($($arg)*))) };
}

#[cfg(test)]
mod tests {
    use super::Why;

    /// An error with a cause of its own.
    #[derive(Debug)]
    struct Caused(&'static str, Option<Box<Caused>>);

    impl std::fmt::Display for Caused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Caused {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|c| c as _)
        }
    }

    #[test]
    fn causes_are_told_once_each_and_empty_ones_not_at_all() {
        let deepest = Caused("invalid peer certificate: UnknownIssuer", None);
        let empty = Caused("", Some(Box::new(deepest)));
        let repeated = Caused("TLS failed", Some(Box::new(empty)));
        let top = Caused("sign-in: TLS failed", Some(Box::new(repeated)));
        assert_eq!(
            Why(&top).to_string(),
            "sign-in: TLS failed: invalid peer certificate: UnknownIssuer"
        );
    }
}
