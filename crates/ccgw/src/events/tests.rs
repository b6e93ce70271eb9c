//! Reading events as gateways send them.

use super::*;

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_told_how_much_it_missed() {
    use futures::StreamExt;
    let (sender, receiver) = broadcast::channel(4);
    let mut stream = EventStream::new(receiver);
    for n in 0..10 {
        let _ = sender.send(Event::session_recovered("101", n));
    }
    let first = stream.next().await.unwrap();
    assert_eq!(first.event_type, EventType::Lagged { missed: 6 });
    let next = stream.next().await.unwrap();
    assert_eq!(
        next.content["attempt"], 6,
        "then the oldest event still kept"
    );
}

#[test]
fn trailing_nuls_are_stripped_from_event_strings() {
    let wire: ccgw_api::types::AgentEventInner = serde_json::from_value(serde_json::json!({
        "eventType": "AgentOther_BeQcStart\0\0",
        "workNo": "1001\0",
        "content": {"callId": "1480-1\0\0", "list": ["a\0"]},
    }))
    .unwrap();
    let event = Event::from_wire(wire);
    assert_eq!(event.event_type(), &EventType::BeQcStart);
    assert_eq!(event.work_no(), "1001");
    assert_eq!(event.call_id().unwrap().as_str(), "1480-1");
    assert_eq!(event.content()["list"][0], "a");
}

#[test]
fn an_inspection_event_says_how_and_by_whom() {
    let wire = |content: serde_json::Value| {
        Event::from_wire(
            serde_json::from_value(serde_json::json!({
                "eventType": "AgentOther_BeQcStart",
                "workNo": "1001",
                "content": content,
            }))
            .unwrap(),
        )
    };
    let listen = wire(serde_json::json!({"qcType": 8, "qcAgentId": "101"}));
    assert_eq!(listen.qc_mode(), Some(TrackedMode::Listening));
    assert_eq!(listen.qc_agent_id(), Some("101"));
    let insert = wire(serde_json::json!({"qcType": "9"}));
    assert_eq!(insert.qc_mode(), Some(TrackedMode::Inserting));
    let whisper = wire(serde_json::json!({"qcType": 20173}));
    assert_eq!(whisper.qc_mode(), Some(TrackedMode::Whispering));
    let other = wire(serde_json::json!({"mode": "listen"}));
    assert_eq!(
        other.qc_mode(),
        None,
        "no content the gateway does not send"
    );
}

#[test]
fn unknown_event_names_are_kept() {
    assert_eq!(
        EventType::from_name("AgentOther_BeQcStart"),
        EventType::BeQcStart
    );
    assert_eq!(
        EventType::from_name("Weird_Thing"),
        EventType::Other("Weird_Thing".into())
    );
}
