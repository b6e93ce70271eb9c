//! The sign-out of last resort: every session a program signs in is remembered here, so
//! that a panic anywhere still signs it out before the program exits (see `main`).

use std::sync::Mutex;

use ccgw::Session;

static SIGNED_IN: Mutex<Vec<Session>> = Mutex::new(Vec::new());

/// Remembers a session that was just signed in.
pub fn remember(session: &Session) {
    let mut sessions = SIGNED_IN.lock().unwrap_or_else(|e| e.into_inner());
    sessions.retain(|s| !s.is_closed());
    sessions.push(session.clone());
    drop(sessions);
    // Every command remembers its session right after signing in: the one place to
    // prove, for each of them, that a panic still signs out.
    panic_if_asked();
}

/// Signs out every remembered session that is still signed in, waiting at most as long
/// as the slowest of their sign-outs may take.
pub async fn sign_out_all() {
    let sessions: Vec<Session> = SIGNED_IN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain(..)
        .filter(|s| !s.is_closed())
        .collect();
    let timeout = sessions
        .iter()
        .map(Session::longest_sign_out)
        .max()
        .unwrap_or_default();
    let all = futures::future::join_all(sessions.iter().map(Session::sign_out));
    match tokio::time::timeout(timeout, all).await {
        Ok(results) => {
            for e in results.into_iter().filter_map(Result::err) {
                errln!("sign-out failed: {e}");
            }
        }
        Err(_) => errln!("sign-out got no answer within {timeout:?}"),
    }
}

/// Panics on purpose after sign-in when `CCGW_PANIC_AFTER_SIGN_IN` is set: how the tests
/// prove that a panic still signs out.
fn panic_if_asked() {
    if std::env::var_os("CCGW_PANIC_AFTER_SIGN_IN").is_some() {
        panic!("CCGW_PANIC_AFTER_SIGN_IN is set");
    }
}
