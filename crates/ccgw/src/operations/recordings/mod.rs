//! Post-call review: downloading a recording ([`download`]) and playing it to the
//! inspector's phone ([`playback`]).

mod download;
mod file_head;
mod playback;

pub use download::{
    DEFAULT_MAX_DOWNLOAD, DownloadOptions, DownloadProgress, Downloaded, RecordingKind,
};
pub(crate) use playback::stop_playback_of;
pub use playback::{DEFAULT_PLAY_WAIT, PlayOptions, Playback, PlaybackState};
