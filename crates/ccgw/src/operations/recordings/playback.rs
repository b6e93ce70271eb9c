//! Playing a recording to the inspector's own phone: the gateway rings it, plays the file
//! once it is off-hook, and reports every step as an event. A [`Playback`] awaits the
//! outcome (the request's answer only says "accepted"), offers pause, resume, skip and
//! stop, knows its state from the events, and stops the playback when dropped or when the
//! session signs out. Each control is a state-changing request: sent once, never again,
//! and journaled like an inspection.

use std::sync::atomic::Ordering;
use std::time::Duration;

use ccgw_api::operations as ops;
use ccgw_api::types::PlayRecording;
use futures::StreamExt;
use tokio::sync::watch;

use crate::error::{Error, ErrorKind};
use crate::events::EventType;
use crate::info::{PlayStopCause, Recording};
use crate::session::Session;
use crate::session::send::{About, Journaled, send_request, settle};
use crate::session::state::SessionInner;
use crate::transport::headers::GUID_PLACEHOLDER;
use crate::transport::send::run;

/// How long a playback waits for the inspector to take the call and the file to start, by
/// default.
pub const DEFAULT_PLAY_WAIT: Duration = Duration::from_secs(60);

/// Options of [`Session::play_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayOptions {
    from: Duration,
    wait: Duration,
}

impl Default for PlayOptions {
    fn default() -> Self {
        PlayOptions {
            from: Duration::ZERO,
            wait: DEFAULT_PLAY_WAIT,
        }
    }
}

impl PlayOptions {
    /// Start this far into the recording (whole seconds).
    pub fn from(mut self, offset: Duration) -> Self {
        self.from = offset;
        self
    }

    /// How long to wait for the playback to start: the inspector's phone rings first
    /// (default [`DEFAULT_PLAY_WAIT`]).
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }
}

/// Where a playback is, as its events tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlaybackState {
    /// Playing.
    Playing,
    /// Paused.
    Paused,
    /// Ended, and why.
    Stopped(PlayStopCause),
}

/// A recording playing to the inspector's phone; see [`Session::play`].
#[derive(Debug)]
pub struct Playback {
    session: Session,
    state: watch::Receiver<PlaybackState>,
    watcher: tokio::task::JoinHandle<()>,
}

/// The longest a sign-out waits for the stop of a playback before it signs out anyway:
/// short, so that a gateway slow to stop a playback never keeps the session signed in.
pub const PLAYBACK_STOP_LIMIT: Duration = Duration::from_secs(3);

/// Stops the playback of `inner`'s agent if one may be running, each attempt within
/// `limit`: the one way a handle, a dropped handle and a sign-out stop it, in turn, so
/// that a sign-out never closes the session under a stop still on its way. `None` when
/// nothing was playing, or another stop held on for longer than `limit`.
pub(crate) async fn stop_if_playing(
    inner: &SessionInner,
    limit: Duration,
) -> Option<Result<(), Error>> {
    let _held = tokio::time::timeout(limit, inner.stopping_playback.lock())
        .await
        .ok()?;
    if !inner.playing.swap(false, Ordering::SeqCst) {
        return None;
    }
    Some(stop_playback_of(inner, limit).await)
}

/// Sends `stopPlayback` for `inner`'s agent, once, each attempt within `limit`, and
/// journals it.
async fn stop_playback_of(inner: &SessionInner, limit: Duration) -> Result<(), Error> {
    let me = &inner.agent;
    let journaled = Journaled::ending(inner, ops::STOP_PLAYBACK.log_name, About::default());
    let attempts = inner.client.inner.attempts_within(limit);
    let stopped = run(
        &ops::STOP_PLAYBACK,
        attempts,
        me.as_str(),
        None,
        || !inner.is_closing(),
        || inner.headers.rotations(),
        || {
            inner
                .api
                .stop_playback()
                .agentid(me.wire())
                .guid(GUID_PLACEHOLDER)
                .send()
        },
    )
    .await
    .map(|_| ());
    settle(inner, journaled, &stopped);
    stopped
}

impl Session {
    /// Plays `recording` to the inspector's own phone from the start; see
    /// [`play_with`](Self::play_with).
    ///
    #[doc = ccgw_api::errors_doc!(PLAY_RECORDING)]
    pub async fn play(&self, recording: &Recording) -> Result<Playback, Error> {
        self.play_with(recording, PlayOptions::default()).await
    }

    /// Plays `recording` to the inspector's own phone: the gateway rings it and plays the
    /// file once it is answered. Returns once the playback runs
    /// (`AgentMediaEvent_Play_Succ`); the request's answer alone only says it was accepted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// use std::time::Duration;
    /// use ccgw::{PlaybackState, PlayOptions};
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let recording = ccgw::Recording::new(sim.recording_of("1001").unwrap())?;
    /// let playback = session.play_with(&recording, PlayOptions::default().from(Duration::from_secs(2))).await?;
    /// assert_eq!(playback.state(), PlaybackState::Playing);
    /// playback.pause().await?;
    /// playback.forward(5).await?;
    /// let cause = playback.stop().await?;
    /// assert_eq!(cause, ccgw::PlayStopCause::Stopped);
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a file name over [`MAX_PLAY_PATH`](crate::MAX_PLAY_PATH)
    /// characters (nothing is sent), [`ErrorKind::PlaybackFailed`] when the gateway could
    /// not play it, [`ErrorKind::EventTimeout`] when it did not start within the wait (the
    /// playback is then stopped), and the errors of the request:
    ///
    #[doc = ccgw_api::errors_doc!(PLAY_RECORDING)]
    pub async fn play_with(
        &self,
        recording: &Recording,
        options: PlayOptions,
    ) -> Result<Playback, Error> {
        recording.playable()?;
        let body = PlayRecording {
            voicepath: recording.file_name().parse().map_err(|e| {
                Error::invalid_input(format!("the recording cannot be played: {e}"))
            })?,
            startpostion: (!options.from.is_zero()).then_some(options.from.as_secs() as i64),
            times: None,
            codeformat: None,
            location_id: recording.location_id().map(i32::from),
        };
        // Subscribed before the request, so that no event of this playback is missed.
        let mut events = self.events();
        send_request!(self, play_recording, about: None, body(body.clone()))?;
        let inner = self.inner();
        inner.playing.store(true, Ordering::SeqCst);
        // A stop of an earlier playback may still be on its way: only a stop after this
        // one began (or failed) ends it.
        let began = std::sync::atomic::AtomicBool::new(false);
        let started = events
            .wait_for(
                |e| match e.event_type() {
                    EventType::PlayStarted => {
                        began.store(true, Ordering::Relaxed);
                        false
                    }
                    EventType::PlaySucceeded | EventType::PlayFailed => true,
                    EventType::PlayStopped => began.load(Ordering::Relaxed),
                    _ => false,
                },
                options.wait,
            )
            .await;
        match started {
            Ok(event) if event.event_type() == &EventType::PlaySucceeded => {}
            Ok(_) => {
                inner.playing.store(false, Ordering::SeqCst);
                return Err(Error::new(
                    ErrorKind::PlaybackFailed,
                    "the gateway accepted the playback but could not play the recording",
                ));
            }
            Err(e) => {
                let _ = stop_if_playing(inner, inner.client.inner.request_timeout).await;
                return Err(e);
            }
        }
        let (tell, state) = watch::channel(PlaybackState::Playing);
        let session = self.clone();
        let watcher = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let next = match event.event_type() {
                    EventType::PlayPaused => PlaybackState::Paused,
                    EventType::PlayResumed => PlaybackState::Playing,
                    EventType::PlayStopped => PlaybackState::Stopped(
                        event.play_stop_cause().unwrap_or(PlayStopCause::Stopped),
                    ),
                    EventType::SessionEnded => PlaybackState::Stopped(PlayStopCause::Stopped),
                    _ => continue,
                };
                let _ = tell.send(next);
                if let PlaybackState::Stopped(_) = next {
                    session.inner().playing.store(false, Ordering::SeqCst);
                    return;
                }
            }
        });
        Ok(Playback {
            session: self.clone(),
            state,
            watcher,
        })
    }
}

impl Playback {
    /// Where the playback is, as its events last told.
    pub fn state(&self) -> PlaybackState {
        *self.state.borrow()
    }

    /// Waits until the state is `wanted` (or the playback stopped), at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EventTimeout`] when it is not so in time.
    pub async fn wait_for_state(
        &self,
        wanted: impl Fn(PlaybackState) -> bool,
        timeout: Duration,
    ) -> Result<PlaybackState, Error> {
        let mut state = self.state.clone();
        let reached = tokio::time::timeout(timeout, state.wait_for(|s| wanted(*s))).await;
        match reached {
            Ok(Ok(now)) => Ok(*now),
            _ => Err(Error::new(
                ErrorKind::EventTimeout,
                format!("the playback did not reach that state within {timeout:?}"),
            )),
        }
    }

    /// Pauses it (`AgentMediaEvent_PausePlayDone` makes the state [`PlaybackState::Paused`]).
    ///
    #[doc = ccgw_api::errors_doc!(PAUSE_PLAYBACK)]
    pub async fn pause(&self) -> Result<(), Error> {
        send_request!(self.session, pause_playback, about: None)
    }

    /// Resumes it after a pause.
    ///
    #[doc = ccgw_api::errors_doc!(RESUME_PLAYBACK)]
    pub async fn resume(&self) -> Result<(), Error> {
        send_request!(self.session, resume_playback, about: None)
    }

    /// Skips `seconds` forward (at least 1: the gateway refuses 0, so nothing is sent).
    ///
    #[doc = ccgw_api::errors_doc!(FORWARD_PLAYBACK)]
    pub async fn forward(&self, seconds: u32) -> Result<(), Error> {
        let time = skip(seconds)?;
        send_request!(self.session, forward_playback, about: None, time(time))
    }

    /// Skips `seconds` back (at least 1).
    ///
    #[doc = ccgw_api::errors_doc!(REWIND_PLAYBACK)]
    pub async fn rewind(&self, seconds: u32) -> Result<(), Error> {
        let time = skip(seconds)?;
        send_request!(self.session, rewind_playback, about: None, time(time))
    }

    /// Stops it and waits, at most the request timeout, for the gateway to say it ended;
    /// returns why it ended (a playback that had already ended is not stopped again).
    ///
    #[doc = ccgw_api::errors_doc!(STOP_PLAYBACK)]
    pub async fn stop(&self) -> Result<PlayStopCause, Error> {
        if let PlaybackState::Stopped(cause) = self.state() {
            return Ok(cause);
        }
        let inner = self.session.inner();
        let wait = inner.client.inner.request_timeout;
        // Sent even when the flag says nothing plays (a sign-out's stop may have failed):
        // the handle's owner asked.
        {
            let _held = inner.stopping_playback.lock().await;
            inner.playing.store(false, Ordering::SeqCst);
            stop_playback_of(inner, wait).await?;
        }
        match self
            .wait_for_state(|s| matches!(s, PlaybackState::Stopped(_)), wait)
            .await
        {
            Ok(PlaybackState::Stopped(cause)) => Ok(cause),
            _ => Ok(PlayStopCause::Stopped),
        }
    }
}

fn skip(seconds: u32) -> Result<std::num::NonZeroU64, Error> {
    std::num::NonZeroU64::new(u64::from(seconds)).ok_or_else(|| {
        Error::invalid_input("a playback skips 1 second or more: the gateway refuses 0")
    })
}

impl Drop for Playback {
    fn drop(&mut self) {
        self.watcher.abort();
        if !matches!(self.state(), PlaybackState::Stopped(_))
            && self.session.inner().playing.load(Ordering::SeqCst)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            // Dropped while it plays: stop it, as nobody controls it any more. The flag
            // stays up until the stop is on its way, so that a sign-out that comes first
            // sends the stop itself rather than close the session under this one.
            let session = self.session.clone();
            runtime.spawn(async move {
                let inner = session.inner();
                let _ = stop_if_playing(inner, inner.client.inner.request_timeout).await;
            });
        }
    }
}
