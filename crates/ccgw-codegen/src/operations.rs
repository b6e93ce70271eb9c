//! The operation table appended to the generated client: facts from the document's
//! `x-` extensions, readable at run time.

use openapiv3::{OpenAPI, Operation, ReferenceOr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::error::Error;

/// What the document says about one operation, beyond what progenitor uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationFacts {
    /// The `operationId`.
    pub id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, starting with `/agentgateway/`.
    pub path: String,
    /// The operation's one tag.
    pub tag: String,
    /// The gateway's own method name in its logs (`x-log-name`).
    pub log_name: String,
    /// Whether that log name was confirmed by the reference (`x-log-name-verified`).
    pub log_name_verified: bool,
    /// Whether the operation changes state on the gateway (`x-state-changing`).
    pub state_changing: bool,
    /// Whether sending the operation twice undoes the first (`x-toggle`).
    pub toggle: bool,
    /// Whether it starts, changes or ends an inspection of the agent it names
    /// (`x-inspection`): only these change a tracked mode.
    pub inspection: bool,
    /// Whether it counts against the gateway's overload budget of queue-device and
    /// agent-group queries per agent (`x-overload-budget`).
    pub overload_budget: bool,
    /// How many agent entries its answer may legitimately hold (`x-answer-entries`).
    pub answer_entries: AnswerEntries,
    /// Whether its answer is a file rather than a JSON answer when it succeeds
    /// (`x-answer-body: file`): a client streams it instead of bounding it.
    pub answers_file: bool,
    /// Whether the operation needs the session's `Guid` header (`x-requires-guid`).
    pub requires_guid: bool,
    /// The failure retcodes the reference lists for it (`x-retcodes`).
    pub retcodes: Vec<String>,
}

/// Reads the facts of every operation, in document order.
pub fn operation_facts(spec: &OpenAPI) -> Result<Vec<OperationFacts>, Error> {
    let mut all = Vec::new();
    for (path, item) in spec.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            return Err(Error::Spec(format!("{path}: path items must be inline")));
        };
        for (method, op) in item.iter() {
            all.push(facts_of(path, method, op)?);
        }
    }
    Ok(all)
}

fn facts_of(path: &str, method: &str, op: &Operation) -> Result<OperationFacts, Error> {
    let id = op
        .operation_id
        .clone()
        .ok_or_else(|| Error::Spec(format!("{method} {path}: no operationId")))?;
    let missing = |what: &str| Error::Spec(format!("{id}: {what}"));
    let string_ext = |name: &str| -> Result<String, Error> {
        op.extensions
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| missing(&format!("no string {name}")))
    };
    let bool_ext = |name: &str, default: Option<bool>| -> Result<bool, Error> {
        match op.extensions.get(name) {
            Some(v) => v
                .as_bool()
                .ok_or_else(|| missing(&format!("{name} is not a boolean"))),
            None => default.ok_or_else(|| missing(&format!("no {name}"))),
        }
    };
    let retcodes = match op.extensions.get("x-retcodes") {
        Some(Value::Array(codes)) => codes
            .iter()
            .map(|c| c.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| missing("x-retcodes holds a non-string"))?,
        _ => return Err(missing("no x-retcodes list")),
    };
    let answer_entries = match op.extensions.get("x-answer-entries") {
        None => AnswerEntries::Few,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(AnswerEntries::AtMost)
            .ok_or_else(|| missing("x-answer-entries is not a count"))?,
        Some(Value::String(s)) if s == "tenant-agents" => AnswerEntries::TenantAgents,
        Some(Value::String(s)) if s == "tenant-agent-queues" => AnswerEntries::TenantAgentQueues,
        Some(other) => {
            return Err(missing(&format!(
                "x-answer-entries {other} is none of a count, tenant-agents, tenant-agent-queues"
            )));
        }
    };
    let answers_file = match op.extensions.get("x-answer-body") {
        None => false,
        Some(Value::String(s)) if s == "file" => true,
        Some(other) => return Err(missing(&format!("x-answer-body {other} is not `file`"))),
    };
    let tag = match op.tags.as_slice() {
        [one] => one.clone(),
        _ => return Err(missing("needs exactly one tag")),
    };
    Ok(OperationFacts {
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        tag,
        log_name: string_ext("x-log-name")?,
        log_name_verified: bool_ext("x-log-name-verified", Some(true))?,
        state_changing: bool_ext("x-state-changing", None)?,
        toggle: bool_ext("x-toggle", Some(false))?,
        inspection: bool_ext("x-inspection", Some(false))?,
        overload_budget: bool_ext("x-overload-budget", Some(false))?,
        answer_entries,
        answers_file,
        requires_guid: bool_ext("x-requires-guid", None)?,
        retcodes,
        id,
    })
}

/// How many agent entries an operation's answer may hold (`x-answer-entries`), from
/// which a client derives how large an answer it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerEntries {
    /// No list of agents: a small answer.
    Few,
    /// At most this many agents, as documented.
    AtMost(u32),
    /// Up to every agent of the tenant.
    TenantAgents,
    /// Every agent of the tenant under each skill queue it serves.
    TenantAgentQueues,
}

/// The name progenitor gives the operation, which is what its hooks receive as
/// `OperationInfo::operation_id`: snake case of the operationId (`pollEvent` gives
/// `poll_event`). [`crate::generate`] checks that progenitor's output uses exactly this
/// name for every operation, so the table and the hooks cannot disagree.
pub fn hook_id(id: &str) -> String {
    const_name(id).to_ascii_lowercase()
}

/// The document's `x-retcode-meanings`, in its order; fails unless every retcode an
/// operation lists has one.
pub fn retcode_meanings(
    spec: &OpenAPI,
    facts: &[OperationFacts],
) -> Result<Vec<(String, String)>, Error> {
    let Some(Value::Object(map)) = spec.extensions.get("x-retcode-meanings") else {
        return Err(Error::Spec("no x-retcode-meanings map".into()));
    };
    let mut meanings = Vec::new();
    for (code, meaning) in map {
        let meaning = meaning
            .as_str()
            .ok_or_else(|| Error::Spec(format!("x-retcode-meanings: {code} is not text")))?;
        meanings.push((code.clone(), meaning.to_owned()));
    }
    for f in facts {
        for code in &f.retcodes {
            if !meanings.iter().any(|(known, _)| known == code) {
                return Err(Error::Spec(format!(
                    "{}: retcode {code} has no meaning in x-retcode-meanings",
                    f.id
                )));
            }
        }
    }
    Ok(meanings)
}

/// Upper snake case of a camelCase operationId, for a constant's name. A run of
/// capitals is one word: `querySkillQueueOnAgentVDN` gives `..._ON_AGENT_VDN`.
fn const_name(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::with_capacity(id.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(char::is_ascii_lowercase));
        if starts_word {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

pub(crate) fn table_tokens(facts: &[OperationFacts], meanings: &[(String, String)]) -> TokenStream {
    let codes = meanings.iter().map(|(code, _)| code);
    let words = meanings.iter().map(|(_, meaning)| meaning);
    let consts = facts.iter().map(|f| {
        let name = format_ident!("{}", const_name(&f.id));
        let OperationFacts {
            id,
            log_name,
            state_changing,
            toggle,
            inspection,
            overload_budget,
            answer_entries,
            answers_file,
            ..
        } = f;
        let answer_entries = match answer_entries {
            AnswerEntries::Few => quote!(AnswerEntries::Few),
            AnswerEntries::AtMost(n) => quote!(AnswerEntries::AtMost(#n)),
            AnswerEntries::TenantAgents => quote!(AnswerEntries::TenantAgents),
            AnswerEntries::TenantAgentQueues => quote!(AnswerEntries::TenantAgentQueues),
        };
        let hook_id = hook_id(id);
        let doc = const_doc(f);
        quote! {
            #[doc = #doc]
            pub const #name: Operation = Operation {
                id: #id,
                hook_id: #hook_id,
                log_name: #log_name,
                state_changing: #state_changing,
                toggle: #toggle,
                inspection: #inspection,
                overload_budget: #overload_budget,
                answer_entries: #answer_entries,
                answers_file: #answers_file,
            };
        }
    });
    let names: Vec<_> = facts
        .iter()
        .map(|f| format_ident!("{}", const_name(&f.id)))
        .collect();
    let errors_docs = facts.iter().map(errors_doc);
    quote! {
        /// Facts about each operation from the document's `x-` extensions that drive the
        /// hand-written client: span and error names, which requests change state, and
        /// which are toggles. The rest of what the document says is in each constant's
        /// documentation.
        pub mod operations {
            /// One operation of the document.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Operation {
                /// The `operationId`.
                pub id: &'static str,
                /// The name the client's hooks receive for it
                /// (`OperationInfo::operation_id`); checked against the generated code
                /// when it is generated.
                pub hook_id: &'static str,
                /// The gateway's own method name in its logs.
                pub log_name: &'static str,
                /// Whether the operation changes state on the gateway.
                pub state_changing: bool,
                /// Whether sending it twice undoes the first.
                pub toggle: bool,
                /// Whether it starts, changes or ends an inspection of the agent it
                /// names: only these change the mode a client tracks for that agent.
                pub inspection: bool,
                /// Whether it counts against the gateway's overload budget: queue-device
                /// and agent-group queries, by default at most 5 per agent per 2 s.
                pub overload_budget: bool,
                /// How many agent entries its answer may legitimately hold.
                pub answer_entries: AnswerEntries,
                /// Whether a successful answer is a file, streamed rather than bounded
                /// (a failure is still the JSON answer).
                pub answers_file: bool,
            }

            /// How many agent entries an answer may legitimately hold
            /// (`x-answer-entries`): what a client's bound on its size derives from.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum AnswerEntries {
                /// No list of agents: a small answer.
                Few,
                /// At most this many agents, as documented.
                AtMost(u32),
                /// Up to every agent of the tenant.
                TenantAgents,
                /// Every agent of the tenant under each skill queue it serves.
                TenantAgentQueues,
            }

            #(#consts)*

            /// Every operation, in document order.
            pub const ALL: &[Operation] = &[#(#names),*];

            /// What each failure retcode means (`x-retcode-meanings`): code, meaning.
            pub const RETCODE_MEANINGS: &[(&str, &str)] = &[#((#codes, #words)),*];

            /// The operation with this `operationId`.
            pub fn by_id(id: &str) -> Option<&'static Operation> {
                ALL.iter().find(|op| op.id == id)
            }

            /// The operation whose requests the hooks see under this name
            /// (`OperationInfo::operation_id`), which is also the name of its builder
            /// method on `Client`. A `const fn`: used in a constant, an unknown name fails
            /// the build, so code that names a builder method gets its operation from that
            /// one name.
            pub const fn by_hook_id(hook_id: &str) -> Option<&'static Operation> {
                let mut i = 0;
                while i < ALL.len() {
                    if same_text(ALL[i].hook_id, hook_id) {
                        return Some(&ALL[i]);
                    }
                    i += 1;
                }
                None
            }

            const fn same_text(a: &str, b: &str) -> bool {
                let (a, b) = (a.as_bytes(), b.as_bytes());
                if a.len() != b.len() {
                    return false;
                }
                let mut i = 0;
                while i < a.len() {
                    if a[i] != b[i] {
                        return false;
                    }
                    i += 1;
                }
                true
            }
        }

        /// The `# Errors` section for the documentation of a method that sends the
        /// operation named by its constant in [`operations`], such as `errors_doc!(LISTEN)`:
        /// it lists the retcodes the document gives (`x-retcodes`), so that the
        /// documentation cannot drift from the document.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! errors_doc {
            #( (#names) => { #errors_docs }; )*
        }

    }
}

/// The documentation of an operation's constant: how it goes on the wire.
fn const_doc(f: &OperationFacts) -> String {
    let mut doc = format!(
        "`{} {}`, logged by the gateway as `{}`",
        f.method, f.path, f.log_name
    );
    if !f.log_name_verified {
        doc.push_str(" (a name the reference does not confirm)");
    }
    doc.push('.');
    if f.requires_guid {
        doc.push_str(" Sent with the session's `Guid` header.");
    }
    doc
}

/// The `# Errors` text of an operation, from its retcodes.
fn errors_doc(f: &OperationFacts) -> String {
    let mut doc = String::from("# Errors\n\n");
    if f.retcodes.is_empty() {
        doc.push_str("The reference lists no retcode of its own for this operation; ");
    } else {
        let codes: Vec<String> = f.retcodes.iter().map(|c| format!("`{c}`")).collect();
        doc.push_str(&format!(
            "The gateway refuses it with one of the retcodes the reference lists for `{}`: {}; ",
            f.log_name,
            codes.join(", ")
        ));
    }
    doc.push_str(
        "besides, like every request, it can fail to reach the gateway, time out, or get an \
         answer that is not the documented one.",
    );
    doc
}

#[cfg(test)]
mod tests {
    use super::{const_name, hook_id};

    #[test]
    fn hook_ids_are_snake_case() {
        assert_eq!(hook_id("pollEvent"), "poll_event");
        assert_eq!(
            hook_id("querySkillQueueOnAgentVDN"),
            "query_skill_queue_on_agent_vdn"
        );
    }

    #[test]
    fn const_names_are_upper_snake_case() {
        assert_eq!(const_name("switchListenInsert"), "SWITCH_LISTEN_INSERT");
        assert_eq!(const_name("insert"), "INSERT");
        assert_eq!(
            const_name("querySkillQueueOnAgentVDN"),
            "QUERY_SKILL_QUEUE_ON_AGENT_VDN"
        );
        assert_eq!(
            const_name("queryAllCallInfoByAgentWorkNoEx"),
            "QUERY_ALL_CALL_INFO_BY_AGENT_WORK_NO_EX"
        );
    }
}
