//! A stateful CC-Gateway simulator for the quality-control interfaces of
//! `openapi/cc-gateway.yaml`: sessions, the quality-control state machine, events and
//! injectable faults, served over real HTTP.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use ccgw_sim::{SimConfig, Simulator};
//!
//! let sim = Simulator::start(SimConfig::default()).await?;
//! println!("a gateway at {}", sim.base_url());
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # The seeded world
//!
//! VDN 1 holds inspector 101 and agents 1001 to 1010; VDN 2 holds inspector 201 and agents
//! 2001 to 2005. Inspectors have quality-control permission and start signed out; agents
//! start signed in (with no session of their own), each on a call with a customer. Every
//! agent's password is [`DEFAULT_PASSWORD`] unless configured.
//!
//! # Decisions where the reference is silent
//!
//! * Retcodes: 000-002 for a malformed ID, call ID, `switchtype`, rest time or reason;
//!   000-003 for a missing, unknown, replaced or expired Guid, a Guid of another agent, or
//!   an agent without quality-control permission; 000-005 for self-inspection; 100-001
//!   for an empty or over-long skill list; 100-006 for a target that is unknown or signed
//!   out; 900-001 when the target's call does not allow it (no call, other call ID);
//!   900-002 when the inspector is in the wrong quality-control state (listening while
//!   already inspecting, stopping or toggling while not listening or inserting, stopping a
//!   whisper that is not one); 900-003 for a target in another VDN; 900-005 for a target
//!   someone else already inspects.
//! * An inspector inspects one call at a time. `switch` toggles listening and inserting
//!   only; the explicit mode switch moves among listening, inserting and whispering.
//!   Stop (DELETE) ends listening or inserting, stop-whisper ends whispering. After an
//!   intercept the inspector is on the call (mode "intercepting") until the call is
//!   released.
//! * Events go to the queue of the agent they concern, as the reference says: the
//!   inspector gets its own phone and state events (`AgentOther_PhoneAlerting`,
//!   `AgentOther_PhoneOffhook`, `AgentState_Busy` on listen, insert and whisper;
//!   `AgentOther_PhoneRelease`, `AgentState_Ready` on stop), and the events of the agents
//!   it forces or whose call it drops (`workNo` is that agent); the inspected agent, when
//!   it has a session, gets `AgentOther_BeQcStart`/`BeQcStop` with `qcType` (8 listen,
//!   9 insert, 20172 whisper) and `qcAgentId` (the inspector). An inspector never sees
//!   `BeQcStart`: it learns that an inspection is live from the request's answer and its
//!   own events (an inference from the reference's event lists). Neither switch triggers
//!   an event, as documented. Each queue keeps at most
//!   [`EVENT_QUEUE_LIMIT`] events, dropping the oldest.
//! * Sessions: sign-in answers 100-002 while the agent is signed in (seeded agents count
//!   as signed in elsewhere); forced sign-in replaces the session and revokes its Guid. A
//!   session that does not poll for longer than the session timeout is signed out.
//!   Under dynamic authentication every event-poll answer carries a new Guid in
//!   `Set-GUID`, and the Guid it replaced is refused from then on (000-003), requests in
//!   flight included, as the reference asks a client to switch at once
//!   ([`RunningSim::refused_unauthorized`] counts such refusals). With a grace period
//!   ([`SimConfig::guid_grace`], `ccgw sim --guid-grace-ms`), a replaced Guid stays valid
//!   that long, and the answer to a request that used one announces the current Guid.
//! * Every sign-in answer sets the affinity cookie [`AFFINITY_COOKIE`]; authenticated
//!   requests that do not send it back are counted ([`RunningSim::cookie_misses`]).
//! * Faults: see [`faults`] for which of them the gateway acts on before they show.
//! * Queries: every seeded agent serves its VDN's first skill queue, every second agent
//!   the others too ([`SkillConfig`]); each seeded call has a customer number, the
//!   agent's phone as the called number and the first skill queue. Forced states apply
//!   at once (the simulator never reports wrap-up or pre-rest) and the call goes on; a
//!   call that ends (dropped, intercepted, signed out) leaves a talking agent idle.
//!   Other agents' `status` and `ctiStatus` are sent as strings and the caller's own
//!   `agentState` as a number, as in the reference's samples.
//! * Query retcodes: 000-002 for a malformed agent ID, call ID or skill ID, an
//!   `agentbylist` body that is missing or names more than [`AGENT_LIST_LIMIT`] agents,
//!   and an `agentbyskill` filter out of range; 100-006 for an agent that is unknown or
//!   in another VDN; 900-001 for a call the VDN does not have. `agentbylist` leaves out
//!   the agents the caller cannot see. An agent without a call has no call IDs (an
//!   empty list, not an error), and `callinfo` without a call leaves `result` out. A
//!   queue length for a skill queue the VDN does not have is `{}`, as in the sample.
//! * Queue statistics (`queryacdstat`): 000-002 for a body without `skills` or with more
//!   than [`QUEUE_STATS_LIMIT`]; skill IDs may be numbers or strings of digits; queues
//!   the VDN does not have are left out (the reference is silent). A queue's callers wait
//!   from when the simulator started, so its longest wait grows with it.
//! * Large tenants ([`SimConfig::large_tenant`]): agent lists are built from each
//!   agent's entry serialized once, and sent as they are written (chunked), so a list of
//!   60,000 agents under 100 queues needs memory in proportion to its agents, not to its
//!   size under every queue.
//! * Overload control: each agent may send at most 5 queue-device and agent-group queries
//!   (the document's `x-overload-budget`) in any 2 s, counted by arrival; one more is
//!   answered 000-007 and not counted ([`SimConfig::overload_budget`]). The reference
//!   does not say which retcode gateways send; 000-007 is documented for an interface
//!   "called repeatedly".

#![deny(missing_docs)]

pub mod answers;
pub mod config;
pub mod faults;
mod http;
mod ids;
mod server;
pub mod shapes;
mod simulator;
mod state;
#[cfg(feature = "testing")]
pub mod testing;
mod world;

pub use config::{
    AuthMode, ConfigError, DEFAULT_PASSWORD, RecordingConfig, SimConfig, SkillConfig, Traffic,
    TrafficConfig, VdnConfig,
};
pub use faults::{BACKGROUND_OPERATION, Fault, FaultRule, Faults};
pub use http::budgeted_operations;
pub use server::serve_until;
pub use simulator::{RunningSim, Simulator};
pub use state::OPERATION_IDS;
pub use world::{
    AFFINITY_COOKIE, AGENT_LIST_LIMIT, ALAW_BYTES_PER_SECOND, AgentState, CALL_RECORDING_SECONDS,
    EVENT_QUEUE_LIMIT, QUEUE_STATS_LIMIT, QcMode, tone_second,
};
