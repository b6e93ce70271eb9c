//! The gateway's overload budget (5 queue and agent-group queries per agent per 2 s) is
//! kept by construction: a session's queries wait for room instead of going over, across
//! clones, and the simulator, which enforces the budget, never refuses one.

use crate::common::skill;
use std::time::{Duration, Instant};

use crate::common;

use ccgw::{Client, ErrorKind, OverloadBudget, SignIn};
use ccgw_sim::{Fault, FaultRule, RunningSim};
use common::{agent, inspector_101, quick, sim};

fn client(sim: &RunningSim, budget: Option<OverloadBudget>) -> Client {
    Client::builder(sim.base_url())
        .overload_budget(budget)
        .build()
        .unwrap()
}

#[tokio::test]
async fn twelve_queries_from_clones_all_succeed_paced_into_three_windows() {
    let sim = sim(quick()).await;
    let session = client(&sim, Some(OverloadBudget::GATEWAY_DEFAULT))
        .sign_in(inspector_101())
        .await
        .unwrap();
    let started = Instant::now();
    let queries = (0..12).map(|i| {
        let session = session.clone();
        async move {
            match i % 3 {
                0 => session.queue_length(skill(1)).await.map(|_| ()),
                1 => session.skill_queues().await.map(|_| ()),
                _ => session.agent(&agent("1001")).await.map(|_| ()),
            }
        }
    });
    let results = futures::future::join_all(queries).await;
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    // 5 at once, 5 more once the first five have left the window, then the last 2.
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // Other requests do not wait for the budget.
    let quick_one = Instant::now();
    session.own_state().await.unwrap();
    assert!(quick_one.elapsed() < Duration::from_secs(1));
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn without_pacing_the_sixth_query_is_refused_then_sent_again_once_and_answered() {
    // The check above means something only if the simulator does catch a breach; and a
    // read-only query it refuses (another program of the inspector could have spent the
    // budget) waits a window and goes once more.
    let sim = sim(quick()).await;
    let session = client(&sim, None).sign_in(inspector_101()).await.unwrap();
    for _ in 0..6 {
        session.queue_length(skill(1)).await.unwrap();
    }
    assert_eq!(sim.refused_over_budget(), 1, "the sixth was refused");
    assert_eq!(
        sim.received("queryQueueLengthBySkillId"),
        7,
        "and sent once more"
    );
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_overload_refusal_is_typed_a_query_is_sent_again_once_and_a_state_change_never() {
    let sim = sim(quick()).await;
    let session = client(&sim, None).sign_in(inspector_101()).await.unwrap();
    let refused = || {
        FaultRule::on(
            "queryQueueLengthBySkillId",
            Fault::Retcode("000-007".into()),
        )
    };
    sim.faults().inject(refused().times(2));
    let e = session.queue_length(skill(1)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Overloaded, "{e}");
    assert!(e.is_overloaded());
    assert_eq!(e.retcode().map(|r| r.code()), Some("000-007"));
    assert!(e.to_string().contains("pacing is per client"), "{e}");
    assert_eq!(
        sim.received("queryQueueLengthBySkillId"),
        2,
        "sent again once, no more"
    );

    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::Retcode("000-007".into())).times(1));
    let e = session.force_busy(&agent("1001")).await.unwrap_err();
    assert!(e.is_overloaded(), "{e}");
    assert_eq!(
        sim.received("forceBusy"),
        1,
        "a state change is never sent again"
    );
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_query_that_would_wait_longer_than_the_request_timeout_fails_unsent() {
    let sim = sim(quick()).await;
    let budget = OverloadBudget::new(1, Duration::from_secs(30)).unwrap();
    let session = Client::builder(sim.base_url())
        .overload_budget(Some(budget))
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .sign_in(SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD))
        .await
        .unwrap();
    session.queue_length(skill(1)).await.unwrap();
    let before = sim.received_total();
    let e = session.queue_length(skill(1)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OverBudget, "{e}");
    assert!(!e.may_have_reached_gateway());
    assert_eq!(sim.received_total(), before, "nothing was sent");
    session.sign_out().await.unwrap();
}
