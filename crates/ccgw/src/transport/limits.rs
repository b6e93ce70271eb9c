//! How large an answer each operation may be. A limit protects the client from a hostile
//! or broken answer, not from a large tenant: an operation whose answer lists agents gets
//! a bound from what it may legitimately hold (the document's `x-answer-entries`: a
//! documented count, or the tenant's agents, or the tenant's agents under each queue they
//! serve) and the tenant's size; every other answer keeps the client's base limit.

use ccgw_api::operations::{ALL, AnswerEntries, Operation};

use crate::error::{Error, ErrorKind};

/// The most one agent's entry may take in an answer: its name, group and phone, and the
/// skill queues it serves. A real entry is about 300 bytes plus 40 per skill queue;
/// 4 KiB leaves room for about 90 queues per agent.
pub const AGENT_ENTRY_BOUND: usize = 4 * 1024;

/// How large a tenant (VDN) the client expects, from which the bounds of answers that list
/// agents derive: see [`ClientBuilder::tenant_size`](crate::ClientBuilder::tenant_size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantSize {
    agents: u32,
    queues_per_agent: u32,
}

impl TenantSize {
    /// The default: 10,000 agents each serving up to 4 skill queues, twice the floor of
    /// 5,000 agents this crate is built for. A larger tenant sets its own.
    pub const DEFAULT: TenantSize = TenantSize {
        agents: 10_000,
        queues_per_agent: 4,
    };

    /// A tenant of up to `agents` agents, each serving up to `queues_per_agent` skill
    /// queues (at least 1 each).
    pub fn new(agents: u32, queues_per_agent: u32) -> Self {
        TenantSize {
            agents: agents.max(1),
            queues_per_agent: queues_per_agent.max(1),
        }
    }

    /// How many agents.
    pub fn agents(&self) -> u32 {
        self.agents
    }

    /// How many skill queues each agent serves at most.
    pub fn queues_per_agent(&self) -> u32 {
        self.queues_per_agent
    }

    /// The most entries an answer of `entries` may hold in this tenant.
    fn entries(&self, entries: AnswerEntries) -> usize {
        let agents = self.agents as usize;
        match entries {
            AnswerEntries::Few => 0,
            AnswerEntries::AtMost(n) => n as usize,
            AnswerEntries::TenantAgents => agents,
            AnswerEntries::TenantAgentQueues => agents * self.queues_per_agent as usize,
        }
    }
}

impl Default for TenantSize {
    fn default() -> Self {
        TenantSize::DEFAULT
    }
}

/// The bound of `op`'s answers: `base` plus room for the agents it may list. An
/// operation that answers with a file has none here: it is streamed to disk, and the
/// download bounds it (`DownloadOptions::max_bytes`).
pub fn answer_limit(op: &Operation, base: usize, tenant: TenantSize) -> usize {
    if op.answers_file {
        return usize::MAX;
    }
    let entries = tenant.entries(op.answer_entries);
    base.saturating_add(entries.saturating_mul(AGENT_ENTRY_BOUND))
}

/// Every operation that lists agents with its bound, by the name the hooks receive.
pub(crate) fn listing_limits(
    base: usize,
    tenant: TenantSize,
) -> impl Iterator<Item = (&'static str, usize)> {
    ALL.iter()
        .filter(|op| op.answer_entries != AnswerEntries::Few || op.answers_file)
        .map(move |op| (op.hook_id, answer_limit(op, base, tenant)))
}

/// Says of an answer over its bound which operation, how large a bound, and what to do.
pub(crate) fn explain_too_large(
    e: Error,
    op: &Operation,
    base: usize,
    tenant: TenantSize,
) -> Error {
    if e.kind() != ErrorKind::AnswerTooLarge {
        return e;
    }
    let limit = answer_limit(op, base, tenant);
    let mib = limit as f64 / (1024.0 * 1024.0);
    let advice = match op.answer_entries {
        AnswerEntries::Few | AnswerEntries::AtMost(_) => {
            "no gateway answers this operation with that much: the answer is broken or not \
             from a gateway"
                .to_owned()
        }
        AnswerEntries::TenantAgents => format!(
            "the bound allows {} agents; for a larger tenant raise ClientBuilder::tenant_size \
             (ccgw: --tenant-agents), or ask for fewer with an agent filter or agents_by_id",
            tenant.agents
        ),
        AnswerEntries::TenantAgentQueues => format!(
            "the bound allows {} agents under {} skill queues each; this query repeats every \
             agent under every queue it serves: prefer agents_in_skill for the queues you \
             watch and agents_by_id for the rows you show, or raise \
             ClientBuilder::tenant_size (ccgw: --tenant-agents)",
            tenant.agents, tenant.queues_per_agent
        ),
    };
    Error::new(
        ErrorKind::AnswerTooLarge,
        format!("the answer is larger than this operation's bound of {mib:.1} MiB; {advice}"),
    )
    .reached(true)
    .with_operation(op.log_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccgw_api::operations::{
        DOWNLOAD_RECORDING, GET_AGENT_STATUS, QUERY_AGENT_INFO_BY_LIST,
        QUERY_AGENT_INFO_BY_SKILL_ID, QUERY_ALL_ONLINE_AGENTS,
    };

    const MIB: usize = 1024 * 1024;

    #[test]
    fn bounds_grow_with_what_an_operation_may_hold() {
        let tenant = TenantSize::DEFAULT;
        assert_eq!(answer_limit(&GET_AGENT_STATUS, MIB, tenant), MIB);
        assert_eq!(
            answer_limit(&QUERY_AGENT_INFO_BY_LIST, MIB, tenant),
            MIB + 100 * 4096
        );
        let skill = answer_limit(&QUERY_AGENT_INFO_BY_SKILL_ID, MIB, tenant);
        assert_eq!(skill, MIB + 10_000 * 4096);
        let all = answer_limit(&QUERY_ALL_ONLINE_AGENTS, MIB, tenant);
        assert_eq!(all, MIB + 4 * 10_000 * 4096);
        let large = TenantSize::new(60_000, 4);
        assert!(answer_limit(&QUERY_AGENT_INFO_BY_SKILL_ID, MIB, large) > 6 * skill / 2);
        let hooked: Vec<&str> = listing_limits(MIB, tenant).map(|(name, _)| name).collect();
        assert_eq!(hooked.len(), 4, "{hooked:?}");
        // A file is streamed to disk, bounded by the download itself.
        assert_eq!(answer_limit(&DOWNLOAD_RECORDING, MIB, tenant), usize::MAX);
    }

    #[test]
    fn an_answer_over_its_bound_says_which_operation_and_what_to_do() {
        let e = Error::new(ErrorKind::AnswerTooLarge, "too large");
        let e = explain_too_large(e, &QUERY_ALL_ONLINE_AGENTS, MIB, TenantSize::DEFAULT);
        let text = e.to_string();
        assert!(text.starts_with("queryAllOnlineAgents: "), "{text}");
        assert!(text.contains("157.2 MiB"), "{text}");
        assert!(text.contains("agents_in_skill"), "{text}");
        let other = Error::invalid_input("x");
        let same = explain_too_large(other, &QUERY_ALL_ONLINE_AGENTS, MIB, TenantSize::DEFAULT);
        assert_eq!(same.kind(), ErrorKind::InvalidInput);
    }
}
