//! Sign-in, Guids, static and dynamic authentication, expiry, cookies.

use crate::common;

use std::time::Duration;

use ccgw_sim::DEFAULT_PASSWORD;
use common::{Gw, quick};
use reqwest::Method;

#[tokio::test]
async fn sign_in_announces_guid_and_affinity_cookie() {
    let gw = Gw::start(quick()).await;
    let answer = gw.sign_in_with("101", DEFAULT_PASSWORD, false).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.retcode(), "0");
    assert_eq!(answer.body["result"]["workno"], "101");
    let guid = answer.guid().unwrap();
    assert!(guid.ends_with(".AgentGateway1"), "{guid}");
    let cookie = answer.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("NSLB_AFFINITY="), "{cookie}");
    assert_eq!(gw.sim.current_guid("101").as_deref(), Some(guid.as_str()));
}

#[tokio::test]
async fn sign_in_failures_carry_the_documented_retcodes() {
    let gw = Gw::start(quick()).await;
    assert_eq!(
        gw.sign_in_with("101", "wrong", false).await.retcode(),
        "100-004"
    );
    assert_eq!(
        gw.sign_in_with("4242", DEFAULT_PASSWORD, false)
            .await
            .retcode(),
        "100-004"
    );
    assert_eq!(gw.sign_in_with("101", "", false).await.retcode(), "100-001");
    assert_eq!(
        gw.sign_in_with("99", DEFAULT_PASSWORD, false)
            .await
            .retcode(),
        "100-001"
    );
    gw.sign_in("101").await;
    let again = gw.sign_in_with("101", DEFAULT_PASSWORD, false).await;
    assert_eq!(again.retcode(), "100-002");
    assert!(again.guid().is_none(), "no Guid on failure");
}

#[tokio::test]
async fn forced_sign_in_takes_over_and_revokes_the_old_guid() {
    let gw = Gw::start(quick()).await;
    let old = gw.sign_in("101").await;
    let forced = gw.sign_in_with("101", DEFAULT_PASSWORD, true).await;
    assert_eq!(forced.retcode(), "0");
    let new = forced.guid().unwrap();
    assert_ne!(old, new);
    assert_eq!(gw.poll("101", &old).await.retcode(), "000-003");
    assert_eq!(gw.poll("101", &new).await.retcode(), "0");
}

#[tokio::test]
async fn guids_are_checked_against_the_path_agent() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    let other = gw.sign_in("201").await;
    assert_eq!(
        gw.qc(Method::POST, &other, "101", "forcebusy/1001")
            .await
            .retcode(),
        "000-003"
    );
    assert_eq!(
        gw.qc(Method::POST, "made-up", "101", "forcebusy/1001")
            .await
            .retcode(),
        "000-003"
    );
    let no_guid = gw
        .call(
            Method::POST,
            "/agentgateway/resource/qualitycontrol/101/forcebusy/1001",
            None,
            None,
        )
        .await;
    assert_eq!(no_guid.retcode(), "000-003");
    assert_eq!(
        gw.qc(Method::POST, &guid, "101", "forcebusy/1001")
            .await
            .retcode(),
        "0"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    let out = gw
        .call(
            Method::DELETE,
            "/agentgateway/resource/onlineagent/101/logout",
            Some(&guid),
            None,
        )
        .await;
    assert_eq!(out.retcode(), "0");
    assert_eq!(gw.poll("101", &guid).await.retcode(), "000-003");
    assert_eq!(
        gw.sim.agent_state("101"),
        Some(ccgw_sim::AgentState::SignedOut)
    );
    // Signed out, it can sign in again without force.
    gw.sign_in("101").await;
}

#[tokio::test]
async fn static_authentication_keeps_the_guid() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    for _ in 0..3 {
        let answer = gw.poll("101", &guid).await;
        assert_eq!(answer.retcode(), "0");
        assert!(answer.guid().is_none());
    }
}

#[tokio::test]
async fn dynamic_authentication_rotates_with_a_grace_period() {
    let gw = Gw::start(
        quick()
            .dynamic_auth(true)
            .guid_grace(Duration::from_secs(1)),
    )
    .await;
    let first = gw.sign_in("101").await;
    gw.qc(Method::POST, &first, "101", "forcebusy/1001").await;
    let answer = gw.poll("101", &first).await;
    let second = answer.guid().expect("a new Guid on the poll answer");
    assert_ne!(first, second);
    // Within the grace period both work.
    assert_eq!(
        gw.qc(Method::POST, &first, "101", "forceidle/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(
        gw.qc(Method::POST, &second, "101", "forceidle/1001")
            .await
            .retcode(),
        "0"
    );
    // After it, only the new one.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        gw.qc(Method::POST, &first, "101", "forceidle/1001")
            .await
            .retcode(),
        "000-003"
    );
    assert_eq!(
        gw.qc(Method::POST, &second, "101", "forceidle/1001")
            .await
            .retcode(),
        "0"
    );
    // Every replaced Guid keeps its own grace period, however many rotations follow.
    let third = gw.poll("101", &second).await.guid().unwrap();
    let fourth = gw.poll("101", &third).await.guid().unwrap();
    let late = gw.qc(Method::POST, &second, "101", "forceidle/1001").await;
    assert_eq!(late.retcode(), "0");
    assert_eq!(
        late.guid().as_deref(),
        Some(fourth.as_str()),
        "an old Guid's answer announces the current one"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        gw.qc(Method::POST, &second, "101", "forceidle/1001")
            .await
            .retcode(),
        "000-003"
    );
    let current = gw.qc(Method::POST, &fourth, "101", "forceidle/1001").await;
    assert_eq!(current.retcode(), "0");
    assert!(
        current.guid().is_none(),
        "the current Guid needs no announcement"
    );
}

#[tokio::test]
async fn sessions_expire_without_polling() {
    let gw = Gw::start(quick().session_timeout(Duration::from_secs(1))).await;
    let guid = gw.sign_in("101").await;
    gw.poll("101", &guid).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        gw.qc(Method::POST, &guid, "101", "forcebusy/1001")
            .await
            .retcode(),
        "0",
        "still alive"
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        gw.qc(Method::POST, &guid, "101", "forcebusy/1001")
            .await
            .retcode(),
        "000-003"
    );
    assert_eq!(
        gw.sim.agent_state("101"),
        Some(ccgw_sim::AgentState::SignedOut)
    );
    gw.sign_in("101").await;
}

#[tokio::test]
async fn polling_keeps_a_session_alive() {
    let gw = Gw::start(quick().session_timeout(Duration::from_millis(400))).await;
    let guid = gw.sign_in("101").await;
    for _ in 0..5 {
        assert_eq!(gw.poll("101", &guid).await.retcode(), "0");
    }
    assert_eq!(
        gw.qc(Method::POST, &guid, "101", "forcebusy/1001")
            .await
            .retcode(),
        "0"
    );
}

#[tokio::test]
async fn requests_without_the_affinity_cookie_are_counted() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    gw.qc(Method::POST, &guid, "101", "forcebusy/1001").await;
    assert_eq!(gw.sim.cookie_misses(), 1);
    let cookie = gw.sign_in_with("201", DEFAULT_PASSWORD, false).await;
    let set_cookie = cookie.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let guid = cookie.guid().unwrap();
    let url = format!(
        "{}/agentgateway/resource/qualitycontrol/201/forcebusy/2001",
        gw.sim.base_url()
    );
    let answer = gw
        .http()
        .post(url)
        .header("Guid", guid)
        .header("Cookie", set_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        gw.sim.cookie_misses(),
        1,
        "the request with the cookie is not counted"
    );
}
