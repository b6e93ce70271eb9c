//! Recordings: every simulated call is recorded (a few seconds of generated G.711 A-law
//! audio, made as it is sent, never stored), configured recordings may be large or slow,
//! and an inspector can have one played to its phone, with the events the reference
//! lists for each step.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::json;

use super::model::{AgentState, Failure, World, fail};
use crate::answers::retcode;
use crate::ids::{is_agent_id, is_call_id};

/// How long a simulated call's recording lasts.
pub const CALL_RECORDING_SECONDS: u64 = 60;

/// G.711 sends 8,000 one-byte samples a second.
pub const ALAW_BYTES_PER_SECOND: u64 = 8_000;

/// A recording the simulator can serve and play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub(crate) vdn: u32,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// How fast it is served, in bytes a second; `None`: as fast as the link goes.
    pub(crate) rate: Option<u64>,
}

/// A playback to an inspector's phone, on the world's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Playing {
    pub(crate) paused: bool,
    /// Where it was when it last started, paused, resumed or jumped.
    position: Duration,
    /// When that was.
    since: Duration,
    /// How long the recording lasts.
    length: Duration,
}

impl Playing {
    /// Where it is at `now`.
    fn at(&self, now: Duration) -> Duration {
        if self.paused {
            self.position
        } else {
            self.position + now.saturating_sub(self.since)
        }
    }
}

/// One second of a 440 Hz tone at a quarter of full scale, A-law encoded: the sound of
/// every simulated recording, repeated.
pub fn tone_second() -> &'static [u8] {
    static TONE: OnceLock<Vec<u8>> = OnceLock::new();
    TONE.get_or_init(|| {
        (0..ALAW_BYTES_PER_SECOND)
            .map(|n| {
                let t = n as f64 / ALAW_BYTES_PER_SECOND as f64;
                let sample = (8192.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
                alaw(sample)
            })
            .collect()
    })
}

/// One 16-bit linear sample as G.711 A-law: 13-bit magnitude in 8 segments, every even
/// bit inverted.
fn alaw(sample: i16) -> u8 {
    const SEGMENT_ENDS: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
    let mut value = i32::from(sample) >> 3;
    let mask = if value >= 0 {
        0xD5
    } else {
        value = -value - 1;
        0x55
    };
    let Some(segment) = SEGMENT_ENDS.iter().position(|end| value <= *end) else {
        return 0x7F ^ mask;
    };
    let shift = if segment < 2 { 1 } else { segment };
    let code = ((segment as i32) << 4) | ((value >> shift) & 0x0F);
    (code as u8) ^ mask
}

impl World {
    /// Takes in the recordings of the configuration.
    pub(super) fn load_recordings(&mut self) {
        for r in self.config.recordings.clone() {
            let recorded = Recorded {
                vdn: r.vdn,
                bytes: r.bytes,
                rate: r.bytes_per_second,
            };
            self.recordings.insert(r.file_name, recorded);
        }
    }

    /// The file name of call `call`'s recording, as gateways name them
    /// (`y:/<vdn>/0/<yyyymmdd>/<n>.V3`).
    pub(super) fn recording_name(vdn: u32, agent: &str, call: &str, began_at_ms: u64) -> String {
        let days = began_at_ms / 86_400_000;
        let (y, m, d) = civil_from_days(days as i64);
        let n = call.rsplit('-').next().unwrap_or(call);
        format!("y:/{vdn}/0/{y:04}{m:02}{d:02}/{agent}/{n}.V3")
    }

    /// The recording of the call `agent` is on, or was last on.
    pub fn recording_of(&self, agent: &str) -> Option<String> {
        let agent = self.agents.get(agent)?;
        let call = agent.call.as_ref().or(agent.last_call.as_ref())?;
        let record = self.calls.get(call)?;
        Some(Self::recording_name(
            record.vdn,
            &record.agent,
            call,
            record.began_at,
        ))
    }

    /// `queryRecordingsByCallId`: the recordings of call `call_id` in which `work_no` took
    /// part, in `me`'s VDN, as a list of entries named like the recording event's fields
    /// (the real answer's shape is unknown); an empty list when there is none.
    pub fn recordings_of_call(
        &self,
        me: &str,
        work_no: &str,
        call_id: &str,
    ) -> Result<serde_json::Value, Failure> {
        if !is_agent_id(work_no) || !is_call_id(call_id) {
            return fail(retcode::BAD_PARAMETER, "the agent or call ID is not valid");
        }
        let vdn = self.agents[me].vdn;
        let found = self
            .calls
            .get(call_id)
            .filter(|call| call.vdn == vdn && call.agent == work_no)
            .map(|call| {
                json!({
                    "fileName": Self::recording_name(call.vdn, &call.agent, call_id, call.began_at),
                    "locationId": "0",
                    "callId": call_id,
                    "workNo": work_no,
                })
            });
        Ok(serde_json::Value::Array(found.into_iter().collect()))
    }

    /// The recording `file_name` for `me` to download or play: 000-002 for an empty or
    /// malformed name, 104-005 for none by that name, 100-018 for one of another VDN.
    pub(crate) fn recording(&self, me: &str, file_name: &str) -> Result<Recorded, Failure> {
        if file_name.is_empty() || file_name.chars().any(char::is_control) {
            return fail(retcode::BAD_PARAMETER, "the recording ID is not valid");
        }
        let found = self.recordings.get(file_name).cloned().or_else(|| {
            self.calls.iter().find_map(|(id, call)| {
                (Self::recording_name(call.vdn, &call.agent, id, call.began_at) == file_name)
                    .then_some(Recorded {
                        vdn: call.vdn,
                        bytes: CALL_RECORDING_SECONDS * ALAW_BYTES_PER_SECOND,
                        rate: None,
                    })
            })
        });
        let Some(found) = found else {
            return fail(
                retcode::NO_SUCH_RECORDING,
                "the recording file does not exist",
            );
        };
        if found.vdn != self.agents[me].vdn {
            return fail(
                retcode::OTHER_VDN_RECORDING,
                "the recording belongs to another VDN",
            );
        }
        Ok(found)
    }

    /// Ends every playback that has played to its end (cause 0).
    pub(super) fn finish_playbacks(&mut self) {
        let now = self.now();
        let done: Vec<String> = self
            .playbacks
            .iter()
            .filter(|(_, p)| p.at(now) >= p.length)
            .map(|(me, _)| me.clone())
            .collect();
        for me in done {
            self.end_playback(&me, 0);
        }
    }

    /// Changes `me`'s playback with `change`, from where it is now.
    fn replay(&mut self, me: &str, change: impl FnOnce(&mut Playing)) {
        let now = self.now();
        if let Some(playing) = self.playbacks.get_mut(me) {
            playing.position = playing.at(now);
            playing.since = now;
            change(playing);
        }
    }

    fn playing(&self, me: &str) -> Result<Playing, Failure> {
        match self.playbacks.get(me) {
            Some(playing) => Ok(*playing),
            None => fail(retcode::AGENT_OPERATION, "no playback is running"),
        }
    }

    /// Plays `voicepath` to `me`'s phone from `from` seconds in: rings it, takes it
    /// off-hook, and plays, or reports that it cannot (`Play_Fail`, then `StopPlayDone`
    /// with cause 2). It ends by itself once played to the end (cause 0).
    pub fn play(&mut self, me: &str, voicepath: &str, from: u64) -> Result<(), Failure> {
        if voicepath.is_empty() || voicepath.chars().count() > 100 {
            return fail(retcode::BAD_PARAMETER, "voicepath has 1 to 100 characters");
        }
        let agent = &self.agents[me];
        if agent.call.is_some() || agent.qc.is_some() || self.playbacks.contains_key(me) {
            return fail(
                retcode::AGENT_OPERATION,
                "the inspector is in a call or a playback",
            );
        }
        let found = self.recording(me, voicepath).ok();
        let now = self.now();
        if let Some(agent) = self.agents.get_mut(me) {
            agent.set_state(AgentState::Busy, now);
        }
        for event in [
            "AgentState_Busy",
            "AgentOther_PhoneAlerting",
            "AgentOther_PhoneOffhook",
            "AgentMediaEvent_Play",
        ] {
            self.push_event(me, event, me, json!({}));
        }
        if let Some(found) = found {
            let playing = Playing {
                paused: false,
                position: Duration::from_secs(from),
                since: now,
                length: Duration::from_secs_f64(found.bytes as f64 / ALAW_BYTES_PER_SECOND as f64),
            };
            self.playbacks.insert(me.to_owned(), playing);
            self.push_event(me, "AgentMediaEvent_Play_Succ", me, json!({}));
        } else {
            self.push_event(me, "AgentMediaEvent_Play_Fail", me, json!({}));
            self.end_playback(me, 2);
        }
        Ok(())
    }

    /// Pauses `me`'s playback.
    pub fn pause_play(&mut self, me: &str) -> Result<(), Failure> {
        if self.playing(me)?.paused {
            return fail(retcode::AGENT_OPERATION, "the playback is paused already");
        }
        self.replay(me, |p| p.paused = true);
        self.push_event(me, "AgentMediaEvent_PausePlayDone", me, json!({}));
        Ok(())
    }

    /// Resumes `me`'s paused playback.
    pub fn resume_play(&mut self, me: &str) -> Result<(), Failure> {
        if !self.playing(me)?.paused {
            return fail(retcode::AGENT_OPERATION, "the playback is not paused");
        }
        self.replay(me, |p| p.paused = false);
        self.push_event(me, "AgentMediaEvent_ResumePlayDone", me, json!({}));
        Ok(())
    }

    /// Moves `me`'s playback `seconds` forward or back (not before its start).
    pub fn jump_play(&mut self, me: &str, seconds: &str, forward: bool) -> Result<(), Failure> {
        let Some(by) = seconds.parse::<u64>().ok().filter(|s| *s >= 1) else {
            return fail(retcode::BAD_PARAMETER, "the time is 1 second or more");
        };
        self.playing(me)?;
        let by = Duration::from_secs(by);
        self.replay(me, |p| {
            p.position = if forward {
                p.position + by
            } else {
                p.position.saturating_sub(by)
            };
        });
        self.push_event(me, "AgentMediaEvent_JumpPlayDone", me, json!({}));
        // Skipped past the end: it has played.
        self.finish_playbacks();
        Ok(())
    }

    /// Stops `me`'s playback.
    pub fn stop_play(&mut self, me: &str) -> Result<(), Failure> {
        self.playing(me)?;
        self.end_playback(me, 1);
        Ok(())
    }

    /// Ends `me`'s playback for `cause`, hangs up its phone and makes it ready.
    pub(super) fn end_playback(&mut self, me: &str, cause: u8) {
        self.playbacks.remove(me);
        self.push_event(
            me,
            "AgentMediaEvent_StopPlayDone",
            me,
            json!({ "cause": cause }),
        );
        self.push_event(me, "AgentOther_PhoneRelease", me, json!({}));
        let now = self.now();
        if let Some(agent) = self.agents.get_mut(me) {
            agent.set_state(AgentState::Idle, now);
        }
        self.push_event(me, "AgentState_Ready", me, json!({}));
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_and_full_scale_encode_as_g711_says() {
        assert_eq!(alaw(0), 0xD5);
        assert_eq!(alaw(-1), 0x55);
        assert_eq!(alaw(i16::MAX), 0xAA);
        assert_eq!(alaw(i16::MIN), 0x2A);
        assert_eq!(tone_second().len(), 8_000);
    }

    #[test]
    fn recordings_are_named_by_vdn_day_and_call() {
        // 2018-12-17 12:00 UTC.
        let name = World::recording_name(1, "120", "1700000000-42", 1_545_048_000_000);
        assert_eq!(
            name, "y:/1/0/20181217/120/42.V3",
            "the reference's drive:/vdn/dir/yyyymmdd/workno/n.V3"
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
