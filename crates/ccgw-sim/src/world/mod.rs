//! The simulated contact center, split along its seams: its data, sessions,
//! event queues, quality control and the read-only queries. Plain synchronous code behind one mutex that is
//! never held across an await; the HTTP layer calls in, gets an outcome, and does the
//! waiting itself.

mod budget;
mod calls;
mod events;
mod lists;
mod model;
mod quality;
mod queries;
mod queues;
mod recordings;
mod sessions;
mod traffic;

pub use events::{EVENT_QUEUE_LIMIT, PollStart};
pub use lists::{AgentLists, Found};
pub use model::{AgentState, Failure, QcMode, World};
pub use queries::AGENT_LIST_LIMIT;
pub use queues::QUEUE_STATS_LIMIT;
pub(crate) use recordings::Recorded;
pub use recordings::{ALAW_BYTES_PER_SECOND, CALL_RECORDING_SECONDS, tone_second};
pub use sessions::{AFFINITY_COOKIE, sweep_interval};
