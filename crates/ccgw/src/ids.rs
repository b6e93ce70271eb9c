//! Typed IDs: what cannot be built cannot reach the wire.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::redact::short;

/// The most skill IDs one adjustment may carry.
pub const MAX_SKILLS: usize = 1000;

/// The gateway edition, which decides the range of agent IDs.
///
/// ```
/// use ccgw::Edition;
/// assert_eq!("newest".parse::<Edition>()?, Edition::Newest);
/// assert_eq!(Edition::Classic.to_string(), "classic");
/// # Ok::<(), ccgw::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Edition {
    /// Agent IDs 101 to 59999.
    #[default]
    Classic,
    /// Agent IDs 101 to 999999.
    Newest,
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Edition::Classic => "classic",
            Edition::Newest => "newest",
        })
    }
}

impl FromStr for Edition {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "classic" => Ok(Edition::Classic),
            "newest" => Ok(Edition::Newest),
            _ => Err(Error::invalid_input("the edition is classic or newest")),
        }
    }
}

impl Edition {
    /// The largest agent ID of this edition.
    pub fn max_agent_id(self) -> u32 {
        match self {
            Edition::Classic => 59_999,
            Edition::Newest => 999_999,
        }
    }
}

/// An agent ID: digits only, from 101 to the edition's maximum.
///
/// This is where the document's `pattern` for agent IDs is checked: the generated layer
/// leaves it out (see `ccgw-codegen`), and holds the ID in the form made once here, so that
/// no request converts it again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "String", try_from = "String"))]
pub struct AgentId(ccgw_api::types::AgentId);

impl AgentId {
    /// The smallest agent ID.
    pub const MIN: u32 = 101;

    /// Parses an agent ID for an edition.
    ///
    /// ```
    /// use ccgw::{AgentId, Edition};
    /// assert!(AgentId::parse_for(Edition::Classic, "1001").is_ok());
    /// assert!(AgentId::parse_for(Edition::Classic, "60000").is_err());
    /// assert!(AgentId::parse_for(Edition::Newest, "60000").is_ok());
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for anything but digits from
    /// 101 to the edition's maximum, without a leading zero.
    pub fn parse_for(edition: Edition, text: &str) -> Result<AgentId, Error> {
        let digits =
            !text.is_empty() && text.len() <= 6 && text.bytes().all(|b| b.is_ascii_digit());
        if !digits || text.starts_with('0') {
            return Err(Error::invalid_input(format!(
                "agent ID {:?} must be digits without a leading zero",
                short(text)
            )));
        }
        let value: u32 = text
            .parse()
            .map_err(|_| Error::invalid_input("agent ID out of range"))?;
        Self::from_number(edition, value)
    }

    /// An agent ID from a number, for an edition.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) outside 101 to the edition's
    /// maximum.
    pub fn from_number(edition: Edition, value: u32) -> Result<AgentId, Error> {
        if !(Self::MIN..=edition.max_agent_id()).contains(&value) {
            return Err(Error::invalid_input(format!(
                "agent ID {value} is out of range {}..={} for the {edition:?} edition",
                Self::MIN,
                edition.max_agent_id()
            )));
        }
        Ok(AgentId(ccgw_api::types::AgentId(value.to_string())))
    }

    /// The ID as sent on the wire.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The ID as a number.
    pub fn number(&self) -> u32 {
        self.0.parse().expect("validated digits")
    }

    /// The generated layer's form of the ID.
    pub(crate) fn wire(&self) -> ccgw_api::types::AgentId {
        self.0.clone()
    }
}

/// Parses with the classic (narrower) range; use [`AgentId::parse_for`] or
/// [`Client::agent_id`](crate::Client::agent_id) for the newest edition.
impl FromStr for AgentId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        AgentId::parse_for(Edition::Classic, s)
    }
}

/// Deserialized agent IDs are checked against the newest edition's range, the widest.
impl TryFrom<String> for AgentId {
    type Error = Error;

    fn try_from(text: String) -> Result<Self, Error> {
        AgentId::parse_for(Edition::Newest, &text)
    }
}

impl From<AgentId> for String {
    fn from(agent: AgentId) -> String {
        agent.as_str().to_owned()
    }
}

impl TryFrom<String> for CallId {
    type Error = Error;

    fn try_from(text: String) -> Result<Self, Error> {
        CallId::parse(&text)
    }
}

impl From<CallId> for String {
    fn from(call: CallId) -> String {
        call.as_str().to_owned()
    }
}

impl TryFrom<u32> for AgentId {
    type Error = Error;

    fn try_from(value: u32) -> Result<Self, Error> {
        AgentId::from_number(Edition::Classic, value)
    }
}

impl AsRef<str> for AgentId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A call ID as the gateway names it: two groups of digits joined by a dash, such as
/// `1700000000-123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "String", try_from = "String"))]
pub struct CallId(String);

impl CallId {
    /// Parses a call ID.
    ///
    /// ```
    /// assert!(ccgw::CallId::parse("1700000000-123").is_ok());
    /// assert!(ccgw::CallId::parse("1700000000").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for anything but two groups of
    /// 1 to 20 digits joined by a dash.
    pub fn parse(text: &str) -> Result<CallId, Error> {
        let valid = match text.split_once('-') {
            Some((a, b)) => [a, b]
                .iter()
                .all(|g| (1..=20).contains(&g.len()) && g.bytes().all(|c| c.is_ascii_digit())),
            None => false,
        };
        if valid {
            Ok(CallId(text.to_owned()))
        } else {
            Err(Error::invalid_input(format!(
                "call ID {:?} must look like 1700000000-123",
                short(text)
            )))
        }
    }

    /// The ID as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The generated layer's form of the ID, which checks nothing: the check is
    /// [`CallId::parse`]'s.
    pub(crate) fn wire(&self) -> ccgw_api::types::CallId {
        ccgw_api::types::CallId(self.0.clone())
    }
}

impl FromStr for CallId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        CallId::parse(s)
    }
}

impl AsRef<str> for CallId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A skill queue's ID, as the gateway numbers its queues: 0 to 2,147,483,647.
///
/// ```
/// let queue: ccgw::SkillId = "7".parse()?;
/// assert_eq!(queue.get(), 7);
/// assert_eq!(queue, ccgw::SkillId::new(7)?);
/// assert!("-1".parse::<ccgw::SkillId>().is_err());
/// assert!(ccgw::SkillId::new(-1).is_err());
/// # Ok::<(), ccgw::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "i32", try_from = "i32"))]
pub struct SkillId(i32);

impl SkillId {
    /// The skill queue numbered `id`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a negative number.
    pub fn new(id: i32) -> Result<SkillId, Error> {
        if id < 0 {
            return Err(Error::invalid_input(format!("skill ID {id} is negative")));
        }
        Ok(SkillId(id))
    }

    /// The number, as sent on the wire.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl FromStr for SkillId {
    type Err = Error;

    /// Parses digits such as `7` (no sign, no spaces).
    fn from_str(s: &str) -> Result<Self, Error> {
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let id = s.parse::<i32>().ok().filter(|_| digits).ok_or_else(|| {
            Error::invalid_input(format!(
                "skill ID {:?} must be a number from 0 to 2147483647",
                short(s)
            ))
        })?;
        SkillId::new(id)
    }
}

impl TryFrom<i32> for SkillId {
    type Error = Error;

    fn try_from(id: i32) -> Result<Self, Error> {
        SkillId::new(id)
    }
}

impl From<SkillId> for i32 {
    fn from(id: SkillId) -> i32 {
        id.0
    }
}

impl fmt::Display for SkillId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The skill queues an agent is to serve: 1 to [`MAX_SKILLS`] skill IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skills(Vec<SkillId>);

impl Skills {
    /// Checks the list's length.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty list or one over
    /// [`MAX_SKILLS`].
    pub fn new(ids: Vec<SkillId>) -> Result<Skills, Error> {
        if ids.is_empty() || ids.len() > MAX_SKILLS {
            return Err(Error::invalid_input(format!(
                "a skill list holds 1 to {MAX_SKILLS} IDs, not {}",
                ids.len()
            )));
        }
        Ok(Skills(ids))
    }

    /// The IDs.
    pub fn ids(&self) -> &[SkillId] {
        &self.0
    }
}

impl FromStr for Skills {
    type Err = Error;

    /// Parses a comma-separated list such as `1,2,3`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let ids = s
            .split(',')
            .map(|part| part.trim().parse::<SkillId>())
            .collect::<Result<Vec<_>, _>>()?;
        Skills::new(ids)
    }
}
