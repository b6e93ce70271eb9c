//! The typed queries and the escape hatch, over loopback: against the simulator, and
//! against a canned gateway that answers the way the reference's samples disagree.

use crate::common;
use crate::common::skill;

use std::time::Duration;

use ccgw::{AgentFilter, AgentState, CallId, CtiState, ErrorKind, Method, SignIn};
use ccgw_sim::{Fault, FaultRule};
use common::{agent, inspector, quick, sim};
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn find_a_talking_agent_listen_and_intercept_its_call() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let me = s.own_state().await.unwrap();
    assert_eq!((me.state, me.talking), (AgentState::Idle, false));
    let a = agent("1001");
    let info = s.agent(&a).await.unwrap();
    assert_eq!(info.work_no, a);
    assert_eq!(info.state, AgentState::Talking);
    assert_eq!(info.cti_state, Some(CtiState::Talking));
    assert!(info.talking);
    assert!(info.time_in_state.is_some());
    assert_eq!(
        info.skills.iter().map(|s| s.id).collect::<Vec<_>>(),
        [skill(1), skill(2)]
    );
    let calls = s.call_ids(&a).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(Some(calls[0].as_str().to_owned()), sim.call_of("1001"));
    let details = s.call(&calls[0]).await.unwrap();
    assert_eq!(details.call_id, calls[0]);
    assert!(details.caller.is_some() && details.began_at.is_some());

    s.listen(&a).await.unwrap();
    s.intercept_call(&a, &calls[0]).await.unwrap();
    let mine = s
        .own_call(false)
        .await
        .unwrap()
        .expect("the inspector has the call");
    assert_eq!(mine.call_id, calls[0]);
    let after = s.agent(&a).await.unwrap();
    assert_eq!((after.state, after.talking), (AgentState::Idle, false));
    assert!(s.call_ids(&a).await.unwrap().is_empty());
    assert!(s.held_calls(&a).await.unwrap().is_empty());
    assert!(s.own_state().await.unwrap().talking);
}

#[tokio::test]
async fn skill_queues_their_agents_and_lengths() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    assert_eq!(s.agents_in_skill(skill(1), None).await.unwrap().len(), 10);
    s.force_busy(&agent("1003")).await.unwrap();
    let busy = AgentFilter::new(5, [AgentState::Busy]).unwrap();
    let found = s.agents_in_skill(skill(1), Some(&busy)).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].work_no, agent("1003"));
    assert_eq!(found[0].state, AgentState::Busy);
    let online = s.online_agents().await.unwrap();
    assert_eq!(online.len(), 2);
    assert_eq!(online[1].skill_id, Some(2));
    assert_eq!(online[1].agents.len(), 5);
    assert_eq!(s.queue_length(skill(1)).await.unwrap(), Some(2));
    assert_eq!(
        s.queue_length(skill(99)).await.unwrap(),
        None,
        "no count: `{{}}`"
    );
    let queues = s.skill_queues().await.unwrap();
    assert_eq!(
        queues.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(),
        ["voice", "vip"]
    );
    let skills = s.agent_skills(&agent("1002")).await.unwrap();
    assert_eq!(skills.iter().map(|q| q.id).collect::<Vec<_>>(), [skill(1)]);
}

#[tokio::test]
async fn long_agent_lists_are_split_and_empty_ones_send_nothing() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    assert!(s.agents_by_id(&[]).await.unwrap().is_empty());
    assert_eq!(sim.received("queryAgentInfoByList"), 0);
    let mut ids: Vec<_> = (3000..3140).map(|n| agent(&n.to_string())).collect();
    ids.extend((1001..=1010).map(|n| agent(&n.to_string())));
    ids.push(agent("1001"));
    let found = s.agents_by_id(&ids).await.unwrap();
    assert_eq!(
        sim.received("queryAgentInfoByList"),
        2,
        "150 distinct agents take two requests of at most 100"
    );
    let mut names: Vec<String> = found.iter().map(|a| a.work_no.to_string()).collect();
    names.sort();
    assert_eq!(names.len(), 10, "unknown agents are left out: {names:?}");
    let refused = s.agent(&agent("2001")).await.unwrap_err();
    assert_eq!(refused.retcode().map(|r| r.code()), Some("100-006"));
}

#[tokio::test]
async fn the_escape_hatch_stays_below_the_resource_root_and_never_resends() {
    // A grace period, so that the answer to a request with the replaced Guid announces
    // the new one (the rotation below happens outside any poll).
    let sim = sim(quick().guid_grace(std::time::Duration::from_secs(5))).await;
    let (_, s) = inspector(&sim).await;
    let answer = s
        .send_raw(Method::GET, "queuedevice/101/skillwaitnum/1", None)
        .await
        .unwrap();
    assert_eq!(answer.result, Some(serde_json::json!(2)));
    let body = serde_json::json!({"agentList": ["1001"]});
    let listed = s
        .send_raw(Method::GET, "agentgroup/101/agentbylist", Some(&body))
        .await
        .unwrap();
    assert_eq!(listed.result.unwrap()[0]["workno"], "1001");
    let before = sim.received_total();
    for bad in [
        "http://127.0.0.1:9/x",
        "/agentgateway/resource/x",
        "../../x",
        "//host/x",
    ] {
        let e = s.send_raw(Method::GET, bad, None).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}");
    }
    assert_eq!(sim.received_total(), before, "nothing was sent");
    let refused = s
        .send_raw(Method::GET, "agentgroup/101/agentbyworkno/9999", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Gateway);

    sim.rotate_guid("101");
    s.send_raw(Method::GET, "onlineagent/101/agentstatus", None)
        .await
        .unwrap();
    assert!(s.guid_rotations() >= 1, "the announced Guid was taken");
    s.own_state().await.unwrap();

    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::ConnectionReset).times(1));
    let reset = s
        .send_raw(Method::POST, "qualitycontrol/101/forcebusy/1004", None)
        .await
        .unwrap_err();
    assert!(reset.may_have_reached_gateway());
    assert_eq!(sim.received("forceBusy"), 1, "never sent twice");
}

/// A gateway that signs 101 in and answers every other request with `body`.
async fn canned(body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let Some(head) = common::read_request_head(&mut stream).await else {
                    return;
                };
                let sign_in = head.starts_with("PUT /agentgateway/resource/onlineagent/101 ");
                let answer = if sign_in {
                    r#"{"message":"","retcode":"0","result":{"workno":"101"}}"#
                } else {
                    body
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                     set-guid: JSESSIONID=canned\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    base
}

async fn canned_session(body: &'static str) -> ccgw::Session {
    let client = ccgw::Client::builder(canned(body).await)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client
        .sign_in(SignIn::new(agent("101"), "pw").poll_events(false))
        .await
        .unwrap()
}

#[tokio::test]
async fn states_sent_as_numbers_or_strings_and_lists_of_one_are_accepted() {
    let numeric =
        canned_session(r#"{"retcode":"0","result":{"workno":1001,"status":7,"ctiStatus":"4"}}"#)
            .await;
    let info = numeric.agent(&agent("1001")).await.unwrap();
    assert_eq!(
        (info.state, info.cti_state),
        (AgentState::Talking, Some(CtiState::Answering))
    );
    let text = canned_session(r#"{"retcode":"0","result":{"workno":"1001","status":"3"}}"#).await;
    let info = text.agent(&agent("1001")).await.unwrap();
    assert_eq!((info.state, info.talking), (AgentState::Busy, false));
    let unlisted =
        canned_session(r#"{"retcode":"0","result":{"workno":"1001","status":"42"}}"#).await;
    assert_eq!(
        unlisted.agent(&agent("1001")).await.unwrap().state,
        AgentState::Other(42)
    );
    let list =
        canned_session(r#"{"retcode":"0","result":[{"agentState":"7","isWorking":true}]}"#).await;
    let me = list.own_state().await.unwrap();
    assert_eq!((me.state, me.talking), (AgentState::Talking, true));
    let empty = canned_session(r#"{"message":"success","retcode":"0","result":{}}"#).await;
    assert_eq!(empty.queue_length(skill(1)).await.unwrap(), None);
    let call_list =
        canned_session(r#"{"retcode":"0","result":[{"callid":"1-2","caller":70004}]}"#).await;
    let call = call_list
        .call(&CallId::parse("1-2").unwrap())
        .await
        .unwrap();
    assert_eq!(call.caller.as_deref(), Some("70004"));
}

#[tokio::test]
async fn malformed_query_answers_are_typed_errors() {
    for body in [
        r#"{"retcode":"0","result":{"workno":"1001","status":"talking"}}"#,
        r#"{"retcode":"0","result":{"workno":"12","status":"4"}}"#,
        r#"{"retcode":"0","result":{"status":"4"}}"#,
        r#"{"retcode":"0","result":{"workno":"1001","status":true}}"#,
        r#"{"retcode":"0"}"#,
        r#"<html>"#,
    ] {
        let s = canned_session(body).await;
        let e = s.agent(&agent("1001")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedAnswer, "{body}: {e}");
    }
    // In a list, an entry that cannot be read costs only itself, and is told.
    let bad_ids = canned_session(r#"{"retcode":"0","result":["not a call id"]}"#).await;
    let mut events = bad_ids.events();
    assert!(bad_ids.call_ids(&agent("1001")).await.unwrap().is_empty());
    let told = events
        .wait_for(
            |e| e.event_type() == &ccgw::EventType::EntriesSkipped,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(ccgw::SkippedEntry::all_in(&told).len(), 1);
}
