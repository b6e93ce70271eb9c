//! Storms: when a round raises or clears many alerts of one rule (an outage, a surge), one
//! line per subject buries everything else. Past [`GROUP_OVER`] changes of a rule in a
//! round, they are told as one line, "talking: 312 agents raised, 40 cleared".

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::rules::Change;

/// The most changes of one rule in a round still told one by one.
pub const GROUP_OVER: usize = 10;

/// How a round's changes are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Told<'a> {
    /// One change.
    One(&'a Change),
    /// Many changes of one rule.
    Grouped(Group),
}

/// Many changes of one rule in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Always `grouped`, where a single change says `raised` or `cleared`.
    pub alert: &'static str,
    pub rule: &'static str,
    pub threshold: u64,
    /// `agents` or `queues`.
    pub subjects: &'static str,
    pub raised: usize,
    pub cleared: usize,
    pub at: String,
}

impl Group {
    /// `talking: 312 agents raised, 40 cleared`.
    pub fn words(&self) -> String {
        format!(
            "{}: {} {} raised, {} cleared",
            self.rule, self.raised, self.subjects, self.cleared
        )
    }
}

/// The round's changes as told: one by one, unless a rule has more than [`GROUP_OVER`] and
/// `per_subject` is off. Grouped rules keep the place of their first change.
pub fn tell(changes: &[Change], per_subject: bool) -> Vec<Told<'_>> {
    // Changes and raises of each rule (by kind and threshold).
    let mut counts: HashMap<(&str, u64), (usize, usize)> = HashMap::new();
    for change in changes {
        let count = counts.entry((change.rule, change.threshold)).or_default();
        count.0 += 1;
        count.1 += usize::from(change.alert == "raised");
    }
    let mut grouped: HashSet<(&str, u64)> = HashSet::new();
    let mut told: Vec<Told<'_>> = Vec::new();
    for change in changes {
        let key = (change.rule, change.threshold);
        let (count, raised) = counts.get(&key).copied().unwrap_or_default();
        if per_subject || count <= GROUP_OVER {
            told.push(Told::One(change));
            continue;
        }
        // Told once, where its first change was.
        if !grouped.insert(key) {
            continue;
        }
        told.push(Told::Grouped(Group {
            alert: "grouped",
            rule: change.rule,
            threshold: change.threshold,
            subjects: if change.subject.starts_with("queue") {
                "queues"
            } else {
                "agents"
            },
            raised,
            cleared: count - raised,
            at: change.at.clone(),
        }));
    }
    told
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(alert: &'static str, rule: &'static str, subject: String) -> Change {
        Change {
            alert,
            rule,
            subject,
            value: 50,
            threshold: 45,
            at: "2026-12-07T10:00:00Z".to_owned(),
        }
    }

    #[test]
    fn a_storm_of_one_rule_is_one_line_and_the_rest_stay_single() {
        let mut changes = vec![change("raised", "waiting", "queue 1".to_owned())];
        changes.extend((0..312).map(|n| change("raised", "talking", format!("agent {n}"))));
        changes
            .extend((0..40).map(|n| change("cleared", "talking", format!("agent {}", 1000 + n))));
        let told = tell(&changes, false);
        assert_eq!(told.len(), 2);
        assert_eq!(told[0], Told::One(&changes[0]));
        let Told::Grouped(group) = &told[1] else {
            panic!("{told:?}")
        };
        assert_eq!(group.words(), "talking: 312 agents raised, 40 cleared");
        assert_eq!(
            tell(&changes, true).len(),
            changes.len(),
            "per subject on request"
        );
        let few = &changes[..GROUP_OVER + 1];
        assert_eq!(
            tell(few, false).len(),
            few.len(),
            "ten of a rule stay single"
        );
    }
}
