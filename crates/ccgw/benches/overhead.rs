//! The same `switch` round trip several ways, interleaved in one run so that machine noise
//! hits all alike (each round runs the variants in a new shuffled order, and each batch
//! starts once the previous one's background work settled, so that none pays for the one
//! before it):
//! (a) the `ccgw` session method, (b) the generated `ccgw-api` call, (c) a hand-written
//! reqwest call on a reused client, (d) a new reqwest client per request; and (e) the
//! session method with an audit journal, whose difference from (a) is what the journal
//! costs per request; (f) the session method of a session that polls no events, the
//! request path alone: every `switch` hands (a)'s inspector events, so (a) also pays an
//! event-poll round trip per request that (c) never makes.
//!
//! `cargo bench -p ccgw --bench overhead` (`CCGW_BENCH_ROUNDS`, `CCGW_BENCH_BATCH`;
//! `CCGW_BENCH_ONLY=a` runs one variant alone, for a profiler).

mod support;

use std::time::{Duration, Instant};

use ccgw::{Client, SignIn};
use ccgw_api::hooks::Hooks;
use ccgw_sim::SimConfig;
use support::*;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds = env_u64("CCGW_BENCH_ROUNDS", 30);
    let batch = env_u64("CCGW_BENCH_BATCH", 100);
    let base = spawn_sim(SimConfig::default().with_load_tenant(6, 6));

    // (a) a session; its background poller runs too, as it would for a user.
    let client = Client::builder(&base).build().unwrap();
    let session = client
        .sign_in(SignIn::new(
            client.agent_id("30001").unwrap(),
            ccgw_sim::DEFAULT_PASSWORD,
        ))
        .await
        .unwrap();
    let agent_a = client.agent_id("40001").unwrap();
    session.listen(&agent_a).await.unwrap();

    // (e) a session of a client that keeps an audit journal.
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = ccgw::AuditJournal::open(journal_dir.path().join("audit.jsonl")).unwrap();
    let audited = Client::builder(&base)
        .audit_journal(std::sync::Arc::new(journal))
        .build()
        .unwrap();
    let session_e = audited
        .sign_in(SignIn::new(
            audited.agent_id("30005").unwrap(),
            ccgw_sim::DEFAULT_PASSWORD,
        ))
        .await
        .unwrap();
    let agent_e = audited.agent_id("40005").unwrap();
    session_e.listen(&agent_e).await.unwrap();

    // (f) a session that polls no events: the request path alone.
    let session_f = client
        .sign_in(
            SignIn::new(
                client.agent_id("30006").unwrap(),
                ccgw_sim::DEFAULT_PASSWORD,
            )
            .poll_events(false),
        )
        .await
        .unwrap();
    let agent_f = client.agent_id("40006").unwrap();
    session_f.listen(&agent_f).await.unwrap();

    // (b) and (c) share one reused reqwest client, as (a) reuses its pool.
    let http = loopback_http();
    let api = ccgw_api::Client::new_with_client(&base, http.clone(), Hooks::default());
    let guid_b = raw_sign_in(&http, &base, "30002").await;
    raw_listen(&http, &base, "30002", "40002", &guid_b).await;
    let guid_c = raw_sign_in(&http, &base, "30003").await;
    raw_listen(&http, &base, "30003", "40003", &guid_c).await;
    let url_c = format!("{base}/agentgateway/resource/qualitycontrol/30003/switch/40003");
    let guid_d = raw_sign_in(&http, &base, "30004").await;
    raw_listen(&http, &base, "30004", "40004", &guid_d).await;
    let url_d = format!("{base}/agentgateway/resource/qualitycontrol/30004/switch/40004");

    let only = std::env::var("CCGW_BENCH_ONLY").ok();
    let chosen = |variant: usize| {
        only.as_deref()
            .is_none_or(|o| o.as_bytes().first() == Some(&(b'a' + variant as u8)))
    };
    let mut samples: [Vec<Duration>; 6] = Default::default();
    let variants = samples.len();
    let mut order: Vec<usize> = (0..variants).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..=rounds {
        // A new order each round: in a fixed rotation each variant would always follow
        // the same one, and pay for what it leaves behind (the event poll answers of a
        // polling session, the new client of (d), the sync of (e)).
        shuffle(&mut order, &mut seed);
        for &variant in &order {
            if !chosen(variant) {
                continue;
            }
            // Let the previous batch's background work (its session's event poll
            // answers) finish before this batch's clock starts.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let kept = &mut samples[variant];
            for _ in 0..batch {
                let started = Instant::now();
                match variant {
                    0 => session.switch_listen_insert(&agent_a).await.unwrap(),
                    1 => {
                        let answer = api
                            .switch_listen_insert()
                            .agentid("30002".to_owned())
                            .work_no("40002".to_owned())
                            .guid(guid_b.as_str())
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(answer.retcode, "0");
                    }
                    2 => raw_switch(&http, &url_c, &guid_c).await,
                    3 => raw_switch(&loopback_http(), &url_d, &guid_d).await,
                    4 => session_e.switch_listen_insert(&agent_e).await.unwrap(),
                    _ => session_f.switch_listen_insert(&agent_f).await.unwrap(),
                }
                // Round 0 warms connections and caches up; it is not counted.
                if round > 0 {
                    kept.push(started.elapsed());
                }
            }
        }
    }
    let names = [
        "(a) ccgw session method",
        "(b) generated ccgw-api call",
        "(c) hand-written reqwest, reused client",
        "(d) new reqwest client per request",
        "(e) ccgw session method, audit journal on",
        "(f) ccgw session method, no event poll",
    ];
    let mut medians = [Duration::ZERO; 6];
    println!(
        "switch round trip over loopback, {} requests per variant:",
        samples[0].len()
    );
    if only.is_some() {
        return;
    }
    for (i, s) in samples.iter_mut().enumerate() {
        s.sort();
        medians[i] = percentile(s, 50.0);
        println!(
            "  {:<42} median {:>8.1} us   p99 {:>8.1} us",
            names[i],
            micros(medians[i]),
            micros(percentile(s, 99.0))
        );
    }
    println!(
        "ccgw speed-up over a new client per request (d/a): {:.2}x",
        micros(medians[3]) / micros(medians[0])
    );
    println!(
        "overhead generated/reqwest median ratio (b/c): {:.2}",
        micros(medians[1]) / micros(medians[2])
    );
    println!(
        "overhead ccgw/reqwest median ratio: {:.2}",
        micros(medians[0]) / micros(medians[2])
    );
    println!(
        "overhead of the request path, ccgw without its event poll/reqwest (f/c): {:.2}",
        micros(medians[5]) / micros(medians[2])
    );
    println!(
        "audit journal: {:.1} us per request (median e - a), ratio e/a {:.2}",
        micros(medians[4]) - micros(medians[0]),
        micros(medians[4]) / micros(medians[0])
    );
}

/// Fisher-Yates with a xorshift generator: the same orders in every run.
fn shuffle(order: &mut [usize], seed: &mut u64) {
    for i in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        order.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
}
