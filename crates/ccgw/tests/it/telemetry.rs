//! The SDK's own metrics, read through a recorder: requests by operation and outcome with
//! their durations, event polls, and the overload budget's waits. (The recorder is the
//! test binary's global one: other tests running beside this one add to the counts, so
//! each count is checked to have grown by at least what this test did. A snapshot drains
//! the recorder, so the counts since the start are the sum of the snapshots since.)

use std::sync::OnceLock;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use metrics_util::{CompositeKey, MetricKind};

use crate::common::{agent, inspector, quick, sim, skill};

fn snapshotter() -> &'static Snapshotter {
    static SNAPSHOTTER: OnceLock<Snapshotter> = OnceLock::new();
    SNAPSHOTTER.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().expect("the test binary's one recorder");
        snapshotter
    })
}

/// A metric: its kind, name and sorted labels; and its count (a counter's value, a
/// histogram's number of samples).
type Counted = ((MetricKind, String, Vec<(String, String)>), u64);

/// Every metric recorded since the last snapshot.
fn counts() -> Vec<Counted> {
    snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value): (CompositeKey, _, _, DebugValue)| {
            let (kind, key) = key.into_parts();
            let mut labels: Vec<(String, String)> = key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            labels.sort();
            let count = match value {
                DebugValue::Counter(n) => n,
                DebugValue::Histogram(samples) => samples.len() as u64,
                DebugValue::Gauge(_) => 0,
            };
            ((kind, key.name().to_owned(), labels), count)
        })
        .collect()
}

fn count_of(snapshot: &[Counted], name: &str, labels: &[(&str, &str)]) -> u64 {
    snapshot
        .iter()
        .filter(|((_, n, l), _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|(_, count)| count)
        .sum()
}

#[tokio::test]
async fn requests_polls_and_budget_waits_are_counted_by_their_documented_names() {
    // Drains what other tests recorded before this one started.
    let _ = counts();
    let sim = sim(quick()).await;
    let (_client, session) = inspector(&sim).await;
    session.listen(&agent("1001")).await.unwrap();
    assert!(session.force_busy(&agent("9999")).await.is_err()); // 100-006
    // Six queue queries at once: the budget holds five per 2 s, so one waits.
    for _ in 0..6 {
        session.queue_length(skill(1)).await.unwrap();
    }
    // A poll or more answered: waited for, 5 s at most.
    let answered = [("outcome", "answered")];
    let mut since = counts();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while count_of(&since, ccgw::telemetry::EVENT_POLLS, &answered) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no poll answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
        since.extend(counts());
    }
    session.sign_out().await.unwrap();
    since.extend(counts());
    let grew = |name: &str, labels: &[(&str, &str)], by: u64| {
        let is = count_of(&since, name, labels);
        assert!(is >= by, "{name} {labels:?}: +{is}, expected +{by}");
    };
    use ccgw::telemetry::*;
    grew(
        REQUESTS,
        &[("operation", "addSupervise"), ("outcome", "ok")],
        1,
    );
    grew(
        REQUESTS,
        &[("operation", "forceBusy"), ("outcome", "100-006")],
        1,
    );
    grew(REQUEST_DURATION, &[("operation", "addSupervise")], 1);
    grew(EVENT_POLLS, &[("outcome", "answered")], 1);
    grew(BUDGET_WAITS, &[], 1);
    grew(BUDGET_WAIT, &[], 1);
    // No label carries an agent, a call or a Guid.
    for ((_, name, labels), _) in &since {
        if name.starts_with("ccgw_") {
            for (key, _) in labels {
                assert!(
                    ["operation", "outcome"].contains(&key.as_str()),
                    "{name}: {key}"
                );
            }
        }
    }
}
