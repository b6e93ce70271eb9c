//! The probe's report: for each operation asked, the facts of its answers and how their
//! shapes differ from the document, with the verdict in plain words. It holds shapes,
//! never values: operation names, HTTP statuses, media types and charsets, field paths
//! and types, counts and lengths, and values from closed sets (retcodes, state codes,
//! event types).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::record::Answer;
use super::shape::{self, Document, Found};

/// What `report` says of the format, so a reader knows what it holds.
pub const FORMAT: &str = "ccgw-probe/1";

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub report: String,
    /// The version of the SDK that made it.
    pub sdk: String,
    /// Whether the SDK read every answer it asked for.
    pub fits: bool,
    /// Each request the probe made through the SDK, and how it went.
    pub steps: Vec<Step>,
    /// What came back, by operation, in the order first asked.
    pub operations: Vec<Operation>,
}

/// One request of the probe and its outcome: `read`, `refused 100-006` (the gateway said
/// no), `unreadable: <why>` (the SDK could not read the answer), `failed: <why>` (the
/// request or its answer was lost), or `skipped: <why>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub operation: String,
    pub outcome: String,
}

/// The answers of one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub operation: String,
    pub answers: usize,
    pub http_status: BTreeSet<u16>,
    /// Media types (`application/json`, `other`).
    pub media: BTreeSet<String>,
    /// Charsets named (`GBK`; `none` when an answer named none).
    pub charset: BTreeSet<String>,
    /// How many answers carried `Set-GUID`.
    pub set_guid: usize,
    /// Cookie names set (known names, or `other`).
    pub cookies: BTreeSet<String>,
    /// The fastest and slowest answer, in milliseconds.
    pub latency_ms: [u64; 2],
    /// The smallest and largest body, in bytes.
    pub bytes: [usize; 2],
    /// The fewest and most entries of a `result` list, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<[usize; 2]>,
    /// Answers that were not JSON.
    pub not_json: usize,
    pub retcodes: BTreeSet<String>,
    pub state_codes: BTreeSet<String>,
    pub events: BTreeSet<String>,
    /// How many answers carried an event.
    pub with_event: usize,
    pub differences: BTreeSet<Found>,
}

impl Report {
    /// The report of `answers`, as the SDK fared with `steps`.
    pub fn new(document: &Document, steps: Vec<Step>, answers: Vec<Answer>) -> Report {
        let mut operations: Vec<Operation> = Vec::new();
        for answer in answers {
            let at = match operations
                .iter()
                .position(|o| o.operation == answer.operation)
            {
                Some(at) => at,
                None => {
                    operations.push(Operation::new(answer.operation));
                    operations.len() - 1
                }
            };
            operations[at].add(document, &answer);
        }
        let fits = steps.iter().all(|s| !s.outcome.starts_with("unreadable"))
            && steps.first().is_some_and(|s| s.outcome == "read");
        Report {
            report: FORMAT.to_owned(),
            sdk: env!("CARGO_PKG_VERSION").to_owned(),
            fits,
            steps,
            operations,
        }
    }
}

impl Operation {
    fn new(operation: &str) -> Operation {
        Operation {
            operation: operation.to_owned(),
            answers: 0,
            http_status: BTreeSet::new(),
            media: BTreeSet::new(),
            charset: BTreeSet::new(),
            set_guid: 0,
            cookies: BTreeSet::new(),
            latency_ms: [u64::MAX, 0],
            bytes: [usize::MAX, 0],
            entries: None,
            not_json: 0,
            retcodes: BTreeSet::new(),
            state_codes: BTreeSet::new(),
            events: BTreeSet::new(),
            with_event: 0,
            differences: BTreeSet::new(),
        }
    }

    fn add(&mut self, document: &Document, answer: &Answer) {
        self.answers += 1;
        self.http_status.insert(answer.status);
        self.media.insert(answer.media.unwrap_or("none").to_owned());
        self.charset
            .insert(answer.charset.unwrap_or("none").to_owned());
        self.set_guid += usize::from(answer.set_guid);
        self.cookies
            .extend(answer.cookies.iter().map(|c| (*c).to_owned()));
        let millis = u64::try_from(answer.latency.as_millis()).unwrap_or(u64::MAX);
        self.latency_ms = [
            self.latency_ms[0].min(millis),
            self.latency_ms[1].max(millis),
        ];
        self.bytes = [
            self.bytes[0].min(answer.bytes),
            self.bytes[1].max(answer.bytes),
        ];
        let Some(json) = &answer.json else {
            self.not_json += 1;
            return;
        };
        if let Some(n) = shape::entries(json) {
            let [low, high] = self.entries.unwrap_or([usize::MAX, 0]);
            self.entries = Some([low.min(n), high.max(n)]);
        }
        self.retcodes.extend(shape::retcode(json));
        self.state_codes
            .extend(shape::state_codes(json, document.named(&self.operation)));
        let event = shape::event_type(json);
        self.with_event += usize::from(event.is_some());
        self.events.extend(event);
        // Only a 200 answer has the documented shape; others are the load balancer's.
        if answer.status == 200
            && let Some(found) = document.differences(&self.operation, json)
        {
            self.differences.extend(found);
        }
    }
}

impl Report {
    /// How many requests got no answer at all (the link lost them): the probe saw no
    /// shape for them, so its verdict does not cover them.
    pub fn unanswered(&self) -> usize {
        (self.steps.iter())
            .filter(|s| s.outcome.starts_with("failed"))
            .count()
    }
}

/// The one-screen summary of `report`, in plain words.
pub fn summary(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    let read = report.steps.iter().filter(|s| s.outcome == "read").count();
    lines.push(if report.fits {
        match report.unanswered() {
            0 => "ccgw probe: this SDK fits this gateway.".to_owned(),
            n => format!(
                "ccgw probe: this SDK fits the answers it read, but {n} request(s) got no \
                 answer (below): probe again to see them"
            ),
        }
    } else {
        "ccgw probe: this SDK does NOT fit this gateway as it is.".to_owned()
    });
    lines.push(format!(
        "  read {read} of the {} answers it asked for",
        report.steps.len()
    ));
    for step in report.steps.iter().filter(|s| s.outcome != "read") {
        lines.push(format!("  {}: {}", step.operation, step.outcome));
    }
    let charsets: BTreeSet<&str> = report
        .operations
        .iter()
        .flat_map(|o| o.charset.iter().map(String::as_str))
        .collect();
    lines.push(format!(
        "  charset: {} (the SDK decodes any the encoding standard knows)",
        charsets.into_iter().collect::<Vec<_>>().join(", ")
    ));
    let sign_in_guid = report
        .operations
        .iter()
        .any(|o| o.operation == "signIn" && o.set_guid > 0);
    let later: usize = report
        .operations
        .iter()
        .filter(|o| o.operation != "signIn")
        .map(|o| o.set_guid)
        .sum();
    let all_later: usize = report
        .operations
        .iter()
        .filter(|o| o.operation != "signIn")
        .map(|o| o.answers)
        .sum();
    lines.push(format!(
        "  Set-GUID: {} sign-in; on {later} of {all_later} later answers{}",
        if sign_in_guid { "on" } else { "NOT on" },
        if later > 0 {
            " (the SDK follows it wherever it comes)"
        } else {
            ""
        }
    ));
    let polls = report
        .operations
        .iter()
        .find(|o| o.operation == "pollEvent");
    let (answered, events) = polls.map_or((0, 0), |o| (o.answers, o.with_event));
    lines.push(format!(
        "  event polls: {answered} answered, {events} with an event"
    ));
    if events == 0 {
        lines.push(
            "    no event came: the shapes of events (NUL padding) were not checked".to_owned(),
        );
    }
    let cookies: BTreeSet<&str> = report
        .operations
        .iter()
        .flat_map(|o| o.cookies.iter().map(String::as_str))
        .collect();
    if !cookies.is_empty() {
        let names: Vec<&str> = cookies.into_iter().collect();
        lines.push(format!("  cookies set: {}", names.join(", ")));
    }
    let mut differs = Vec::new();
    let mut allowed = 0;
    for op in &report.operations {
        for found in &op.differences {
            match found {
                Found::Undocumented { .. } => allowed += 1,
                Found::NumberAsText { .. } => {
                    differs.push(format!("    {}: {} (allowed)", op.operation, found.words()));
                }
                _ => differs.push(format!("    {}: {}", op.operation, found.words())),
            }
        }
    }
    if differs.is_empty() {
        lines.push("  every answer has the shape the document gives it".to_owned());
    } else {
        lines.push("  differs from the document:".to_owned());
        const SHOWN: usize = 12;
        let more = differs.len().saturating_sub(SHOWN);
        lines.extend(differs.into_iter().take(SHOWN));
        if more > 0 {
            lines.push(format!("    ... and {more} more in the report"));
        }
    }
    if allowed > 0 {
        lines.push(format!(
            "  {allowed} fields the document allows but does not name (listed in the report)"
        ));
    }
    lines
}
