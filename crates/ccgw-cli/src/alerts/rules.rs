//! Alert rules, as a supervisor writes them in the settings file, and their evaluation
//! with hysteresis: an alert is raised when its value goes over the threshold and cleared
//! only when it falls below a lower mark (by default four fifths of the threshold), so a
//! value hovering at the threshold does not make it flap.
//!
//! ```toml
//! [[alerts]]
//! rule = "longest-wait"   # a queue's longest wait, in seconds
//! over = 60
//! [[alerts]]
//! rule = "waiting"        # callers waiting in a queue
//! over = 5
//! clear_below = 2         # optional: the lower mark
//! [[alerts]]
//! rule = "unattended"     # callers wait and no agent of the queue is available
//! [[alerts]]
//! rule = "talking"        # an agent on one call, in seconds (also "wrap-up", "resting")
//! over = 2400
//! ```

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use ccgw::{AgentState, QueueStats};
use serde::{Deserialize, Serialize};

/// What a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// A queue's longest wait, in seconds.
    LongestWait,
    /// Callers waiting in a queue.
    Waiting,
    /// Callers waiting in a queue with no agent available (the value is the callers).
    Unattended,
    /// How long an agent has been talking, in seconds.
    Talking,
    /// How long an agent has been wrapping up, in seconds.
    WrapUp,
    /// How long an agent has been resting, in seconds.
    Resting,
}

impl RuleKind {
    /// The rule's name, as written in the settings.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::LongestWait => "longest-wait",
            RuleKind::Waiting => "waiting",
            RuleKind::Unattended => "unattended",
            RuleKind::Talking => "talking",
            RuleKind::WrapUp => "wrap-up",
            RuleKind::Resting => "resting",
        }
    }

    fn of_agents(self) -> Option<AgentState> {
        match self {
            RuleKind::Talking => Some(AgentState::Talking),
            RuleKind::WrapUp => Some(AgentState::WrapUp),
            RuleKind::Resting => Some(AgentState::Rest),
            _ => None,
        }
    }
}

/// One rule of the settings file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub rule: RuleKind,
    /// Raised when the value goes over this (0 when absent: any caller, for `unattended`).
    #[serde(default)]
    pub over: u64,
    /// Cleared when the value falls below this (default four fifths of `over`).
    pub clear_below: Option<u64>,
}

impl Rule {
    fn clear_below(&self) -> u64 {
        self.clear_below
            .unwrap_or(self.over - self.over / 5)
            .min(self.over)
            .max(1)
    }
}

/// The rules of a settings file: `[[alerts]]` entries.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Rules {
    #[serde(default)]
    pub alerts: Vec<Rule>,
}

impl Rules {
    /// The rules of `path`, else of the settings file (none when it does not exist).
    pub fn load(path: Option<&std::path::PathBuf>) -> Result<Rules, String> {
        let path = match path {
            Some(path) => path.clone(),
            None => match crate::connect::config_path().filter(|p| p.exists()) {
                Some(path) => path,
                None => return Ok(Rules::default()),
            },
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the rules {}: {e}", path.display()))?;
        Rules::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads the `[[alerts]]` of a TOML file (other tables of the file are left alone).
    pub fn from_toml(text: &str) -> Result<Rules, String> {
        #[derive(Deserialize)]
        struct File {
            #[serde(default)]
            alerts: Vec<Rule>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        Ok(Rules {
            alerts: file.alerts,
        })
    }
}

/// What the agent rules read of one agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentSample<'a> {
    pub work_no: &'a str,
    pub state: AgentState,
    pub time_in_state: Option<Duration>,
}

/// An alert raised or cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `raised` or `cleared`.
    pub alert: &'static str,
    pub rule: &'static str,
    /// `queue 3` or `agent 1001`.
    pub subject: String,
    pub value: u64,
    pub threshold: u64,
    /// RFC 3339, UTC.
    pub at: String,
}

/// An alert in force, for the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    pub rule: &'static str,
    pub subject: String,
    pub value: u64,
    pub threshold: u64,
}

/// The rules and the alerts in force.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    rules: Vec<Rule>,
    active: HashMap<(usize, String), u64>,
}

impl Alerts {
    pub fn new(rules: Rules) -> Alerts {
        Alerts {
            rules: rules.alerts,
            active: HashMap::new(),
        }
    }

    /// Whether there is any rule at all.
    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty()
    }

    /// Whether any rule watches agents (and so needs their states).
    pub fn watches_agents(&self) -> bool {
        self.rules.iter().any(|r| r.rule.of_agents().is_some())
    }

    /// Evaluates every rule on what is known now; returns the alerts raised and cleared.
    /// A subject not reported this round (a queue no longer watched, an agent gone) keeps
    /// its alert as it was.
    pub fn evaluate(
        &mut self,
        queues: &[QueueStats],
        agents: &[AgentSample<'_>],
        now: SystemTime,
    ) -> Vec<Change> {
        let at = humantime::format_rfc3339_seconds(now).to_string();
        let mut changes = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let values = values(rule.rule, queues, agents);
            for (subject, value) in values {
                let key = (index, subject);
                let raised = self.active.contains_key(&key);
                let change = if !raised && value > rule.over {
                    self.active.insert(key.clone(), value);
                    Some("raised")
                } else if raised && value < rule.clear_below() {
                    self.active.remove(&key);
                    Some("cleared")
                } else {
                    if raised {
                        self.active.insert(key.clone(), value);
                    }
                    None
                };
                if let Some(alert) = change {
                    changes.push(Change {
                        alert,
                        rule: rule.rule.name(),
                        subject: key.1,
                        value,
                        threshold: rule.over,
                        at: at.clone(),
                    });
                }
            }
        }
        changes
    }

    /// The alerts in force: queues first, then agents, each the furthest over its
    /// threshold first.
    pub fn active(&self) -> Vec<Active> {
        let mut active: Vec<Active> = self
            .active
            .iter()
            .map(|((index, subject), value)| Active {
                rule: self.rules[*index].rule.name(),
                subject: subject.clone(),
                value: *value,
                threshold: self.rules[*index].over,
            })
            .collect();
        // Queues first (where callers are kept waiting), then agents; each the furthest
        // over its threshold first.
        let key = |x: &Active| {
            let over = x.value.saturating_sub(x.threshold);
            (
                x.subject.starts_with("agent"),
                std::cmp::Reverse(over),
                x.subject.clone(),
            )
        };
        active.sort_by_key(key);
        active
    }
}

/// Each subject's value for a rule.
fn values(kind: RuleKind, queues: &[QueueStats], agents: &[AgentSample<'_>]) -> Vec<(String, u64)> {
    let queue = |q: &QueueStats| format!("queue {}", q.skill);
    match kind.of_agents() {
        Some(state) => agents
            .iter()
            .map(|a| {
                let seconds = if a.state == state {
                    a.time_in_state.unwrap_or(Duration::ZERO).as_secs()
                } else {
                    0
                };
                (format!("agent {}", a.work_no), seconds)
            })
            .collect(),
        None => queues
            .iter()
            .filter_map(|q| {
                let value = match kind {
                    RuleKind::LongestWait => q.longest_wait?.as_secs(),
                    RuleKind::Waiting => u64::from(q.waiting?),
                    // Unknown availability says nothing either way.
                    _ if q.available? == 0 => u64::from(q.waiting?),
                    _ => 0,
                };
                Some((queue(q), value))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(skill: i32, waiting: u32, wait_secs: u64, available: u32) -> QueueStats {
        let mut q = QueueStats::new(ccgw::SkillId::new(skill).unwrap(), format!("queue {skill}"));
        q.waiting = Some(waiting);
        q.longest_wait = Some(Duration::from_secs(wait_secs));
        q.available = Some(available);
        q.signed_in = Some(10);
        q
    }

    fn rules(text: &str) -> Alerts {
        Alerts::new(Rules::from_toml(text).unwrap())
    }

    #[test]
    fn an_alert_is_raised_once_and_cleared_once_below_the_lower_mark() {
        let mut alerts = rules("[[alerts]]\nrule = \"longest-wait\"\nover = 60\n");
        let at = SystemTime::UNIX_EPOCH;
        let mut seen = Vec::new();
        // 61 raises; 55 and 61 again hover over four fifths (48): no flapping; 40 clears.
        for wait in [30, 61, 55, 61, 50, 40, 45] {
            seen.extend(alerts.evaluate(&[queue(3, 2, wait, 1)], &[], at));
        }
        let what: Vec<(&str, u64)> = seen.iter().map(|c| (c.alert, c.value)).collect();
        assert_eq!(what, [("raised", 61), ("cleared", 40)]);
        assert_eq!(seen[0].subject, "queue 3");
        assert_eq!(seen[0].rule, "longest-wait");
        assert_eq!(seen[0].threshold, 60);
        assert!(alerts.active().is_empty());
    }

    #[test]
    fn unattended_queues_and_long_calls_are_alerts_of_their_own() {
        let mut alerts = rules(
            "[[alerts]]\nrule = \"unattended\"\n[[alerts]]\nrule = \"talking\"\nover = 600\n\
             [[alerts]]\nrule = \"waiting\"\nover = 5\nclear_below = 2\n",
        );
        assert!(alerts.watches_agents());
        let long = AgentSample {
            work_no: "1001",
            state: AgentState::Talking,
            time_in_state: Some(Duration::from_secs(700)),
        };
        let short = AgentSample {
            time_in_state: Some(Duration::from_secs(20)),
            work_no: "1002",
            ..long
        };
        let at = SystemTime::UNIX_EPOCH;
        let changes = alerts.evaluate(&[queue(1, 6, 10, 0)], &[long, short], at);
        let raised: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| (c.rule, c.subject.as_str()))
            .collect();
        assert_eq!(
            raised,
            [
                ("unattended", "queue 1"),
                ("talking", "agent 1001"),
                ("waiting", "queue 1")
            ]
        );
        assert_eq!(alerts.active().len(), 3);
        // Three waiting is under six but not under the lower mark of two.
        // Agent 1001's call ended: 20 s into its next one.
        let next = AgentSample {
            work_no: "1001",
            ..short
        };
        let changes = alerts.evaluate(&[queue(1, 3, 10, 2)], &[next, short], at);
        let cleared: Vec<&str> = changes.iter().map(|c| c.rule).collect();
        assert_eq!(cleared, ["unattended", "talking"]);
        assert!(changes.iter().all(|c| c.alert == "cleared"));
        assert_eq!(alerts.active()[0].rule, "waiting");
    }

    #[test]
    fn a_settings_file_without_rules_has_none_and_a_bad_rule_is_named() {
        assert!(
            Rules::from_toml("[profiles.lab]\ngateway = \"x\"\n")
                .unwrap()
                .alerts
                .is_empty()
        );
        let e = Rules::from_toml("[[alerts]]\nrule = \"loud\"\n").unwrap_err();
        assert!(e.contains("loud") || e.contains("variant"), "{e}");
    }
}
