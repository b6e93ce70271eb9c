//! What a simulator run looks like: tenants, agents, password, authentication mode and
//! timings. Loadable from TOML or JSON; every field has a default.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::shapes::ShapeProfile;

mod floor;
pub use floor::{RecordingConfig, Traffic, TrafficConfig};

/// The built-in password of every seeded agent, announced at start-up when in use.
pub const DEFAULT_PASSWORD: &str = "Sim@12345";

/// How the gateway authenticates a session after sign-in (its AUTHMODE setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// AUTHMODE 1: the Guid from sign-in stays valid for the whole session.
    #[default]
    Static,
    /// AUTHMODE 2: every event-poll answer announces a new Guid; the previous one is
    /// refused from then on (000-003) unless a grace period is set.
    Dynamic,
}

/// One tenant (VDN) and its agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VdnConfig {
    /// The VDN's number.
    pub id: u32,
    /// Agents with quality-control permission. They start signed out.
    pub inspectors: Vec<String>,
    /// Ordinary agents. They start signed in, each on a call with a customer.
    pub agents: Vec<String>,
    /// The VDN's skill queues. Every agent serves the first; every second agent (the
    /// first, the third, ...) also serves the others, unless `skills_per_agent` is set.
    #[serde(default)]
    pub skills: Vec<SkillConfig>,
    /// When set, every agent serves the first skill queue and this many others (less
    /// one), taken in turn so that the queues have about as many agents each: the shape
    /// of a large contact center, where an agent serves a few of many queues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills_per_agent: Option<usize>,
}

impl VdnConfig {
    /// The skill queues the `index`-th agent of this VDN serves.
    pub fn skills_of_agent(&self, index: usize) -> Vec<i32> {
        let Some((first, others)) = self.skills.split_first() else {
            return Vec::new();
        };
        match self.skills_per_agent {
            Some(per_agent) if !others.is_empty() => {
                let more = per_agent.saturating_sub(1).min(others.len());
                let mut skills = vec![first.id];
                skills.extend((0..more).map(|k| others[(index * more + k) % others.len()].id));
                skills
            }
            Some(_) => vec![first.id],
            None if index % 2 == 1 => vec![first.id],
            None => self.skills.iter().map(|s| s.id).collect(),
        }
    }
}

/// One skill queue of a VDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillConfig {
    /// The skill queue's ID.
    pub id: i32,
    /// Its name.
    pub name: String,
    /// How many callers wait in it.
    #[serde(default)]
    pub waiting: u32,
}

impl SkillConfig {
    /// A skill queue with `waiting` callers.
    pub fn new(id: i32, name: impl Into<String>, waiting: u32) -> Self {
        SkillConfig {
            id,
            name: name.into(),
            waiting,
        }
    }
}

/// Everything a simulator run is configured with.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// The password of every configured agent.
    pub password: String,
    /// Static or dynamic authentication.
    pub auth_mode: AuthMode,
    /// How long an event poll waits for an event before answering without one.
    #[serde(with = "millis")]
    pub poll_wait: Duration,
    /// How long a session may go without polling events before it is signed out.
    #[serde(with = "millis")]
    pub session_timeout: Duration,
    /// How long a replaced Guid stays valid under dynamic authentication: none by
    /// default, as the reference names no grace (clients must switch at once).
    #[serde(with = "millis")]
    pub guid_grace: Duration,
    /// The node name appended to every Guid (`<uuid>.<node>`).
    pub node: String,
    /// The tenants.
    pub vdns: Vec<VdnConfig>,
    /// Answer as real gateways do where they differ from the reference (see
    /// [`SimConfig::quirks`]). Off by default.
    pub quirks: bool,
    /// Send the events older simulators made up, which the reference does not list (see
    /// [`SimConfig::invented_events`]). Off by default.
    pub invented_events: bool,
    /// Refuse a sign-out (100-010) while the inspector is in a call or an inspection (see
    /// [`SimConfig::refuse_sign_out_in_call`]). Off by default.
    pub refuse_sign_out_in_call: bool,
    /// The overload budget of queue-device and agent-group queries: at most this many
    /// per agent in any window of this length; more are answered
    /// [`OVERLOADED`](crate::answers::retcode::OVERLOADED). Gateways' default, 5 per
    /// 2 s, unless configured; `None` counts nothing.
    pub overload_budget: Option<(u32, Duration)>,
    /// Calls that arrive, queue, are answered and end, and agents who wrap up and rest;
    /// `None` (the default): a still floor where every seeded agent talks until told
    /// otherwise.
    pub traffic: Option<TrafficConfig>,
    /// Answer in the shapes of a `ccgw probe` report (see [`SimConfig::shapes`]); not
    /// read from a configuration file: `ccgw sim --shapes FILE` loads it.
    #[serde(skip)]
    pub shapes: Option<std::sync::Arc<ShapeProfile>>,
    /// Recordings to serve besides those of the simulated calls.
    pub recordings: Vec<RecordingConfig>,
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("password", &"<redacted>")
            .field("auth_mode", &self.auth_mode)
            .field("poll_wait", &self.poll_wait)
            .field("session_timeout", &self.session_timeout)
            .field("guid_grace", &self.guid_grace)
            .field("node", &self.node)
            .field("vdns", &self.vdns.len())
            .field("quirks", &self.quirks)
            .field("invented_events", &self.invented_events)
            .field("refuse_sign_out_in_call", &self.refuse_sign_out_in_call)
            .field("overload_budget", &self.overload_budget)
            .field("traffic", &self.traffic)
            .field("shapes", &self.shapes.is_some())
            .field("recordings", &self.recordings.len())
            .finish()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            password: DEFAULT_PASSWORD.to_owned(),
            auth_mode: AuthMode::Static,
            poll_wait: Duration::from_secs(10),
            session_timeout: Duration::from_secs(120),
            guid_grace: Duration::ZERO,
            node: "AgentGateway1".to_owned(),
            vdns: vec![
                VdnConfig {
                    id: 1,
                    inspectors: vec!["101".to_owned()],
                    agents: (1001..=1010).map(|n| n.to_string()).collect(),
                    skills: vec![
                        SkillConfig::new(1, "voice", 2),
                        SkillConfig::new(2, "vip", 0),
                    ],
                    skills_per_agent: None,
                },
                VdnConfig {
                    id: 2,
                    inspectors: vec!["201".to_owned()],
                    agents: (2001..=2005).map(|n| n.to_string()).collect(),
                    skills: vec![SkillConfig::new(3, "voice", 1)],
                    skills_per_agent: None,
                },
            ],
            quirks: false,
            invented_events: false,
            refuse_sign_out_in_call: false,
            overload_budget: Some((5, Duration::from_secs(2))),
            traffic: None,
            shapes: None,
            recordings: Vec::new(),
        }
    }
}

/// Why a configuration file could not be used.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl SimConfig {
    /// Reads a configuration file: JSON when the name ends in `.json`, TOML otherwise.
    /// Missing fields keep their defaults.
    pub fn from_file(path: &Path) -> Result<SimConfig, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
        let config: SimConfig = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text)
                .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?
        } else {
            toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks that agent IDs are valid and unique, VDN IDs unique, and that a poll is
    /// answered before the session it keeps alive would expire.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.poll_wait >= self.session_timeout {
            return Err(ConfigError(format!(
                "poll_wait ({} ms) must be shorter than session_timeout ({} ms): a session \
                 that polls would expire while its poll waits",
                self.poll_wait.as_millis(),
                self.session_timeout.as_millis()
            )));
        }
        let mut vdns = std::collections::HashSet::new();
        if let Some(twice) = self.vdns.iter().find(|v| !vdns.insert(v.id)) {
            return Err(ConfigError(format!("VDN {} is configured twice", twice.id)));
        }
        let mut seen = std::collections::HashSet::new();
        for vdn in &self.vdns {
            for id in vdn.inspectors.iter().chain(&vdn.agents) {
                if !crate::ids::is_agent_id(id) {
                    return Err(ConfigError(format!(
                        "VDN {}: {id:?} is not an agent ID",
                        vdn.id
                    )));
                }
                if !seen.insert(id) {
                    return Err(ConfigError(format!("agent {id} is configured twice")));
                }
            }
        }
        Ok(())
    }

    /// Sets the password of every configured agent.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = password.into();
        self
    }

    /// Switches dynamic authentication (AUTHMODE 2) on or off.
    pub fn dynamic_auth(mut self, on: bool) -> Self {
        self.auth_mode = if on {
            AuthMode::Dynamic
        } else {
            AuthMode::Static
        };
        self
    }

    /// Answers as Huawei's own clients show real gateways do, where that differs from the
    /// reference: every answer encoded GBK with `charset=GBK` in `Content-Type`, agents
    /// named in Chinese (`坐席1001`), event strings padded with trailing NUL characters,
    /// polls without an event answered `{"message":"","retcode":"0"}` with no `event`
    /// key, and `Set-GUID` on every answer of a signed-in session, not only sign-in and
    /// polls. For testing a client against those shapes.
    pub fn quirks(mut self, on: bool) -> Self {
        self.quirks = on;
        self
    }

    /// Sends, besides the reference's events, those older simulators made up: after an
    /// intercept `AgentOther_BeQcStop` and `AgentState_Ready` about the target, after a
    /// forced state `AgentState_Busy`/`_Ready`/`_Rest`/`_SignOut` about the target, after
    /// a forced release `AgentOther_PhoneRelease` per party, all to the inspector. For old
    /// demos only: no gateway is known to send them.
    pub fn invented_events(mut self, on: bool) -> Self {
        self.invented_events = on;
        self
    }

    /// Refuses a sign-out with 100-010 ("state error during sign-out", which the
    /// reference lists without saying which state) while the inspector is in a call or an
    /// inspection: inferred, so off by default; for testing that a client ends what it
    /// began before it signs out.
    pub fn refuse_sign_out_in_call(mut self, on: bool) -> Self {
        self.refuse_sign_out_in_call = on;
        self
    }

    /// Answers in the shapes a `ccgw probe` report saw on a real gateway: its charsets,
    /// fields missing or added, numbers as text, other types, NUL padding, operation by
    /// operation. Applied after [`quirks`](Self::quirks), and wins where both speak.
    pub fn shapes(mut self, profile: ShapeProfile) -> Self {
        self.shapes = Some(std::sync::Arc::new(profile));
        self
    }

    /// Serves `recording` too (the calls' own are always served).
    pub fn recording(mut self, recording: RecordingConfig) -> Self {
        self.recordings.push(recording);
        self
    }

    /// Sets how long an event poll waits for an event.
    pub fn poll_wait(mut self, wait: Duration) -> Self {
        self.poll_wait = wait;
        self
    }

    /// Sets the overload budget: at most `queries` queue-device and agent-group queries
    /// per agent in any window of `per`; `None` counts nothing.
    pub fn overload_budget(mut self, budget: Option<(u32, Duration)>) -> Self {
        self.overload_budget = budget;
        self
    }

    /// A living floor at `level`, its random choices fixed by `seed`.
    pub fn traffic(mut self, level: Traffic, seed: u64) -> Self {
        let manual_clock = self.traffic.as_ref().is_some_and(|t| t.manual_clock);
        self.traffic = Some(TrafficConfig {
            level,
            seed,
            manual_clock,
        });
        self
    }

    /// With traffic: whether the world's clock stands still until a test moves it.
    pub fn manual_clock(mut self, manual: bool) -> Self {
        if let Some(traffic) = &mut self.traffic {
            traffic.manual_clock = manual;
        }
        self
    }

    /// Sets how long a session may go without polling.
    pub fn session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    /// Sets how long a replaced Guid stays valid (default none).
    pub fn guid_grace(mut self, grace: Duration) -> Self {
        self.guid_grace = grace;
        self
    }

    /// Adds a VDN for load tests: `inspectors` inspectors from 30001 and `agents` agents
    /// from 40001, every agent signed in and on a call.
    pub fn with_load_tenant(mut self, inspectors: u32, agents: u32) -> Self {
        self.vdns.push(VdnConfig {
            id: 3,
            inspectors: (0..inspectors).map(|i| (30001 + i).to_string()).collect(),
            agents: (0..agents).map(|i| (40001 + i).to_string()).collect(),
            skills: vec![SkillConfig::new(31, "load", 0)],
            skills_per_agent: None,
        });
        self
    }

    /// One large tenant instead of the default ones: VDN 1 with inspector 101, `agents`
    /// agents each signed in and on a call, and `queues` skill queues (`queue 1`, ...).
    /// Every agent serves queue 1 and two others, in turn. Agents are numbered from 1001
    /// while the classic edition's range (up to 59999) holds them, else from 100001 (the
    /// newest edition's range).
    pub fn large_tenant(mut self, agents: u32, queues: u32) -> Self {
        let first = if 1000 + agents <= 59_999 {
            1001
        } else {
            100_001
        };
        self.vdns = vec![VdnConfig {
            id: 1,
            inspectors: vec!["101".to_owned()],
            agents: (0..agents).map(|i| (first + i).to_string()).collect(),
            skills: (1..=queues.max(1))
                .map(|q| SkillConfig::new(q as i32, format!("queue {q}"), q % 4))
                .collect(),
            skills_per_agent: Some(3),
        }];
        self
    }

    /// Whether the password is the built-in one (and so should be announced).
    pub fn is_default_password(&self) -> bool {
        self.password == DEFAULT_PASSWORD
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
