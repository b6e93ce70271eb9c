//! `ccgw watch --alertmanager URL`: the rules' alerts, posted to Alertmanager's v2 API
//! (`POST /api/v2/alerts`), where the operations team groups, silences and routes them.
//!
//! Every alert in force is sent again each round (Alertmanager forgets an alert not sent
//! again within its resolve timeout), with the `startsAt` of when it was raised; a cleared
//! alert is sent with `endsAt`, and kept until a post that carried it got through, so an
//! outage of Alertmanager loses no resolution. One post at a time: while one is in
//! flight a round sends nothing (the next carries the whole state anyway).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::alerts::rules::{Active, Change};

/// The key of an alert: its rule, threshold and subject.
type Key = (&'static str, u64, String);

/// The labels of an alert: `alertname` (`CcgwLongestWait`, ...), `rule`, `queue` or
/// `agent`, `severity` (`critical` for `unattended`, else `warning`).
fn labels(rule: &str, subject: &str) -> Value {
    let alertname: String = std::iter::once("Ccgw".to_owned())
        .chain(rule.split('-').map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        }))
        .collect();
    let severity = if rule == "unattended" {
        "critical"
    } else {
        "warning"
    };
    let mut labels = json!({ "alertname": alertname, "rule": rule, "severity": severity });
    if let Some((kind, id)) = subject.split_once(' ') {
        labels[kind] = Value::String(id.to_owned());
    }
    labels
}

fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// What is sent, and what waits to be.
pub struct Alertmanager {
    http: reqwest::Client,
    url: reqwest::Url,
    /// When each alert in force was raised.
    started: HashMap<Key, String>,
    /// Cleared alerts not yet carried by a post that got through.
    resolved: Arc<Mutex<HashMap<Key, Value>>>,
    in_flight: Option<tokio::task::JoinHandle<()>>,
    /// Whether the last post failed: a failure is told once, not every round.
    failing: Arc<AtomicBool>,
}

impl Alertmanager {
    /// Alertmanager at `base` (e.g. `http://127.0.0.1:9093`); `insecure_http` allows plain
    /// `http://` to a host that is not loopback.
    pub fn new(base: &str, insecure_http: bool) -> Result<Alertmanager, String> {
        let parsed = reqwest::Url::parse(base)
            .map_err(|e| format!("the Alertmanager URL is not valid: {e}"))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err("the Alertmanager URL must be https:// or http://".to_owned());
        }
        if ccgw::needs_insecure_http(base) && !insecure_http {
            return Err(format!(
                "refusing plain http:// to Alertmanager at {}: use https://, or pass \
                 --insecure-http",
                parsed.host_str().unwrap_or_default()
            ));
        }
        // A route prefix (`https://ops/alertmanager`) is kept: joined as a folder.
        let mut base = parsed;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let url = base
            .join("api/v2/alerts")
            .map_err(|e| format!("the Alertmanager URL is not valid: {e}"))?;
        // ccgw compiles reqwest's rustls without a default cryptography provider.
        ccgw::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the Alertmanager client: {}", e.without_url()))?;
        Ok(Alertmanager {
            http,
            url,
            started: HashMap::new(),
            resolved: Arc::new(Mutex::new(HashMap::new())),
            in_flight: None,
            failing: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Takes in one round (its changes and the alerts in force after it) and posts the
    /// state, unless a post is still in flight.
    pub fn round(&mut self, changes: &[Change], active: &[Active]) {
        let now = SystemTime::now();
        for change in changes {
            let key = (change.rule, change.threshold, change.subject.clone());
            if change.alert == "raised" {
                self.started.insert(key.clone(), rfc3339(now));
                self.resolved().remove(&key);
            } else if let Some(starts) = self.started.remove(&key) {
                let alert = json!({
                    "labels": labels(change.rule, &change.subject),
                    "annotations": { "value": change.value.to_string(),
                                     "threshold": change.threshold.to_string() },
                    "startsAt": starts,
                    "endsAt": rfc3339(now),
                });
                self.resolved().insert(key, alert);
            }
        }
        if self
            .in_flight
            .as_ref()
            .is_some_and(|task| !task.is_finished())
        {
            return;
        }
        let mut alerts: Vec<Value> = active
            .iter()
            .map(|a| {
                let key = (a.rule, a.threshold, a.subject.clone());
                let starts = self.started.entry(key).or_insert_with(|| rfc3339(now));
                json!({
                    "labels": labels(a.rule, &a.subject),
                    "annotations": { "value": a.value.to_string(),
                                     "threshold": a.threshold.to_string() },
                    "startsAt": starts,
                })
            })
            .collect();
        let sent: Vec<(Key, Value)> = self
            .resolved()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        alerts.extend(sent.iter().map(|(_, v)| v.clone()));
        if alerts.is_empty() {
            return;
        }
        let (http, url, resolved) = (self.http.clone(), self.url.clone(), self.resolved.clone());
        let failing = self.failing.clone();
        self.in_flight = Some(tokio::spawn(async move {
            let failed = |why: String| {
                if !failing.swap(true, Ordering::Relaxed) {
                    errln!("alertmanager: {why}; posting again every round");
                }
            };
            match http.post(url).json(&alerts).send().await {
                Ok(answer) if answer.status().is_success() => {
                    if failing.swap(false, Ordering::Relaxed) {
                        errln!("alertmanager: posts get through again");
                    }
                    let mut resolved = resolved.lock().unwrap_or_else(|e| e.into_inner());
                    for (key, value) in sent {
                        if resolved.get(&key) == Some(&value) {
                            resolved.remove(&key);
                        }
                    }
                }
                Ok(answer) => failed(format!(
                    "{} to a post of {} alerts",
                    answer.status(),
                    alerts.len()
                )),
                Err(e) => failed(e.without_url().to_string()),
            }
        }));
    }

    fn resolved(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Value>> {
        self.resolved.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the post in flight, then posts once more the alerts cleared and not yet
    /// delivered, all within `patience`: a resolution is not left to Alertmanager's
    /// timeout.
    pub async fn finish(self, patience: Duration) {
        let deadline = tokio::time::Instant::now() + patience;
        if let Some(mut task) = self.in_flight
            && tokio::time::timeout_at(deadline, &mut task).await.is_err()
        {
            task.abort();
            return;
        }
        let resolved: Vec<Value> = self
            .resolved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        if resolved.is_empty() {
            return;
        }
        let post = self.http.post(self.url.clone()).json(&resolved).send();
        match tokio::time::timeout_at(deadline, post).await {
            Ok(Ok(answer)) if answer.status().is_success() => {}
            _ => errln!(
                "alertmanager: {} cleared alerts not delivered at exit",
                resolved.len()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alerts_route_keeps_a_prefix_and_labels_name_the_subject() {
        for (base, url) in [
            (
                "http://127.0.0.1:9093",
                "http://127.0.0.1:9093/api/v2/alerts",
            ),
            (
                "http://127.0.0.1:9093/",
                "http://127.0.0.1:9093/api/v2/alerts",
            ),
            (
                "http://127.0.0.1:9093/am",
                "http://127.0.0.1:9093/am/api/v2/alerts",
            ),
        ] {
            assert_eq!(Alertmanager::new(base, false).unwrap().url.as_str(), url);
        }
        assert!(
            Alertmanager::new("http://ops.example:9093", false).is_err(),
            "plain HTTP elsewhere"
        );
        let labels = labels("longest-wait", "queue 3");
        assert_eq!(labels["alertname"], "CcgwLongestWait");
        assert_eq!(labels["queue"], "3");
        assert_eq!(labels["severity"], "warning");
        assert_eq!(
            super::labels("unattended", "queue 1")["severity"],
            "critical"
        );
    }
}
