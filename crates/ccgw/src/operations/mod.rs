//! What a signed-in [`Session`](crate::Session) can do, one area a file: inspecting calls
//! ([`inspection`]: listen, insert, whisper, switch, stop, intercept), acting on agents
//! ([`agent_control`]: forced states, release, skills), the read-only queries
//! ([`queries`]), post-call review of recordings ([`recordings`]: download, playback) and
//! raw requests for what the typed methods do not cover ([`raw`]).
//!
//! Each method names its operation once, by the generated builder's name; the request
//! then takes the session's one sending path (`session/send.rs`).

mod agent_control;
mod inspection;
mod method;
mod queries;
mod raw;
mod recordings;

pub use method::Method;
pub use queries::{AGENTS_PER_LIST_REQUEST, QUEUES_PER_STATS_REQUEST};
pub use raw::{RESOURCE_ROOT, RawAnswer};
pub(crate) use recordings::stop_if_playing;
pub use recordings::{
    DEFAULT_MAX_DOWNLOAD, DEFAULT_MAX_DOWNLOAD_TIME, DEFAULT_PLAY_WAIT, DownloadOptions,
    DownloadProgress, Downloaded, PLAYBACK_STOP_LIMIT, PlayOptions, Playback, PlaybackState,
    RecordingKind,
};
