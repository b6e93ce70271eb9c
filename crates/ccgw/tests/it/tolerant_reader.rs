//! A tolerant reader: an event in a shape the document does not foresee is still
//! delivered (typed where it can be, untyped with its raw JSON where it cannot), and it
//! never counts as a failure of the link.

use crate::common::skill;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ccgw::{Client, EventType, SignIn};
use futures::StreamExt;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::common;

/// A stand-in gateway: signs in, answers the event polls with `polls` in turn (then empty
/// polls), and a request whose path holds one of `routes`' keys with its answer.
async fn gateway(
    polls: Vec<String>,
    routes: Vec<(&'static str, String)>,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    let served = next.clone();
    let polls = Arc::new(polls);
    let routes = Arc::new(routes);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (next, polls, routes) = (next.clone(), polls.clone(), routes.clone());
            tokio::spawn(async move {
                while let Some(head) = common::read_request_head(&mut stream).await {
                    let body = if head.contains("/agentevent/") {
                        let at = next.fetch_add(1, Ordering::SeqCst);
                        polls
                            .get(at)
                            .cloned()
                            .unwrap_or_else(|| r#"{"message":"","retcode":"0"}"#.to_owned())
                    } else if let Some((_, answer)) =
                        routes.iter().find(|(path, _)| head.contains(path))
                    {
                        answer.clone()
                    } else {
                        r#"{"message":"","retcode":"0","result":{}}"#.to_owned()
                    };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                         set-guid: JSESSIONID=0123456789abcdef0123456789abcdef\r\n\
                         content-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, served)
}

#[tokio::test]
async fn no_event_is_lost_to_a_shape_the_document_does_not_foresee() {
    let polls = [
        // A work number sent as a number, a time sent as text.
        json!({"retcode": "0", "event": {"eventType": "AgentOther_BeQcStart", "workNo": 1001,
            "eventGenTime": "1765000000000", "content": {"callId": "1765000000-77"}}}),
        // An event name that is no text, content that is no object.
        json!({"retcode": "0", "event": {"eventType": 7, "workNo": "1002", "content": "odd"}}),
        // No event name at all.
        json!({"retcode": "0", "event": {"workNo": "1003", "content": {"why": "unknown"}}}),
        // A well-formed event after them.
        json!({"retcode": "0", "event": {"eventType": "AgentEvent_Talking", "workNo": "1004"}}),
    ];
    let (base, served) = gateway(polls.iter().map(|p| p.to_string()).collect(), Vec::new()).await;
    let client = Client::builder(&base)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let session = client
        .sign_in(SignIn::new(common::agent("101"), "pw"))
        .await
        .unwrap();
    let mut events = session.events();
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let event = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("every event arrives")
            .expect("the stream goes on");
        seen.push(event);
    }
    assert_eq!(seen[0].event_type(), &EventType::BeQcStart);
    assert_eq!(seen[0].work_no(), "1001");
    assert!(seen[0].at().is_some(), "the time sent as text is read");
    assert_eq!(seen[0].call_id().unwrap().as_str(), "1765000000-77");

    assert!(matches!(seen[1].event_type(), EventType::Other(_)));
    assert_eq!(seen[1].work_no(), "1002");
    assert_eq!(seen[1].content()["content"], "odd", "the raw event is kept");
    assert_eq!(seen[1].content()["eventType"], 7);

    assert!(matches!(seen[2].event_type(), EventType::Other(_)));
    assert_eq!(seen[2].work_no(), "1003");
    assert_eq!(seen[2].content()["content"]["why"], "unknown");

    assert_eq!(seen[3].event_type(), &EventType::Talking);
    assert!(served.load(Ordering::SeqCst) >= 4);
    let health = session.link_health();
    assert_eq!(health.failures, 0, "an odd event is no failure of the link");
    assert!(health.failing_since.is_none());
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn one_odd_entry_of_a_list_costs_only_itself_and_is_reported() {
    let agents = json!({"retcode": "0", "message": "", "result": [
        {"workno": "1001", "name": "a", "status": 4},
        // A name that is an object: no type reads it.
        {"workno": "1002", "name": {"first": "b"}, "status": 4},
        {"workno": "1003", "name": "c", "status": "7"},
        // A state that is no number at all.
        {"workno": "1004", "name": "d", "status": "busy"},
        {"workno": 1005, "name": "e", "status": 3},
    ]});
    let calls = json!({"retcode": "0", "message": "", "result":
        ["1765000000-1", "not-a-call-id", "1765000000-3"]});
    let routes = vec![
        ("/agentbyskill/", agents.to_string()),
        ("/allcallinfoEx/", calls.to_string()),
    ];
    let (base, _) = gateway(Vec::new(), routes).await;
    let client = Client::builder(&base)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let session = client
        .sign_in(SignIn::new(common::agent("101"), "pw").poll_events(false))
        .await
        .unwrap();
    let mut events = session.events();
    let found = session
        .agents_in_skill(skill(1), None)
        .await
        .expect("the good entries");
    let numbers: Vec<String> = found.iter().map(|a| a.work_no.to_string()).collect();
    assert_eq!(numbers, ["1001", "1003", "1005"]);
    let told = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(told.event_type(), &EventType::EntriesSkipped);
    assert_eq!(told.content()["operation"], "queryAgentInfoBySkillId");
    let skipped = ccgw::SkippedEntry::all_in(&told);
    let places: Vec<usize> = skipped.iter().map(|s| s.index).collect();
    assert_eq!(places, [1, 3], "{skipped:?}");
    assert_eq!(skipped[0].field, "result[1].name");

    let ids = session
        .call_ids(&common::agent("1001"))
        .await
        .expect("the good IDs");
    let ids: Vec<&str> = ids.iter().map(|i| i.as_str()).collect();
    assert_eq!(ids, ["1765000000-1", "1765000000-3"]);
    let told = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ccgw::SkippedEntry::all_in(&told)[0].index, 1);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_download_failure_with_an_empty_text_result_keeps_its_retcode() {
    for answer in [
        json!({"retcode": "104-005", "message": "", "result": ""}),
        json!({"retcode": "104-005", "result": []}),
        json!({"retcode": 104005, "message": "no file"}),
    ] {
        let routes = vec![("/recordfile/", answer.to_string())];
        let (base, _) = gateway(Vec::new(), routes).await;
        let client = Client::builder(&base).build().unwrap();
        let session = client
            .sign_in(SignIn::new(common::agent("101"), "pw").poll_events(false))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let recording = ccgw::Recording::new("y:/1/0/20261207/1001/1.V3").unwrap();
        let e = session
            .download_recording(&recording, dir.path().join("x.v3"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ccgw::ErrorKind::Gateway, "{answer}: {e}");
        let code = e.retcode().unwrap().code().replace('-', "");
        assert_eq!(code, "104005", "{answer}");
        session.sign_out().await.unwrap();
    }
}
