//! Delivering alerts to a webhook: each change is POSTed as JSON from a task of its own,
//! so a slow or failing receiver never holds up the rules; a failure is retried with
//! backoff, under the same `Idempotency-Key`, so a receiver can drop a copy it already
//! has. TLS is verified; plain `http://` only to loopback unless named insecure.

use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::rules::Change;

/// How many changes wait for delivery before new ones are dropped (and said so).
const QUEUE: usize = 1024;

/// How many times a change is sent at most.
pub const ATTEMPTS: u32 = 5;

/// A webhook's sending end.
pub struct Webhook {
    changes: mpsc::Sender<Change>,
    task: tokio::task::JoinHandle<()>,
}

/// The key a receiver deduplicates on: the same for every attempt of one change.
pub fn idempotency_key(change: &Change) -> String {
    // Two rules of one kind differ by threshold, so their alerts never share a key.
    let text = format!(
        "{}|{}|{}|{}|{}|{}",
        change.alert, change.rule, change.threshold, change.subject, change.value, change.at
    );
    Sha256::digest(text.as_bytes())
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
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // A redirect could lead from https:// to plain http:// elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the webhook client: {}", e.without_url()))?;
        let (changes, mut waiting) = mpsc::channel::<Change>(QUEUE);
        let task = tokio::spawn(async move {
            while let Some(change) = waiting.recv().await {
                deliver(&http, &parsed, &change).await;
            }
        });
        Ok(Webhook { changes, task })
    }

    /// Queues a change for delivery; never waits.
    pub fn send(&self, change: &Change) {
        if self.changes.try_send(change.clone()).is_err() {
            errln!(
                "webhook: {QUEUE} alerts already wait for delivery; dropped {} {}",
                change.rule,
                change.subject
            );
        }
    }

    /// Delivers what is queued, for at most `patience`.
    pub async fn finish(self, patience: Duration) {
        drop(self.changes);
        let mut task = self.task;
        if tokio::time::timeout(patience, &mut task).await.is_err() {
            task.abort();
        }
    }
}

async fn deliver(http: &reqwest::Client, url: &reqwest::Url, change: &Change) {
    let key = idempotency_key(change);
    for attempt in 1..=ATTEMPTS {
        let sent = http
            .post(url.clone())
            .header("Idempotency-Key", &key)
            .json(change)
            .send()
            .await;
        let retry = match sent {
            Ok(answer) if answer.status().is_success() => return,
            // The receiver refused it for good: another attempt would be refused too.
            Ok(answer) if answer.status().is_client_error() && answer.status().as_u16() != 429 => {
                errln!(
                    "webhook: {} refused {} {}",
                    answer.status(),
                    change.rule,
                    change.subject
                );
                return;
            }
            Ok(answer) => answer.status().to_string(),
            // reqwest's text names the URL, and the URL may hold a token.
            Err(e) => e.without_url().to_string(),
        };
        if attempt == ATTEMPTS {
            errln!(
                "webhook: gave up on {} {} after {ATTEMPTS} attempts: {retry}",
                change.rule,
                change.subject
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(250 << (attempt - 1))).await;
    }
}
