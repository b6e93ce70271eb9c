//! The gateway's agent state tables: the CC-Gateway state (Table 1) and the CTI
//! platform state (Table 2). Codes the tables do not list are kept, never refused.

use std::fmt;

/// An agent's state as the gateway reports it (`agentState`, `status`).
///
/// ```
/// use ccgw::AgentState;
/// assert_eq!(AgentState::from_code(7), AgentState::Talking);
/// assert_eq!(AgentState::Talking.word(), "talking");
/// assert_eq!(AgentState::from_code(42), AgentState::Other(42));
/// assert_eq!(AgentState::from_code(42).code(), 42);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AgentState {
    /// 4 (and the reserved 6, "same as idle"): ready for calls.
    Idle,
    /// 3: signed in, taking no new calls.
    Busy,
    /// 5: wrapping up after a call.
    WrapUp,
    /// 7: on a call.
    Talking,
    /// 8: resting.
    Rest,
    /// 9: a rest is requested and starts when the call ends.
    PreRest,
    /// 2: not signed in.
    SignedOut,
    /// 0: the gateway does not know.
    Unknown,
    /// A code the table does not list (such as the reserved 1), kept as sent.
    Other(u32),
}

impl AgentState {
    /// The state of a Table 1 code.
    pub fn from_code(code: u32) -> AgentState {
        match code {
            0 => AgentState::Unknown,
            2 => AgentState::SignedOut,
            3 => AgentState::Busy,
            4 | 6 => AgentState::Idle,
            5 => AgentState::WrapUp,
            7 => AgentState::Talking,
            8 => AgentState::Rest,
            9 => AgentState::PreRest,
            other => AgentState::Other(other),
        }
    }

    /// The Table 1 code (4 for idle).
    pub fn code(self) -> u32 {
        match self {
            AgentState::Unknown => 0,
            AgentState::SignedOut => 2,
            AgentState::Busy => 3,
            AgentState::Idle => 4,
            AgentState::WrapUp => 5,
            AgentState::Talking => 7,
            AgentState::Rest => 8,
            AgentState::PreRest => 9,
            AgentState::Other(code) => code,
        }
    }

    /// The word consoles show: `idle`, `busy`, `wrap-up`, `talking`, `rest`,
    /// `pre-rest`, `signed-out` or `unknown` (also for unlisted codes).
    pub fn word(self) -> &'static str {
        match self {
            AgentState::Idle => "idle",
            AgentState::Busy => "busy",
            AgentState::WrapUp => "wrap-up",
            AgentState::Talking => "talking",
            AgentState::Rest => "rest",
            AgentState::PreRest => "pre-rest",
            AgentState::SignedOut => "signed-out",
            AgentState::Unknown | AgentState::Other(_) => "unknown",
        }
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// An agent's state on the CTI platform (`ctiStatus`, Table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CtiState {
    /// 0.
    NotSignedIn,
    /// 1.
    Idle,
    /// 2: a call is being set up for the agent.
    Preoccupied,
    /// 3.
    Occupied,
    /// 4: the phone rings.
    Answering,
    /// 5.
    Talking,
    /// 6: wrap-up after a call.
    WrapUp,
    /// 7.
    Busy,
    /// 8.
    Rest,
    /// 9.
    Study,
    /// 10.
    Adjusting,
    /// A code the table does not list, kept as sent.
    Other(u32),
}

impl CtiState {
    /// The state of a Table 2 code.
    pub fn from_code(code: u32) -> CtiState {
        match code {
            0 => CtiState::NotSignedIn,
            1 => CtiState::Idle,
            2 => CtiState::Preoccupied,
            3 => CtiState::Occupied,
            4 => CtiState::Answering,
            5 => CtiState::Talking,
            6 => CtiState::WrapUp,
            7 => CtiState::Busy,
            8 => CtiState::Rest,
            9 => CtiState::Study,
            10 => CtiState::Adjusting,
            other => CtiState::Other(other),
        }
    }

    /// Whether the agent is in a call (codes 2 to 5).
    pub fn in_call(self) -> bool {
        matches!(
            self,
            CtiState::Preoccupied | CtiState::Occupied | CtiState::Answering | CtiState::Talking
        )
    }
}
