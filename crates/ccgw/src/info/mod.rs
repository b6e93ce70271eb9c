//! What the read-only queries report, typed: agents and their states, calls, and skill
//! queues. Decoding is lenient where gateways differ from the reference (numbers sent
//! as strings, one object where a list is documented) and strict about the rest.

mod agent;
mod call;
mod recording;
pub(crate) mod recordings_of_call;
mod skill;
mod state;
pub(crate) mod wire;

pub use agent::{AgentFilter, AgentInfo, MAX_AGENT_LIMIT, OwnState, SkillQueueAgents};
pub use call::CallInfo;
pub use recording::{MAX_PLAY_PATH, MAX_RECORD_ID, PlayStopCause, Recording};
pub use skill::{QueueStats, SkillQueue};
pub use state::{AgentState, CtiState};
