//! The options that say where to connect and as whom, shared by `ccgw console` and
//! `ccgw board`.

use std::path::PathBuf;

use serde::Deserialize;

/// The gateway edition, which decides the range of agent IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EditionArg {
    /// Agent IDs 101 to 59999.
    Classic,
    /// Agent IDs 101 to 999999.
    Newest,
}

/// Where to connect and as whom. Flags beat an explicitly named `--profile`, which beats
/// the environment (a variable the profile overrides is named in a warning).
#[derive(Debug, clap::Args)]
pub struct ConnectionArgs {
    /// The gateway, e.g. `https://gateway.example:8043` (`http://127.0.0.1:8043` for `ccgw sim`).
    /// Without the flag: the profile's, else CCGW_GATEWAY.
    #[arg(long, value_name = "URL")]
    pub gateway: Option<String>,
    /// The inspector's agent ID. Without the flag: the profile's, else CCGW_AGENT.
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,
    /// A profile of `<config dir>/ccgw/config.toml` (`[profiles.NAME]`: gateway, agent,
    /// phone, ca_cert (relative to the file's folder), edition, timeout, tenant_agents, queues, agents; never a
    /// password). Its values beat CCGW_GATEWAY and CCGW_AGENT.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// The phone number the inspector's audio rings on.
    #[arg(long, value_name = "NUM")]
    pub phone: Option<String>,
    /// Take the session over if the agent is already signed in elsewhere.
    #[arg(long)]
    pub force_login: bool,
    /// Also trust the CA certificate(s) in this PEM file.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// DANGEROUS: accept any TLS certificate. Anyone on the path can then read the password.
    #[arg(long)]
    pub danger_accept_invalid_certs: bool,
    /// INSECURE: allow a plain http:// gateway that is not on this machine (127.0.0.0/8,
    /// ::1, localhost need no flag). The password and every Guid then cross the network
    /// in clear text; CC-Gateway itself is HTTPS only.
    #[arg(long)]
    pub insecure_http: bool,
    /// Seconds to wait for each answer (default 10).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Seconds to wait for an event-poll answer before abandoning the poll as a dead
    /// link (default 30; the gateway holds a poll about 10 s).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub poll_timeout: Option<u64>,
    /// Sign in again when the gateway ends the session or the link stays dead (off by
    /// default: a second console could otherwise take the inspector back and forth).
    #[arg(long)]
    pub recover: bool,
    /// The gateway edition, which decides the agent-ID range (default classic).
    #[arg(long, value_enum)]
    pub edition: Option<EditionArg>,
    /// How many agents the tenant has at most (default 10000): answers that list agents
    /// may be as large as that many agents need, and no larger.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub tenant_agents: Option<u32>,
    /// Board: the skill queues to watch, e.g. `1,2,7` (default: every queue of the VDN).
    /// The board lists their agents and shows their statistics.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub queues: Option<Vec<ccgw::SkillId>>,
    /// Keep no audit journal. By default every state-changing request (listen, insert,
    /// force, intercept, ...) is recorded in CCGW_AUDIT, else `<state dir>/ccgw/audit.jsonl`:
    /// an intent line written and synced before it is sent (a request whose line cannot
    /// be written is refused, nothing sent), an outcome line after. Check it with
    /// `ccgw audit verify FILE`; see its help for what that can and cannot detect.
    #[arg(long)]
    pub no_audit: bool,
    /// Send each new head of the audit journal (line number and SHA-256, nothing about
    /// an agent or a call) to the system log, out of the inspector's reach: `syslog`
    /// (/dev/log), `syslog:///path/to/socket`, or `syslog+tcp://host:port`. Without an
    /// anchor, the journal's owner can rewrite it undetected.
    #[arg(long, value_name = "TARGET", env = "CCGW_AUDIT_ANCHOR")]
    pub audit_anchor: Option<ccgw::AuditAnchor>,
    /// Chain the journal's lines by HMAC-SHA-256 under the key in this file (the
    /// auditor's, private to its owner, never the inspector's password): only the key's
    /// holder can re-chain the journal. A journal is keyed from its first line or never.
    #[arg(long, value_name = "FILE", env = "CCGW_AUDIT_KEY")]
    pub audit_key: Option<PathBuf>,
    /// Board: agents to watch besides those of the watched queues, e.g. `1001,1002`.
    /// With `--agents` and no `--queues`, the board lists just these agents.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub agents: Option<Vec<String>>,
}
