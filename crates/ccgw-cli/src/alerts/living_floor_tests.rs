//! Alerts on a living floor: a seed and a clock the test moves make the sequence exact.

use std::time::{Duration, SystemTime};

use super::rules::{Alerts, Rules};
use crate::board::Board;
use crate::board::refresh::{self, Roster};

#[tokio::test]
async fn a_seeded_surge_raises_and_clears_each_alert_exactly_once() {
    let config = ccgw_sim::SimConfig::default()
        .traffic(ccgw_sim::Traffic::Surge, 5)
        .manual_clock(true)
        .overload_budget(None);
    let sim = ccgw_sim::Simulator::start(config).await.unwrap();
    let client = ccgw::Client::builder(sim.base_url())
        .overload_budget(None)
        .build()
        .unwrap();
    let me = client.agent_id("101").unwrap();
    let request = ccgw::SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD).poll_events(false);
    let session = client.sign_in(request).await.unwrap();
    let roster = Roster::new(Some(vec![ccgw::SkillId::new(1).unwrap()]), Vec::new());
    let mut board = Board::new("101", roster, Duration::from_secs(30));
    board.alerts =
        Alerts::new(Rules::from_toml("[[alerts]]\nrule = \"waiting\"\nover = 4\n").unwrap());
    let mut changes = Vec::new();
    for round in 0..60 {
        sim.advance(Duration::from_secs(30));
        // The surge ends after ten minutes; the floor calms down.
        if round == 20 {
            assert!(sim.set_traffic(ccgw_sim::Traffic::Calm));
        }
        let mut plan = board.roster.plan(Vec::new());
        plan.roster.clear();
        let snapshot = refresh::fetch(&session, plan).await;
        assert!(snapshot.error.is_none());
        for change in refresh::apply(&mut board, snapshot, &session, SystemTime::UNIX_EPOCH) {
            changes.push((round, change.alert, change.value));
        }
    }
    session.sign_out().await.unwrap();
    let kinds: Vec<&str> = changes.iter().map(|c| c.1).collect();
    assert_eq!(kinds, ["raised", "cleared"], "{changes:?}");
    let (raised, cleared) = (changes[0], changes[1]);
    assert!(raised.2 > 4 && cleared.2 < 4);
    assert!(raised.0 < 20 && cleared.0 >= 20, "{changes:?}");
}
