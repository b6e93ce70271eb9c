//! Delivering alerts to a webhook, storm-proof: one POST a round at most, carrying every
//! change of that round (a batch), from a task of its own so that a slow or failing
//! receiver never holds up the rules.
//!
//! Nothing of the state is lost to an outage: while the receiver is down, the latest
//! change of each rule and subject is kept (so the bound is the number of subjects, never
//! the outage's length), retried with a capped backoff for as long as the program runs,
//! and the first batch that gets through also carries every alert in force. Past
//! [`MAX_PENDING`] kept changes, the oldest goes, never the newest, and the next batch
//! says how many went. A batch carries an `Idempotency-Key` (the SHA-256 of its body), so a
//! receiver can drop a copy it already has. TLS is verified; plain `http://` only to
//! loopback unless named insecure.

use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::rules::{Active, Change};

/// The most changes kept for delivery: past it, the oldest goes.
pub const MAX_PENDING: usize = 100_000;

/// The first wait after a failed delivery; it doubles up to [`BACKOFF_CAP`].
const BACKOFF_FIRST: Duration = Duration::from_secs(1);

/// The longest wait between two deliveries while the receiver is down.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// One POST's body.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    /// The changes since the last delivered batch, oldest first, the latest of each rule
    /// and subject.
    pub changes: Vec<Change>,
    /// How many older changes were dropped for the bound since the last delivered batch.
    pub dropped: u64,
    /// Every alert in force, on the first batch and the first after an outage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firing: Option<Vec<Firing>>,
}

/// An alert in force, as a batch carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Firing {
    pub rule: &'static str,
    pub subject: String,
    pub value: u64,
    pub threshold: u64,
}

impl From<&Active> for Firing {
    fn from(active: &Active) -> Self {
        Firing {
            rule: active.rule,
            subject: active.subject.clone(),
            value: active.value,
            threshold: active.threshold,
        }
    }
}

/// What waits for the delivery task.
#[derive(Default)]
struct Pending {
    changes: IndexMap<(&'static str, u64, String), Change>,
    dropped: u64,
    firing: Vec<Firing>,
    /// Send `firing` with the next batch.
    resync: bool,
    closing: bool,
}

impl Pending {
    /// Keeps `change` as the latest of its rule and subject, after the others; past the
    /// bound, the oldest goes.
    fn keep(&mut self, change: Change) {
        let key = (change.rule, change.threshold, change.subject.clone());
        self.changes.shift_remove(&key);
        self.changes.insert(key, change);
        while self.changes.len() > MAX_PENDING {
            self.changes.shift_remove_index(0);
            self.dropped += 1;
        }
    }

    /// The next batch, taken out; `None` when there is nothing to say.
    fn take(&mut self) -> Option<Batch> {
        if self.changes.is_empty() && !self.resync && self.dropped == 0 {
            return None;
        }
        let batch = Batch {
            changes: std::mem::take(&mut self.changes).into_values().collect(),
            dropped: std::mem::take(&mut self.dropped),
            firing: self.resync.then(|| self.firing.clone()),
        };
        self.resync = false;
        Some(batch)
    }

    /// Puts back a batch that was not delivered, before anything newer: a change kept
    /// since for the same rule and subject wins.
    fn put_back(&mut self, batch: Batch) {
        let newer = std::mem::take(&mut self.changes);
        for change in batch.changes {
            self.keep(change);
        }
        for (_, change) in newer {
            self.keep(change);
        }
        self.dropped += batch.dropped;
        self.resync = true;
    }
}

struct Shared {
    pending: std::sync::Mutex<Pending>,
    round: Notify,
}

impl Shared {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A webhook's sending end.
pub struct Webhook {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

/// The key a receiver deduplicates on: the same for every attempt of one batch.
pub fn idempotency_key(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Webhook {
    /// A webhook at `url`; `insecure_http` allows plain `http://` to a host that is not
    /// loopback.
    pub fn start(url: &str, insecure_http: bool) -> Result<Webhook, String> {
        // The URL may hold a token: no message repeats it, only its host at most.
        let parsed =
            reqwest::Url::parse(url).map_err(|e| format!("the webhook URL is not valid: {e}"))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err("the webhook URL must be https:// (or http:// to loopback)".to_owned());
        }
        if ccgw::needs_insecure_http(url) && !insecure_http {
            return Err(format!(
                "refusing plain http:// to the webhook at {}: alerts would cross the network \
                 unencrypted; use https://, or pass --insecure-http",
                parsed.host_str().unwrap_or_default()
            ));
        }
        // ccgw compiles reqwest's rustls without a default cryptography provider.
        ccgw::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // A redirect could lead from https:// to plain http:// elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the webhook client: {}", e.without_url()))?;
        let shared = Arc::new(Shared {
            pending: std::sync::Mutex::new(Pending {
                resync: true,
                ..Pending::default()
            }),
            round: Notify::new(),
        });
        let task = tokio::spawn(deliver_rounds(http, parsed, shared.clone()));
        Ok(Webhook { shared, task })
    }

    /// Hands over one round: its changes, and the alerts in force after it. Never waits.
    pub fn round(&self, changes: &[Change], active: &[Active]) {
        let mut pending = self.shared.pending();
        for change in changes {
            pending.keep(change.clone());
        }
        pending.firing = active.iter().map(Firing::from).collect();
        drop(pending);
        self.shared.round.notify_one();
    }

    /// Delivers what is kept, one last attempt, for at most `patience`.
    pub async fn finish(self, patience: Duration) {
        self.shared.pending().closing = true;
        self.shared.round.notify_one();
        let mut task = self.task;
        if tokio::time::timeout(patience, &mut task).await.is_err() {
            task.abort();
            let kept = self.shared.pending().changes.len();
            errln!("webhook: gave up at exit with {kept} changes undelivered: no answer in time");
        }
    }
}

/// How one POST went.
enum Delivery {
    Done,
    /// Refused for good (a 4xx other than 429): another attempt would be refused too.
    Refused(String),
    Failed(String),
}

async fn deliver_rounds(http: reqwest::Client, url: reqwest::Url, shared: Arc<Shared>) {
    let mut backoff = BACKOFF_FIRST;
    let mut not_before = Instant::now();
    let mut outage = false;
    loop {
        shared.round.notified().await;
        let closing = shared.pending().closing;
        // One POST a round at most, and none before the backoff has passed.
        if !closing && Instant::now() < not_before {
            continue;
        }
        let batch = shared.pending().take();
        if let Some(batch) = batch {
            match post(&http, &url, &batch).await {
                Delivery::Done => {
                    if outage {
                        errln!("webhook: delivered again; the alerts in force were sent anew");
                    }
                    outage = false;
                    backoff = BACKOFF_FIRST;
                }
                Delivery::Refused(status) => {
                    errln!(
                        "webhook: {status} refused a batch of {} changes; not sent again",
                        batch.changes.len()
                    );
                    // What it carried is lost to the receiver: the next batch says the
                    // whole state again.
                    shared.pending().resync = true;
                }
                Delivery::Failed(why) if closing => {
                    errln!(
                        "webhook: gave up at exit with {} changes undelivered: {why}",
                        batch.changes.len()
                    );
                }
                Delivery::Failed(why) => {
                    if !outage {
                        errln!(
                            "webhook: delivery failed ({why}); the latest change of each alert \
                             is kept and retried"
                        );
                    }
                    outage = true;
                    shared.pending().put_back(batch);
                    not_before = Instant::now() + backoff;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
            }
        }
        if closing {
            return;
        }
    }
}

async fn post(http: &reqwest::Client, url: &reqwest::Url, batch: &Batch) -> Delivery {
    let body = serde_json::to_vec(batch).expect("batches serialize");
    let sent = http
        .post(url.clone())
        .header("Idempotency-Key", idempotency_key(&body))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(answer) if answer.status().is_success() => Delivery::Done,
        // 408 (timeout), 413 (too large: a batch after an outage), 425 and 429 may pass
        // later; any other 4xx refuses this batch for good.
        Ok(answer)
            if answer.status().is_client_error()
                && !matches!(answer.status().as_u16(), 408 | 413 | 425 | 429) =>
        {
            Delivery::Refused(answer.status().to_string())
        }
        Ok(answer) => Delivery::Failed(answer.status().to_string()),
        // reqwest's text names the URL, and the URL may hold a token.
        Err(e) => Delivery::Failed(e.without_url().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(alert: &'static str, subject: &str) -> Change {
        Change {
            alert,
            rule: "talking",
            subject: subject.to_owned(),
            value: 50,
            threshold: 45,
            at: "2026-12-07T10:00:00Z".to_owned(),
        }
    }

    #[test]
    fn an_outage_keeps_the_latest_change_of_each_subject_and_the_newest_past_the_bound() {
        let mut pending = Pending::default();
        pending.keep(change("raised", "agent 1"));
        pending.keep(change("raised", "agent 2"));
        let failed = pending.take().unwrap();
        // Meanwhile agent 1 cleared.
        pending.keep(change("cleared", "agent 1"));
        pending.put_back(failed);
        let batch = pending.take().unwrap();
        let seen: Vec<(&str, &str)> = batch
            .changes
            .iter()
            .map(|c| (c.alert, c.subject.as_str()))
            .collect();
        assert_eq!(seen, [("raised", "agent 2"), ("cleared", "agent 1")]);
        assert!(
            batch.firing.is_some(),
            "after an outage, the state is sent anew"
        );

        for n in 0..MAX_PENDING + 3 {
            pending.keep(change("raised", &format!("agent {n}")));
        }
        let batch = pending.take().unwrap();
        assert_eq!(batch.changes.len(), MAX_PENDING);
        assert_eq!(batch.dropped, 3);
        assert_eq!(batch.changes[0].subject, "agent 3", "the oldest went");
        assert_eq!(
            batch.changes.last().unwrap().subject,
            format!("agent {}", MAX_PENDING + 2),
            "never the newest"
        );
        assert!(pending.take().is_none());
    }
}
