//! How one request travels, below the session: the gateway's overload budget it waits on
//! ([`budget`]: queue and agent-group queries paced per agent), the headers it carries ([`headers`]: the
//! newest Guid, the load balancer's cookies), how it is sent, timed and retried
//! ([`send`]: one span, one time limit per attempt, a retry only of a failure to connect),
//! and how what came back is classified ([`classify`]: a retcode checked, a failure made a
//! typed error that says whether the gateway may have acted).
//!
//! The request itself is built by the generated builders of `ccgw-api`, called from
//! [`crate::operations`] through the session's one sending path
//! (`session/send.rs`), which also tracks what each request did to an inspection.

pub(crate) mod budget;
pub(crate) mod classify;
pub(crate) mod headers;
pub(crate) mod limits;
pub(crate) mod salvage;
pub(crate) mod send;

pub use classify::decode_answer;
