//! An inspector's session, one file a job: the state its handles share, the handle and
//! the one path its requests take, signing in and out, inspecting calls, acting on
//! agents, the read-only queries, the headers every request carries, and the event
//! poller that keeps it alive.

mod agent_control;
mod handle;
mod headers;
mod inner;
mod inspection;
mod login;
mod options;
mod poller;
mod queries;
mod raw;
mod recovery;
mod sign_in;
mod sign_out;

pub use handle::Session;
pub use inner::LinkHealth;
pub use options::{ForceLogin, Recovery, SignIn};
pub use queries::AGENTS_PER_LIST_REQUEST;
pub use raw::{RESOURCE_ROOT, RawAnswer};
pub use sign_out::SessionGuard;
