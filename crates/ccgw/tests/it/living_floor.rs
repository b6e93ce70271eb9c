//! A floor that lives (a seeded traffic model on a clock the test moves): queue
//! statistics, the waiting calls and the agents' states agree at every moment, and an
//! inspection ends when the inspected call does.

use crate::common::skill;
use std::time::Duration;

use crate::common;

use ccgw::AgentState;
use ccgw_sim::{QcMode, Traffic};
use common::{agent, inspector, quick, sim};

#[tokio::test]
async fn statistics_waiting_calls_and_agents_agree_at_every_moment() {
    let sim = sim(quick().traffic(Traffic::Surge, 3).manual_clock(true)).await;
    let (_client, session) = inspector(&sim).await;
    let mut someone_waited = false;
    for _ in 0..6 {
        sim.advance(Duration::from_secs(45));
        let stats = session.queue_stats(&[skill(1)]).await.unwrap();
        let waiting = session.waiting_calls(skill(1)).await.unwrap();
        let agents = session.agents_in_skill(skill(1), None).await.unwrap();
        assert_eq!(stats[0].waiting, Some(waiting.len() as u32));
        match waiting.first() {
            Some(first) => assert_eq!(stats[0].longest_wait, first.waited),
            // Nobody waits: the statistics say no wait, as zero or not at all.
            None => assert!(stats[0].longest_wait.is_none_or(|w| w.is_zero())),
        }
        let idle = agents
            .iter()
            .filter(|a| a.state == AgentState::Idle)
            .count();
        assert_eq!(stats[0].available, Some(idle as u32));
        assert_eq!(stats[0].signed_in, Some(agents.len() as u32));
        assert!(
            idle == 0 || waiting.is_empty(),
            "nobody waits while an agent is free"
        );
        someone_waited |= !waiting.is_empty();
        let waits: Vec<_> = waiting.iter().map(|c| c.waited).collect();
        assert!(
            waits.windows(2).all(|w| w[0] >= w[1]),
            "the longest wait first"
        );
    }
    assert!(someone_waited, "a surge makes callers wait");
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_inspection_ends_when_the_inspected_call_ends() {
    let sim = sim(quick().traffic(Traffic::Calm, 11).manual_clock(true)).await;
    let (_client, session) = inspector(&sim).await;
    let call = sim.call_of("1001").unwrap();
    session.listen(&agent("1001")).await.unwrap();
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Listening);
    // A seeded call lasts two minutes on average: move on a minute at a time until it
    // ends (within an hour, all but surely).
    for _ in 0..60 {
        if sim.call_of("1001").as_ref() != Some(&call) {
            break;
        }
        sim.advance(Duration::from_secs(60));
    }
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
    assert_ne!(sim.call_of("1001"), Some(call), "that call ended");
    session.sign_out().await.unwrap();
}
