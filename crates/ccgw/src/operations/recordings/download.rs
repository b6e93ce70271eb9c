//! Downloading a recording (`downloadRecording`): the answer is the file, or the usual
//! JSON answer with a failure retcode, told apart by `Content-Type`. The file is streamed
//! to a temporary file beside the target, private to its owner (a recording is personal
//! data), and renamed into place only once whole: an interrupted download never leaves a
//! file that looks complete.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ccgw_api::types::DownloadRecordingFiletype;
use futures::StreamExt;

use crate::error::{Error, ErrorKind, TransportKind};
use crate::info::Recording;
use crate::session::Session;
use crate::session::send::About;
use crate::transport::classify::{LooseAnswer, check};
use crate::transport::headers::GUID_PLACEHOLDER;
use ccgw_api::operations as ops;

use super::file_head::FileHead;
use super::target::{check_target, local_file, partial_beside};
use super::to_disk::{Batch, IN_FLIGHT, write_to_disk};

/// The most bytes of a JSON answer read in place of a file.
const JSON_ANSWER_LIMIT: usize = 64 * 1024;

/// The default bound of a download: far above the 30 MB Huawei advises.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 1024 * 1024 * 1024;

/// The default time a whole download may take, answer and file included: a gateway that
/// trickles a byte now and then must not keep it (and its session) alive for ever.
pub const DEFAULT_MAX_DOWNLOAD_TIME: Duration = Duration::from_secs(30 * 60);

/// Which kind of recording `filetype` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RecordingKind {
    /// An agent's call recording (1, the gateway's default).
    #[default]
    Call,
    /// An IVR or third-party voice message (2).
    VoiceMessage,
}

/// How far a download is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadProgress {
    /// Bytes written so far.
    pub received: u64,
    /// The file's size, when the gateway said (`Content-Length`).
    pub total: Option<u64>,
}

/// What a finished download wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Where the file now is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Options of [`Session::download_recording_with`].
#[must_use]
pub struct DownloadOptions {
    kind: RecordingKind,
    max_bytes: u64,
    max_time: Duration,
    overwrite: bool,
    progress: Option<Box<dyn FnMut(DownloadProgress) + Send>>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            kind: RecordingKind::Call,
            max_bytes: DEFAULT_MAX_DOWNLOAD,
            max_time: DEFAULT_MAX_DOWNLOAD_TIME,
            overwrite: false,
            progress: None,
        }
    }
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("kind", &self.kind)
            .field("max_bytes", &self.max_bytes)
            .field("max_time", &self.max_time)
            .field("overwrite", &self.overwrite)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl DownloadOptions {
    /// Which kind of recording (default: a call recording).
    pub fn kind(mut self, kind: RecordingKind) -> Self {
        self.kind = kind;
        self
    }

    /// The largest file accepted (default [`DEFAULT_MAX_DOWNLOAD`]); a larger one fails
    /// with [`ErrorKind::AnswerTooLarge`] and leaves nothing behind.
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The longest the whole download may take, from the request to the last byte
    /// (default [`DEFAULT_MAX_DOWNLOAD_TIME`]); past it the download fails with a timeout
    /// and leaves nothing behind. Each piece must also arrive within the request timeout.
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.max_time = limit;
        self
    }

    /// Whether an existing regular file at the target may be replaced (default `false`:
    /// it is refused before anything is sent). A target that is not a regular file (a
    /// symbolic link, a folder, a device, a pipe) is refused either way.
    pub fn overwrite(mut self, replace: bool) -> Self {
        self.overwrite = replace;
        self
    }

    /// Refuses `to` as a download with these options would, before anything is sent: a
    /// target that exists and is not a regular file, or an existing file unless
    /// [`overwrite`](Self::overwrite). A program may ask before it even signs in.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a refused target, [`ErrorKind::LocalFile`] when
    /// it cannot be looked at.
    pub fn check_target(&self, to: impl AsRef<Path>) -> Result<(), Error> {
        check_target(to.as_ref(), self.overwrite)
    }

    /// Called after each piece written, with how far the download is.
    pub fn on_progress(mut self, progress: impl FnMut(DownloadProgress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }
}

impl Session {
    /// Downloads `recording` to the new file `to`; see
    /// [`download_recording_with`](Self::download_recording_with).
    ///
    #[doc = ccgw_api::errors_doc!(DOWNLOAD_RECORDING)]
    pub async fn download_recording(
        &self,
        recording: &Recording,
        to: impl AsRef<Path>,
    ) -> Result<Downloaded, Error> {
        self.download_recording_with(recording, to, DownloadOptions::default())
            .await
    }

    /// Downloads `recording` to the file `to`, streamed: never whole in memory. It is
    /// written to a private temporary file beside `to` and renamed into place once whole,
    /// so an error, a dropped future or a crash never leaves a file at `to` that looks
    /// complete (a crash's temporary file is removed by the next download into that
    /// folder). Each piece must arrive within the request timeout, and the whole within
    /// [`DownloadOptions::max_time`].
    ///
    /// Before anything is sent, a target that exists and is not a regular file is
    /// refused, and so is an existing file unless [`DownloadOptions::overwrite`]: nothing
    /// is ever written through a symbolic link or onto a device.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// # let dir = tempfile::tempdir()?;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let recording = ccgw::Recording::new(sim.recording_of("1001").unwrap())?;
    /// let path = dir.path().join("call.v3");
    /// let options = ccgw::DownloadOptions::default().on_progress(|p| eprintln!("{} bytes", p.received));
    /// let done = session.download_recording_with(&recording, &path, options).await?;
    /// assert_eq!(done.bytes, std::fs::metadata(&path)?.len());
    ///
    /// let missing = ccgw::Recording::new("y:/1/0/20200101/1001/404.V3")?;
    /// let e = session.download_recording(&missing, dir.path().join("x.v3")).await.unwrap_err();
    /// assert_eq!(e.retcode().unwrap().code(), "104-005");
    /// assert!(!dir.path().join("x.v3").exists());
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = ccgw_api::errors_doc!(DOWNLOAD_RECORDING)]
    pub async fn download_recording_with(
        &self,
        recording: &Recording,
        to: impl AsRef<Path>,
        mut options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        let to = to.as_ref();
        let deadline = Instant::now() + options.max_time;
        // Nothing is sent unless the file can be written.
        check_target(to, options.overwrite)?;
        let (partial, file) = partial_beside(to)?;
        let kind = match options.kind {
            RecordingKind::Call => DownloadRecordingFiletype::X1,
            RecordingKind::VoiceMessage => DownloadRecordingFiletype::X2,
        };
        let location = recording.location_id().map(i32::from);
        let me = self.agent_id();
        let record_id = recording.file_name();
        let sent = self.send_op(
            &ops::DOWNLOAD_RECORDING,
            About::default(),
            |api| async move {
                let mut request = api
                    .download_recording()
                    .agentid(me.wire())
                    .record_id(record_id)
                    .filetype(kind)
                    .guid(GUID_PLACEHOLDER);
                if let Some(location) = location {
                    request = request.location_id(location);
                }
                let answer = request.send().await?;
                Ok(FileHead::of(answer))
            },
        );
        let head = tokio::time::timeout_at(deadline.into(), sent)
            .await
            .map_err(|_| past_deadline(0, options.max_time))??;
        let idle = self.client().inner.request_timeout;
        if head.is_json() {
            let limit = deadline.min(Instant::now() + idle);
            return Err(
                tokio::time::timeout_at(limit.into(), json_instead_of_file(head))
                    .await
                    .unwrap_or_else(|_| stalled(0, idle)),
            );
        }
        let total = head.length;
        if total.is_some_and(|t| t > options.max_bytes) {
            return Err(too_large(options.max_bytes));
        }
        // The disk is written on a thread of its own, so that reading the next piece and
        // writing the last one overlap; at most `IN_FLIGHT` pieces wait between the two.
        let (pieces, to_disk) = tokio::sync::mpsc::channel::<Vec<bytes::Bytes>>(IN_FLIGHT);
        let writer = tokio::task::spawn_blocking(move || write_to_disk(file, to_disk));
        let mut stream = head.stream;
        let mut received = 0u64;
        let mut batch = Batch::default();
        let received_all = loop {
            let next = tokio::time::timeout(idle, stream.next());
            let piece = tokio::time::timeout_at(deadline.into(), next)
                .await
                .map_err(|_| past_deadline(received, options.max_time))?
                .map_err(|_| stalled(received, idle))?;
            let Some(piece) = piece else {
                let rest = batch.take();
                break rest.is_empty() || pieces.send(rest).await.is_ok();
            };
            let piece = piece.map_err(crate::transport::classify::transport)?;
            received += piece.len() as u64;
            if received > options.max_bytes {
                return Err(too_large(options.max_bytes));
            }
            if let Some(full) = batch.add(piece)
                && pieces.send(full).await.is_err()
            {
                // The writer stopped: its error says why.
                break false;
            }
            if let Some(progress) = options.progress.as_mut() {
                progress(DownloadProgress { received, total });
            }
        };
        drop(pieces);
        let written = writer.await.map_err(|e| {
            Error::new(
                ErrorKind::LocalFile,
                format!("the writer of {} stopped: {e}", partial.path.display()),
            )
        })?;
        written.map_err(|e| local_file("cannot write", &partial.path, e))?;
        if !received_all {
            return Err(Error::new(
                ErrorKind::LocalFile,
                "the file could not be written",
            ));
        }
        if let Some(total) = total.filter(|t| *t != received) {
            return Err(Error::new(
                ErrorKind::Transport(TransportKind::Other),
                format!("the file ended after {received} of its {total} bytes"),
            )
            .reached(true));
        }
        partial.put_in_place(to, options.overwrite)?;
        Ok(Downloaded {
            path: to.to_path_buf(),
            bytes: received,
        })
    }
}

fn too_large(max: u64) -> Error {
    Error::new(
        ErrorKind::AnswerTooLarge,
        format!(
            "the recording is larger than the {max} bytes allowed (DownloadOptions::max_bytes)"
        ),
    )
    .reached(true)
}

fn past_deadline(received: u64, limit: Duration) -> Error {
    Error::new(
        ErrorKind::Transport(TransportKind::Timeout),
        format!(
            "the download took longer than the {limit:?} allowed (DownloadOptions::max_time) \
             after {received} bytes"
        ),
    )
    .reached(true)
}

fn stalled(received: u64, idle: Duration) -> Error {
    Error::new(
        ErrorKind::Transport(TransportKind::Timeout),
        format!("the download stalled after {received} bytes: nothing came for {idle:?}"),
    )
    .reached(true)
}

/// The JSON answer that came instead of a file: its retcode as an error.
async fn json_instead_of_file(head: FileHead) -> Error {
    let mut body = Vec::new();
    let mut stream = head.stream;
    while let Some(Ok(piece)) = stream.next().await {
        body.extend_from_slice(&piece);
        if body.len() > JSON_ANSWER_LIMIT {
            return Error::malformed(&body, "a JSON answer larger than any failure");
        }
    }
    // Read by hand rather than as the common answer: a gateway that sends `"result": ""`
    // (as a sibling page's sample does) must not cost the user the failure's retcode.
    let answer: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(answer) => answer,
        Err(e) => return Error::malformed(&body, e),
    };
    match LooseAnswer::of(&answer).map(check) {
        Some(Err(e)) => e,
        Some(Ok(_)) => Error::malformed(&body, "a success without the file"),
        None => Error::malformed(&body, "a JSON answer without a retcode"),
    }
}
