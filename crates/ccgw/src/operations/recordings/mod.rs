//! Post-call review: finding the recordings of a call ([`lookup`]), downloading one
//! ([`download`]) and playing it to the inspector's phone ([`playback`]).

mod download;
mod file_head;
mod lookup;
mod playback;
mod target;
mod to_disk;

pub use download::{
    DEFAULT_MAX_DOWNLOAD, DEFAULT_MAX_DOWNLOAD_TIME, DownloadOptions, DownloadProgress, Downloaded,
    RecordingKind,
};
pub(crate) use playback::stop_if_playing;
pub use playback::{DEFAULT_PLAY_WAIT, PLAYBACK_STOP_LIMIT, PlayOptions, Playback, PlaybackState};
