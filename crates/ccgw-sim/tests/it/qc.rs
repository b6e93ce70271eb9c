//! Every quality-control operation: its success and its documented failures.

use crate::common;

use ccgw_sim::{AgentState, QcMode};
use common::{Gw, quick};
use reqwest::Method;
use serde_json::json;

async fn inspector() -> (Gw, String) {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    (gw, guid)
}

#[tokio::test]
async fn listen_switch_toggles_and_stop() {
    let (gw, g) = inspector().await;
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "addsupervise/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Listening);
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "switch/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Inserting);
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "switch/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(
        gw.sim.mode_of("101", "1001"),
        QcMode::Listening,
        "a second switch flips back"
    );
    assert_eq!(
        gw.qc(Method::DELETE, &g, "101", "1001").await.retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Idle);
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "switch/1001")
            .await
            .retcode(),
        "900-002",
        "nothing to toggle"
    );
    assert_eq!(
        gw.qc(Method::DELETE, &g, "101", "1001").await.retcode(),
        "900-002",
        "nothing to stop"
    );
}

#[tokio::test]
async fn insert_then_stop() {
    let (gw, g) = inspector().await;
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "addinsert/1002")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1002"), QcMode::Inserting);
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "addsupervise/1003")
            .await
            .retcode(),
        "900-002",
        "one call at a time"
    );
    assert_eq!(
        gw.qc(Method::DELETE, &g, "101", "1002").await.retcode(),
        "0"
    );
}

#[tokio::test]
async fn whisper_explicit_switch_and_stop_whisper() {
    let (gw, g) = inspector().await;
    let whisper = "requestwhisperagent?whisperagentid=1001";
    assert_eq!(gw.qc(Method::POST, &g, "101", whisper).await.retcode(), "0");
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Whispering);
    assert_eq!(
        gw.qc(Method::DELETE, &g, "101", "1001").await.retcode(),
        "900-002",
        "DELETE does not end a whisper"
    );
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "switch/1001")
            .await
            .retcode(),
        "900-002",
        "the toggle ignores whispers"
    );
    let to = |t: u8| format!("requestswitchinsertwhisperagent?whisperagentid=1001&switchtype={t}");
    for (t, mode) in [
        (1, QcMode::Inserting),
        (1, QcMode::Inserting),
        (0, QcMode::Listening),
        (2, QcMode::Whispering),
    ] {
        assert_eq!(gw.qc(Method::POST, &g, "101", &to(t)).await.retcode(), "0");
        assert_eq!(
            gw.sim.mode_of("101", "1001"),
            mode,
            "switchtype {t} is idempotent"
        );
    }
    assert_eq!(
        gw.qc(Method::POST, &g, "101", &to(3)).await.retcode(),
        "000-002"
    );
    let stop = "requeststopwhisperagent?whisperagentid=1001";
    assert_eq!(gw.qc(Method::POST, &g, "101", stop).await.retcode(), "0");
    assert_eq!(
        gw.qc(Method::POST, &g, "101", stop).await.retcode(),
        "900-002"
    );
    assert_eq!(
        gw.qc(Method::POST, &g, "101", &to(1)).await.retcode(),
        "900-002",
        "not inspecting"
    );
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "requestwhisperagent")
            .await
            .retcode(),
        "000-002",
        "no agent"
    );
}

#[tokio::test]
async fn intercept_takes_the_call() {
    let (gw, g) = inspector().await;
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "intercept/1001")
            .await
            .retcode(),
        "900-002",
        "not inspecting"
    );
    gw.qc(Method::PUT, &g, "101", "addsupervise/1001").await;
    let call = gw.sim.call_of("1001").unwrap();
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "intercept/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Intercepting);
    assert_eq!(gw.sim.agent_state("1001"), Some(AgentState::Idle));
    assert_eq!(gw.sim.call_of("101"), Some(call.clone()));
    // Releasing the call frees the inspector.
    assert_eq!(
        gw.qc(Method::POST, &g, "101", &format!("forcedropcall/{call}"))
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Idle);
}

#[tokio::test]
async fn intercept_a_named_call() {
    let (gw, g) = inspector().await;
    gw.qc(Method::PUT, &g, "101", "addinsert/1004").await;
    let call = gw.sim.call_of("1004").unwrap();
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "intercept/1004/1-1")
            .await
            .retcode(),
        "900-001",
        "other call"
    );
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "intercept/1004/nope")
            .await
            .retcode(),
        "000-002"
    );
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", &format!("intercept/1004/{call}"))
            .await
            .retcode(),
        "0"
    );
}

#[tokio::test]
async fn force_agent_states() {
    let (gw, g) = inspector().await;
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcebusy/1005")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.agent_state("1005"), Some(AgentState::Busy));
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forceidle/1005")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.agent_state("1005"), Some(AgentState::Idle));
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcerest/1005/600/3")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(
        gw.sim.agent_state("1005"),
        Some(AgentState::Rest { reason: 3 })
    );
    for bad in [
        "forcerest/1005/0/3",
        "forcerest/1005/86400/3",
        "forcerest/1005/60/0",
        "forcerest/1005/60/256",
        "forcerest/1005/x/1",
    ] {
        assert_eq!(
            gw.qc(Method::POST, &g, "101", bad).await.retcode(),
            "000-002",
            "{bad}"
        );
    }
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcelogout/1005")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.agent_state("1005"), Some(AgentState::SignedOut));
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcebusy/1005")
            .await
            .retcode(),
        "100-006",
        "signed out"
    );
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "addsupervise/1005")
            .await
            .retcode(),
        "100-006"
    );
}

#[tokio::test]
async fn force_release_call() {
    let (gw, g) = inspector().await;
    let call = gw.sim.call_of("1006").unwrap();
    assert_eq!(
        gw.qc(Method::POST, &g, "101", &format!("forcedropcall/{call}"))
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.call_of("1006"), None);
    assert_eq!(
        gw.qc(Method::POST, &g, "101", &format!("forcedropcall/{call}"))
            .await
            .retcode(),
        "200-025",
        "a call that is gone has no call to drop, as real gateways say"
    );
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcedropcall/abc")
            .await
            .retcode(),
        "000-002"
    );
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "addsupervise/1006")
            .await
            .retcode(),
        "900-001",
        "no call to listen to"
    );
    let other_vdn = gw.sim.call_of("2001").unwrap();
    assert_eq!(
        gw.qc(
            Method::POST,
            &g,
            "101",
            &format!("forcedropcall/{other_vdn}")
        )
        .await
        .retcode(),
        "900-001"
    );
}

#[tokio::test]
async fn adjust_skills() {
    let (gw, g) = inspector().await;
    let path = "/agentgateway/resource/qualitycontrol/101/adjustskill";
    let call = |body| gw.call(Method::POST, path, Some(&g), Some(body));
    assert_eq!(
        call(json!({"workNo": "1007", "skills": [1, 2, 3]}))
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.skills_of("1007"), Some(vec![1, 2, 3]));
    let max: Vec<i32> = (1..=1000).collect();
    assert_eq!(
        call(json!({"workNo": "1007", "skills": max}))
            .await
            .retcode(),
        "0"
    );
    let too_many: Vec<i32> = (1..=1001).collect();
    assert_eq!(
        call(json!({"workNo": "1007", "skills": too_many}))
            .await
            .retcode(),
        "100-001"
    );
    assert_eq!(
        call(json!({"workNo": "1007", "skills": []}))
            .await
            .retcode(),
        "100-001"
    );
    assert_eq!(call(json!({"workNo": "1007"})).await.retcode(), "100-001");
    assert_eq!(
        call(json!({"workNo": "2001", "skills": [1]}))
            .await
            .retcode(),
        "900-003"
    );
    assert_eq!(
        call(json!({"workNo": "101", "skills": [1]}))
            .await
            .retcode(),
        "000-005"
    );
}

#[tokio::test]
async fn target_checks_apply_to_every_agent_operation() {
    let (gw, g) = inspector().await;
    let ops = [
        (Method::PUT, "addsupervise/{}"),
        (Method::PUT, "addinsert/{}"),
        (Method::PUT, "intercept/{}"),
        (Method::DELETE, "{}"),
        (Method::POST, "forcebusy/{}"),
        (Method::POST, "forceidle/{}"),
        (Method::POST, "forcelogout/{}"),
        (Method::POST, "switch/{}"),
        (Method::POST, "forcerest/{}/60/1"),
        (Method::POST, "requestwhisperagent?whisperagentid={}"),
        (Method::POST, "requeststopwhisperagent?whisperagentid={}"),
        (
            Method::POST,
            "requestswitchinsertwhisperagent?whisperagentid={}&switchtype=1",
        ),
    ];
    for (method, template) in ops {
        for (target, expected) in [
            ("101", "000-005"),
            ("2001", "900-003"),
            ("4242", "100-006"),
            ("99", "000-002"),
            ("12x4", "000-002"),
        ] {
            let path = template.replace("{}", target);
            let answer = gw.qc(method.clone(), &g, "101", &path).await;
            assert_eq!(answer.status, 200, "{method} {path}");
            assert_eq!(answer.retcode(), expected, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn an_agent_is_inspected_by_one_inspector_at_a_time() {
    let gw = Gw::start(quick().with_load_tenant(2, 1)).await;
    let a = gw.sign_in("30001").await;
    let b = gw.sign_in("30002").await;
    assert_eq!(
        gw.qc(Method::PUT, &a, "30001", "addsupervise/40001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(
        gw.qc(Method::PUT, &b, "30002", "addsupervise/40001")
            .await
            .retcode(),
        "900-005"
    );
}

#[tokio::test]
async fn agents_without_permission_cannot_inspect() {
    let gw = Gw::start(quick()).await;
    let forced = gw
        .sign_in_with("1001", ccgw_sim::DEFAULT_PASSWORD, true)
        .await;
    let g = forced.guid().unwrap();
    assert_eq!(
        gw.qc(Method::PUT, &g, "1001", "addsupervise/1002")
            .await
            .retcode(),
        "000-003"
    );
}
