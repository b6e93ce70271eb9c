//! What the probe's tap keeps of each answer: the facts that matter for fidelity, read
//! from the headers and the body as the gateway sent them. Header values that carry
//! secrets (`Set-GUID`, cookie values) are never kept: only whether they came, and cookie
//! names from a closed set.

use std::sync::Mutex;
use std::time::Duration;

use ccgw::tap::{AnswerTap, Exchange};
use serde_json::Value;

/// Cookie names a report may name: the ones gateways and their load balancers are known
/// to use. Any other name could be a host's or a pool's, so it is told only as "other".
const KNOWN_COOKIES: &[&str] = &["JSESSIONID", "loadbalance", "NSLB_AFFINITY"];

/// Media types a report may name; any other is "other".
const KNOWN_MEDIA: &[&str] = &[
    "application/json",
    "text/html",
    "text/plain",
    "application/octet-stream",
];

/// One answer, as the tap saw it.
#[derive(Debug)]
pub struct Answer {
    /// The operationId (`undocumented` for one the document does not have).
    pub operation: &'static str,
    pub status: u16,
    /// The media type, from a closed set; `None` when the answer named none.
    pub media: Option<&'static str>,
    /// The charset's canonical name when the answer named one the encoding standard
    /// knows, `"unknown"` for one it does not, `None` when none was named.
    pub charset: Option<&'static str>,
    pub set_guid: bool,
    /// Cookie names, from [`KNOWN_COOKIES`] or `"other"`.
    pub cookies: Vec<&'static str>,
    pub latency: Duration,
    pub bytes: usize,
    /// The body decoded by its charset and read as JSON; `None` when it could not be read
    /// whole or is not JSON.
    pub json: Option<Value>,
    /// Strings the answer carried that must never reach a report: header values.
    pub secrets: Vec<String>,
}

/// The tap: every answer of the probe's session, in order.
#[derive(Debug, Default)]
pub struct Recorder {
    answers: Mutex<Vec<Answer>>,
}

impl Recorder {
    /// Everything seen so far, taken out.
    pub fn take(&self) -> Vec<Answer> {
        std::mem::take(&mut *self.answers.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// How many answers `operation` has had.
    pub fn count(&self, operation: &str) -> usize {
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|a| a.operation == operation)
            .count()
    }
}

impl AnswerTap for Recorder {
    fn answer(&self, exchange: &Exchange<'_>) {
        let answer = read(exchange);
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(answer);
    }
}

fn read(exchange: &Exchange<'_>) -> Answer {
    let operation =
        ccgw_api::operations::by_hook_id(exchange.operation).map_or("undocumented", |op| op.id);
    let header = |name: &str| {
        exchange
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let content_type = header("content-type").into_iter().next();
    let (media, label) = content_type
        .as_deref()
        .map_or((None, None), split_content_type);
    let encoding = label
        .as_deref()
        .map(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    let charset = encoding.map(|e| e.map_or("unknown", |e| e.name()));
    let set_guid = header("set-guid");
    let set_cookie = header("set-cookie");
    let mut secrets: Vec<String> = set_guid.clone();
    let mut cookies = Vec::new();
    for cookie in &set_cookie {
        let pair = cookie.split(';').next().unwrap_or_default();
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = name.trim();
        match KNOWN_COOKIES.iter().find(|k| **k == name) {
            Some(known) => cookies.push(*known),
            None => {
                cookies.push("other");
                secrets.push(name.to_owned());
            }
        }
        secrets.push(value.trim().to_owned());
    }
    // A Guid comes as `JSESSIONID=<guid>`: its value alone is the secret.
    secrets.extend(
        set_guid
            .iter()
            .filter_map(|g| g.split_once('='))
            .map(|(_, v)| v.to_owned()),
    );
    let (bytes, json) = match exchange.body {
        Ok(body) => {
            let encoding = encoding.flatten().unwrap_or(encoding_rs::UTF_8);
            let (text, _) = encoding.decode_without_bom_handling(body);
            (body.len(), serde_json::from_str(&text).ok())
        }
        Err(_) => (0, None),
    };
    Answer {
        operation,
        status: exchange.status,
        media,
        charset,
        set_guid: !set_guid.is_empty(),
        cookies,
        latency: exchange.latency,
        bytes,
        json,
        secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect(),
    }
}

/// The media type (from [`KNOWN_MEDIA`], or "other") and the charset label of a
/// `Content-Type`.
fn split_content_type(value: &str) -> (Option<&'static str>, Option<String>) {
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let media = KNOWN_MEDIA
        .iter()
        .find(|m| **m == essence)
        .copied()
        .unwrap_or("other");
    let label = ccgw_api::hooks::charset_label(value).map(str::to_owned);
    (Some(media), label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_type_gives_a_known_media_type_and_its_charset_label() {
        assert_eq!(
            split_content_type("application/json;charset=GBK"),
            (Some("application/json"), Some("GBK".to_owned()))
        );
        assert_eq!(
            split_content_type("Application/JSON; Charset=\"utf-8\""),
            (Some("application/json"), Some("utf-8".to_owned()))
        );
        assert_eq!(
            split_content_type("x-internal/gw01.corp.example"),
            (Some("other"), None),
            "a media type nobody knows is not repeated: it could name a host"
        );
    }
}
