//! What the queue queries report about skill queues: which there are, and how each
//! fares now.

use std::time::Duration;

use ccgw_api::types as wire;

use super::wire::malformed;
use crate::error::Error;
use crate::ids::SkillId;

/// A skill queue (`querySkillQueueOnAgentVDN`, an agent's skills).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SkillQueue {
    /// The skill queue's ID.
    pub id: SkillId,
    /// Its name.
    pub name: String,
    /// Its media type (5 for ordinary audio and video calls).
    pub media_type: Option<i32>,
}

impl SkillQueue {
    pub(crate) fn from_wire(skill: wire::Skill) -> Result<Self, Error> {
        Ok(SkillQueue {
            id: skill
                .id
                .ok_or_else(|| malformed("id", "missing"))
                .and_then(|id| SkillId::new(id).map_err(|e| malformed("id", e)))?,
            name: skill.name.unwrap_or_default(),
            media_type: skill.mediatype,
        })
    }
}

/// How a skill queue fares now (`queryStatInfoOfAcd`). A count or time the gateway
/// marks as absent (its 65535 and 4294967295 sentinels, or a negative value) is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct QueueStats {
    /// The skill queue's ID.
    pub skill: SkillId,
    /// Its description, which clients show as its name (empty when the gateway sends
    /// none).
    pub name: String,
    /// Callers waiting now.
    pub waiting: Option<u32>,
    /// How long the longest-waiting caller has waited.
    pub longest_wait: Option<Duration>,
    /// Agents signed in to the queue.
    pub signed_in: Option<u32>,
    /// Agents available for a call now.
    pub available: Option<u32>,
}

/// What gateways write for "none" in a 16-bit field, and in a 32-bit one.
const ABSENT: [i64; 2] = [65_535, 4_294_967_295];

/// A count, unless absent or impossible.
fn count(value: Option<i64>) -> Option<u32> {
    value
        .filter(|v| !ABSENT.contains(v))
        .and_then(|v| u32::try_from(v).ok())
}

impl QueueStats {
    /// A queue with nothing reported: every count and time `None`. Set the fields that
    /// are known, as a test or a stand-in for a gateway would.
    pub fn new(skill: SkillId, name: impl Into<String>) -> Self {
        QueueStats {
            skill,
            name: name.into(),
            waiting: None,
            longest_wait: None,
            signed_in: None,
            available: None,
        }
    }

    pub(crate) fn from_wire(stat: wire::QueueStat) -> Result<Self, Error> {
        let skill = SkillId::new(stat.device_no).map_err(|e| malformed("deviceNo", e))?;
        Ok(QueueStats {
            skill,
            name: stat.skill_descrip.unwrap_or_default(),
            waiting: count(stat.queue_size),
            longest_wait: count(stat.queue_time).map(|s| Duration::from_secs(s.into())),
            signed_in: count(stat.logged_on_agents),
            available: count(stat.avail_agents),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels_and_negative_values_are_none() {
        let wire: wire::QueueStat = serde_json::from_value(serde_json::json!({
            "deviceNo": 10, "queueSize": 65535, "queueTime": 4294967295_i64,
            "loggedOnAgents": -1, "availAgents": 3, "skillDescrip": "vip"
        }))
        .unwrap();
        let stats = QueueStats::from_wire(wire).unwrap();
        assert_eq!(stats.skill.get(), 10);
        assert_eq!(stats.name, "vip");
        assert_eq!((stats.waiting, stats.longest_wait), (None, None));
        assert_eq!((stats.signed_in, stats.available), (None, Some(3)));
        let wire: wire::QueueStat =
            serde_json::from_value(serde_json::json!({"deviceNo": 1, "queueTime": 75})).unwrap();
        let stats = QueueStats::from_wire(wire).unwrap();
        assert_eq!(stats.longest_wait, Some(Duration::from_secs(75)));
        assert_eq!(stats.name, "");
        let wire: wire::QueueStat =
            serde_json::from_value(serde_json::json!({"deviceNo": -4})).unwrap();
        let e = QueueStats::from_wire(wire).unwrap_err();
        assert!(e.to_string().contains("deviceNo"), "{e}");
    }
}
