//! With the `serde` feature (always on in the tests, by the crate's dev-dependency on
//! itself): IDs, modes, states and events travel as JSON and back, and an invalid ID is
//! refused on the way in.

use ccgw::{AgentId, AgentState, CallId, Edition, Mode, TrackedMode};

#[test]
fn ids_and_modes_round_trip_as_plain_json() {
    let agent: AgentId = "1001".parse().unwrap();
    assert_eq!(serde_json::to_string(&agent).unwrap(), r#""1001""#);
    assert_eq!(serde_json::from_str::<AgentId>(r#""1001""#).unwrap(), agent);
    assert!(
        serde_json::from_str::<AgentId>(r#""12""#).is_err(),
        "checked on the way in"
    );
    let call = CallId::parse("1700000000-2").unwrap();
    let json = serde_json::to_string(&call).unwrap();
    assert_eq!(serde_json::from_str::<CallId>(&json).unwrap(), call);
    assert_eq!(
        serde_json::to_string(&Mode::Whisper).unwrap(),
        r#""whisper""#
    );
    assert_eq!(
        serde_json::to_string(&TrackedMode::Listening).unwrap(),
        r#""listening""#
    );
    assert_eq!(
        serde_json::to_string(&Edition::Newest).unwrap(),
        r#""newest""#
    );
    let state: AgentState =
        serde_json::from_str(&serde_json::to_string(&AgentState::Other(42)).unwrap()).unwrap();
    assert_eq!(state, AgentState::Other(42));
}

#[tokio::test]
async fn events_and_query_results_serialize() {
    let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default())
        .await
        .unwrap();
    let client = ccgw::Client::builder(sim.base_url()).build().unwrap();
    let session = client
        .sign_in(ccgw::SignIn::new(
            "101".parse().unwrap(),
            ccgw_sim::DEFAULT_PASSWORD,
        ))
        .await
        .unwrap();
    let info = session.agent(&"1001".parse().unwrap()).await.unwrap();
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["work_no"], "1001");
    let back: ccgw::AgentInfo = serde_json::from_value(json).unwrap();
    assert_eq!(back, info);
    let mut events = session.events();
    session.sign_out().await.unwrap();
    use futures::StreamExt;
    let ended = events.next().await.unwrap();
    let json = serde_json::to_value(&ended).unwrap();
    assert_eq!(json["name"], "SessionEnded");
}
