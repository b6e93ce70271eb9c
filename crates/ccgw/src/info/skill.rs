//! What the queue queries report about skill queues.

use ccgw_api::types as wire;

use super::wire::malformed;
use crate::error::Error;

/// A skill queue (`querySkillQueueOnAgentVDN`, an agent's skills).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SkillQueue {
    /// The skill queue's ID.
    pub id: i32,
    /// Its name.
    pub name: String,
    /// Its media type (5 for ordinary audio and video calls).
    pub media_type: Option<i32>,
}

impl SkillQueue {
    pub(crate) fn from_wire(skill: wire::Skill) -> Result<Self, Error> {
        Ok(SkillQueue {
            id: skill.id.ok_or_else(|| malformed("skill id", "missing"))?,
            name: skill.name.unwrap_or_default(),
            media_type: skill.mediatype,
        })
    }
}
