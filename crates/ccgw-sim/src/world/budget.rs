//! The overload budget gateways keep for each agent's queue-device and agent-group
//! queries: at most N in any window (by default 5 per 2 s), counted by arrival. A query
//! over it is refused and not counted.

use std::time::Instant;

use super::model::{Failure, World};
use crate::answers::retcode;

impl World {
    /// Counts one budgeted query of `agent` arriving at `now`, or refuses it when the
    /// agent's window is full.
    pub(crate) fn spend_query_budget(&mut self, agent: &str, now: Instant) -> Result<(), Failure> {
        let Some((queries, per)) = self.config.overload_budget else {
            return Ok(());
        };
        let window = self.budget_windows.entry(agent.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|arrived| now.duration_since(*arrived) >= per)
        {
            window.pop_front();
        }
        if window.len() >= queries as usize {
            self.refused_over_budget += 1;
            return Err(Failure {
                retcode: retcode::OVERLOADED,
                message: format!(
                    "overload control: more than {queries} queue and agent-group queries in {} ms",
                    per.as_millis()
                ),
            });
        }
        window.push_back(now);
        Ok(())
    }

    /// How many queries the overload budget refused so far.
    pub fn refused_over_budget(&self) -> u64 {
        self.refused_over_budget
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::SimConfig;
    use crate::world::World;

    #[test]
    fn a_sixth_query_within_two_seconds_is_refused_and_not_counted() {
        let mut world = World::new(SimConfig::default());
        let start = std::time::Instant::now();
        for i in 0..5 {
            let at = start + Duration::from_millis(100 * i);
            assert!(world.spend_query_budget("101", at).is_ok());
        }
        let refused = world.spend_query_budget("101", start + Duration::from_millis(1999));
        assert_eq!(refused.unwrap_err().retcode, "000-007");
        assert!(
            world.spend_query_budget("201", start).is_ok(),
            "another agent has its own budget"
        );
        // The first query leaves the window 2 s after it arrived.
        assert!(
            world
                .spend_query_budget("101", start + Duration::from_secs(2))
                .is_ok()
        );
        assert!(
            world
                .spend_query_budget("101", start + Duration::from_secs(2))
                .is_err()
        );
    }
}
