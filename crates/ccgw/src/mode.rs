//! What the session believes each inspected agent's quality-control mode is.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use crate::error::Error;
use crate::ids::AgentId;

/// A mode the inspector can be put in with [`Session::set_mode`](crate::Session::set_mode).
///
/// ```
/// use ccgw::{Mode, TrackedMode};
/// assert_eq!("whisper".parse::<Mode>()?, Mode::Whisper);
/// assert_eq!(Mode::Insert.to_string(), "insert");
/// assert_eq!("listening".parse::<TrackedMode>()?, TrackedMode::Listening);
/// # Ok::<(), ccgw::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Mode {
    /// Listening silently.
    Listen,
    /// Barged in: both parties hear the inspector.
    Insert,
    /// Whispering: only the agent hears the inspector.
    Whisper,
}

impl Mode {
    /// The `switchtype` of the explicit switch interface.
    pub(crate) fn switch_type(self) -> i32 {
        match self {
            Mode::Listen => 0,
            Mode::Insert => 1,
            Mode::Whisper => 2,
        }
    }
}

/// The mode a session believes an inspected agent is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum TrackedMode {
    /// Not inspected by this session.
    Idle,
    /// Listening.
    Listening,
    /// Inserting.
    Inserting,
    /// Whispering.
    Whispering,
    /// The inspector took the call over.
    Intercepting,
    /// A state-changing request may or may not have reached the gateway: the mode is not
    /// known until an answer or an event says.
    Unknown,
}

impl TrackedMode {
    /// The word consoles show: `idle`, `listening`, `inserting`, `whispering`,
    /// `intercepting` or `unknown`.
    pub fn word(self) -> &'static str {
        match self {
            TrackedMode::Idle => "idle",
            TrackedMode::Listening => "listening",
            TrackedMode::Inserting => "inserting",
            TrackedMode::Whispering => "whispering",
            TrackedMode::Intercepting => "intercepting",
            TrackedMode::Unknown => "unknown",
        }
    }
}

impl fmt::Display for TrackedMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Listen => "listen",
            Mode::Insert => "insert",
            Mode::Whisper => "whisper",
        })
    }
}

impl FromStr for Mode {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim() {
            "listen" => Ok(Mode::Listen),
            "insert" => Ok(Mode::Insert),
            "whisper" => Ok(Mode::Whisper),
            _ => Err(Error::invalid_input(
                "the mode is listen, insert or whisper",
            )),
        }
    }
}

impl FromStr for TrackedMode {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let all = [
            TrackedMode::Idle,
            TrackedMode::Listening,
            TrackedMode::Inserting,
            TrackedMode::Whispering,
            TrackedMode::Intercepting,
            TrackedMode::Unknown,
        ];
        all.into_iter()
            .find(|mode| mode.word() == text.trim())
            .ok_or_else(|| Error::invalid_input(format!("{text:?} is not a tracked mode")))
    }
}

impl From<Mode> for TrackedMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Listen => TrackedMode::Listening,
            Mode::Insert => TrackedMode::Inserting,
            Mode::Whisper => TrackedMode::Whispering,
        }
    }
}

/// The modes a session believes, by agent. A session inspects a handful of agents at
/// most, so a short list searched in order beats hashing an ID on every request.
#[derive(Default)]
pub(crate) struct ModeTracker {
    modes: Mutex<Vec<(AgentId, TrackedMode)>>,
    /// Counts every change and every inspection request begun, so that a conclusion
    /// drawn from an answer that started earlier is not applied over a newer fact.
    epoch: std::sync::atomic::AtomicU64,
}

impl ModeTracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(AgentId, TrackedMode)>> {
        self.bump();
        self.modes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks that something about the modes changed or may change.
    pub(crate) fn bump(&self) {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The current epoch: see [`doubt_if_unchanged`](Self::doubt_if_unchanged).
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Marks every inspection [`TrackedMode::Unknown`], unless anything changed since
    /// `epoch`. Unknown rather than idle: the news that prompts it cannot say which
    /// inspection ended, and `set_mode` on an unknown one switches or starts as needed.
    pub(crate) fn doubt_if_unchanged(&self, epoch: u64) -> bool {
        let mut modes = self.modes.lock().unwrap_or_else(|e| e.into_inner());
        if self.epoch() != epoch {
            return false;
        }
        for (_, mode) in modes.iter_mut() {
            *mode = TrackedMode::Unknown;
        }
        self.bump();
        true
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.modes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    pub(crate) fn get(&self, agent: &AgentId) -> TrackedMode {
        let modes = self.modes.lock().unwrap_or_else(|e| e.into_inner());
        modes
            .iter()
            .find(|(a, _)| a == agent)
            .map_or(TrackedMode::Idle, |(_, mode)| *mode)
    }

    pub(crate) fn set(&self, agent: &AgentId, mode: TrackedMode) {
        Self::put(&mut self.lock(), agent, mode);
    }

    fn put(modes: &mut Vec<(AgentId, TrackedMode)>, agent: &AgentId, mode: TrackedMode) {
        let slot = modes.iter().position(|(a, _)| a == agent);
        match (slot, mode) {
            (Some(i), TrackedMode::Idle) => {
                modes.swap_remove(i);
            }
            (Some(i), mode) => modes[i].1 = mode,
            (None, TrackedMode::Idle) => {}
            (None, mode) => modes.push((agent.clone(), mode)),
        }
    }

    /// Every inspection the tracker knows, by agent.
    pub(crate) fn all(&self) -> Vec<(AgentId, TrackedMode)> {
        let mut all = self.modes.lock().unwrap_or_else(|e| e.into_inner()).clone();
        all.sort_by_key(|(agent, _)| agent.number());
        all
    }

    /// After the gateway ended the session: none of the tracked modes can be trusted.
    pub(crate) fn mark_all_unknown(&self) {
        for (_, mode) in self.lock().iter_mut() {
            *mode = TrackedMode::Unknown;
        }
    }

    /// The toggle's effect: listening and inserting swap; anything else becomes unknown.
    pub(crate) fn toggle(&self, agent: &AgentId) {
        let mut modes = self.lock();
        let next = match modes.iter().find(|(a, _)| a == agent) {
            Some((_, TrackedMode::Listening)) => TrackedMode::Inserting,
            Some((_, TrackedMode::Inserting)) => TrackedMode::Listening,
            _ => TrackedMode::Unknown,
        };
        Self::put(&mut modes, agent, next);
    }
}
