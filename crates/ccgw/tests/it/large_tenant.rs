//! A contact center of 5,000 agents and 20 skill queues: the queries that list agents get
//! bounds from what they may hold, so a large tenant is read whole while a hostile or
//! broken answer is still refused, naming the operation and what to do.

use crate::common;
use crate::common::skill;

use ccgw::{Client, ErrorKind, TenantSize};
use ccgw_sim::RunningSim;
use common::{inspector_101, quick, sim};

async fn floor() -> RunningSim {
    sim(quick().large_tenant(5_000, 20)).await
}

/// How many of the 5,000 agents serve queue 7: agent `i` serves the other queues
/// `2i` and `2i + 1` (mod 19) after queue 1, and queue 7 is the sixth of them.
fn in_queue_7() -> usize {
    (0..5_000)
        .filter(|i| (2 * i) % 19 == 5 || (2 * i + 1) % 19 == 5)
        .count()
}

fn client(sim: &RunningSim, tenant: TenantSize) -> Client {
    Client::builder(sim.base_url())
        .tenant_size(tenant)
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_agent_of_a_5000_agent_queue_is_read_within_the_default_bounds() {
    let sim = floor().await;
    let session = client(&sim, TenantSize::default())
        .sign_in(inspector_101())
        .await
        .unwrap();
    // Queue 1 holds every agent: about 2.5 MB, past the 1 MiB base limit.
    let agents = session.agents_in_skill(skill(1), None).await.unwrap();
    assert_eq!(agents.len(), 5_000);
    assert_eq!(agents[0].work_no.as_str(), "1001");
    assert_eq!(agents[4_999].work_no.as_str(), "6000");
    // Each agent serves queue 1 and two of the 19 others in turn.
    assert_eq!(
        session.agents_in_skill(skill(7), None).await.unwrap().len(),
        in_queue_7()
    );
    // The whole floor, streamed by the simulator: every agent under each of its 3 queues.
    let queues = session.online_agents().await.unwrap();
    assert_eq!(queues.len(), 20);
    let listed: usize = queues.iter().map(|q| q.agents.len()).sum();
    assert_eq!(listed, 15_000);
    assert_eq!(session.every_online_agent().await.unwrap().len(), 5_000);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_answer_past_the_bound_of_a_smaller_tenant_is_refused_with_what_to_do() {
    let sim = floor().await;
    let session = client(&sim, TenantSize::new(200, 2))
        .sign_in(inspector_101())
        .await
        .unwrap();
    let e = session.agents_in_skill(skill(1), None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AnswerTooLarge);
    assert_eq!(e.operation(), Some("queryAgentInfoBySkillId"));
    let text = e.to_string();
    assert!(text.contains("1.8 MiB"), "{text}");
    assert!(text.contains("tenant_size"), "{text}");
    let e = session.online_agents().await.unwrap_err();
    assert!(e.to_string().contains("prefer agents_in_skill"), "{e}");
    // The session is still good: the scalable queries work.
    assert_eq!(
        session.agents_in_skill(skill(7), None).await.unwrap().len(),
        in_queue_7()
    );
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_hostile_oversized_answer_to_a_small_query_is_still_refused_at_the_base_limit() {
    use ccgw_sim::{Fault, FaultRule};
    let sim = floor().await;
    let session = client(&sim, TenantSize::new(60_000, 100))
        .sign_in(inspector_101())
        .await
        .unwrap();
    sim.faults()
        .inject(FaultRule::on("getAgentStatus", Fault::OversizedAnswer(2 << 20)).times(1));
    let e = session.own_state().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AnswerTooLarge);
    assert!(e.to_string().contains("1.0 MiB"), "{e}");
    assert!(e.to_string().contains("not from a gateway"), "{e}");
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn statistics_of_120_queues_take_two_requests_and_count_every_agent() {
    let sim = sim(quick().large_tenant(5_000, 120)).await;
    let session = client(&sim, TenantSize::default())
        .sign_in(inspector_101())
        .await
        .unwrap();
    let mut asked: Vec<_> = (1..=120).map(skill).collect();
    asked.push(skill(1));
    let stats = session.queue_stats(&asked).await.unwrap();
    assert_eq!(
        sim.received("queryStatInfoOfAcd"),
        2,
        "100 queues a request"
    );
    assert_eq!(stats.len(), 120);
    assert_eq!(stats[0].skill, skill(1));
    assert_eq!(stats[0].name, "queue 1");
    assert_eq!(stats[0].signed_in, Some(5_000));
    assert_eq!(stats[0].available, Some(0), "every agent is on a call");
    assert_eq!(stats[0].waiting, Some(1));
    assert!(stats[0].longest_wait.is_some());
    assert_eq!(stats[3].waiting, Some(0));
    assert_eq!(stats[3].longest_wait, Some(std::time::Duration::ZERO));
    let others: u32 = stats[1..].iter().filter_map(|s| s.signed_in).sum();
    assert_eq!(others, 10_000, "two more queues per agent");
    assert!(session.queue_stats(&[]).await.unwrap().is_empty());
    assert_eq!(
        sim.received("queryStatInfoOfAcd"),
        2,
        "nothing sent for no queue"
    );
    session.sign_out().await.unwrap();
}
