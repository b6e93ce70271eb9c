//! Recordings for post-call review: which file a recording is (from the gateway's
//! `AgentMediaEvent_Record`), and why a playback ended.

use std::fmt;

use super::wire::json_number;
use crate::error::Error;
use crate::events::{Event, EventType};
use crate::ids::CallId;

/// The longest file name the gateway takes to play (`voicepath`).
pub const MAX_PLAY_PATH: usize = 100;

/// The longest recording ID a download takes.
pub const MAX_RECORD_ID: usize = 255;

/// A recording on the gateway's file server: its path and name (`y:/1/0/20181217/120/1524488.V3`,
/// the `fileName` of `AgentMediaEvent_Record`), the node that holds it, and the call it
/// recorded, where known.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Recording {
    file_name: String,
    location_id: Option<u16>,
    call_id: Option<CallId>,
}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The path names the agent and the day: personal data, but no secret.
        f.debug_struct("Recording")
            .field("file_name", &self.file_name)
            .field("location_id", &self.location_id)
            .field("call_id", &self.call_id)
            .finish()
    }
}

impl Recording {
    /// The recording `file_name` names. Rejected before anything is sent: an empty name,
    /// one over [`MAX_RECORD_ID`] characters, or one with control characters.
    ///
    /// ```
    /// let recording = ccgw::Recording::new("y:/1/0/20181217/120/1524488.V3")?.location(3);
    /// assert_eq!(recording.location_id(), Some(3));
    /// assert!(ccgw::Recording::new("").is_err());
    /// # Ok::<(), ccgw::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a name as above.
    pub fn new(file_name: impl Into<String>) -> Result<Recording, Error> {
        let file_name = file_name.into();
        let chars = file_name.chars().count();
        if chars == 0 || chars > MAX_RECORD_ID {
            return Err(Error::invalid_input(format!(
                "a recording's file name has 1 to {MAX_RECORD_ID} characters, not {chars}"
            )));
        }
        if file_name.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "a recording's file name holds a control character",
            ));
        }
        Ok(Recording {
            file_name,
            location_id: None,
            call_id: None,
        })
    }

    /// The node that holds the file (needed in CTI-pool mode).
    pub fn location(mut self, location_id: u16) -> Self {
        self.location_id = Some(location_id);
        self
    }

    /// The call it recorded.
    pub fn call(mut self, call: CallId) -> Self {
        self.call_id = Some(call);
        self
    }

    /// Its path and name on the file server.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The node that holds it, if known.
    pub fn location_id(&self) -> Option<u16> {
        self.location_id
    }

    /// The call it recorded, if known.
    pub fn call_id(&self) -> Option<&CallId> {
        self.call_id.as_ref()
    }

    /// Checks that it can be played: the gateway takes at most [`MAX_PLAY_PATH`]
    /// characters.
    pub(crate) fn playable(&self) -> Result<(), Error> {
        let chars = self.file_name.chars().count();
        if chars > MAX_PLAY_PATH {
            return Err(Error::invalid_input(format!(
                "the gateway plays file names of at most {MAX_PLAY_PATH} characters, not {chars}"
            )));
        }
        Ok(())
    }
}

/// Why a playback ended (`cause` of `AgentMediaEvent_StopPlayDone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum PlayStopCause {
    /// It played to the end (0).
    Finished,
    /// It was stopped (1).
    Stopped,
    /// It failed (2).
    Failed,
    /// A cause the reference does not list.
    Other(i64),
}

impl PlayStopCause {
    fn from_code(code: i64) -> Self {
        match code {
            0 => PlayStopCause::Finished,
            1 => PlayStopCause::Stopped,
            2 => PlayStopCause::Failed,
            other => PlayStopCause::Other(other),
        }
    }
}

impl Event {
    /// The recording a `Record` event announces (`fileName`, `locationId`, `callId`).
    ///
    /// ```
    /// # use ccgw::{Event, EventType};
    /// # fn demo(event: &Event) {
    /// if event.event_type() == &EventType::Record
    ///     && let Some(recording) = event.recording()
    /// {
    ///     println!("recorded to {}", recording.file_name());
    /// }
    /// # }
    /// ```
    pub fn recording(&self) -> Option<Recording> {
        if self.event_type() != &EventType::Record {
            return None;
        }
        let content = self.content();
        let mut recording = Recording::new(content.get("fileName")?.as_str()?).ok()?;
        if let Some(location) = content.get("locationId").and_then(json_number) {
            recording.location_id = u16::try_from(location).ok();
        }
        recording.call_id = self.call_id();
        Some(recording)
    }

    /// Why a playback ended, for a `PlayStopped` event (`cause`; absent counts as
    /// stopped).
    pub fn play_stop_cause(&self) -> Option<PlayStopCause> {
        if self.event_type() != &EventType::PlayStopped {
            return None;
        }
        let code = self
            .content()
            .get("cause")
            .and_then(json_number)
            .unwrap_or(1);
        Some(PlayStopCause::from_code(code))
    }
}
