//! `ccgw sim`: the simulator as a process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ccgw_sim::{SimConfig, Simulator};

/// Options of `ccgw sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8043")]
    listen: SocketAddr,
    /// A TOML or JSON file describing tenants, agents and timings.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The password of every agent (overrides the file).
    #[arg(long, value_name = "P")]
    password: Option<String>,
    /// Dynamic authentication (AUTHMODE 2): rotate the Guid on every event-poll answer.
    #[arg(long)]
    dynamic_auth: bool,
    /// With --dynamic-auth: how long a replaced Guid stays valid, in milliseconds
    /// (default 0: refused at once, as the reference asks clients to switch at once).
    #[arg(long, value_name = "MS", requires = "dynamic_auth")]
    guid_grace_ms: Option<u64>,
    /// Answer as real gateways do where they differ from the reference: GBK answers,
    /// Chinese agent names, NUL-padded event strings, polls without an `event` key,
    /// `Set-GUID` on every answer (overrides the file).
    #[arg(long)]
    quirks: bool,
    /// Also send the events older simulators made up, which the reference does not list
    /// (after an intercept, a forced state or a forced release): for old demos only.
    #[arg(long)]
    invented_events: bool,
    /// Refuse a sign-out (100-010) while the inspector is in a call or an inspection, as
    /// some gateways may (the reference lists the code without saying when).
    #[arg(long)]
    refuse_sign_out_in_call: bool,
    /// Answer in the shapes a `ccgw probe --report` file saw on a real gateway: its
    /// charsets, missing and extra fields, numbers as text, other types, NUL padding.
    #[arg(long, value_name = "FILE")]
    shapes: Option<std::path::PathBuf>,
    /// One large tenant instead of the default ones: VDN 1 with inspector 101 and this
    /// many agents (from 1001; from 100001 past the classic edition's range, which needs
    /// `--edition newest` in the console and board), each on a call.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=899_999))]
    agents: Option<u32>,
    /// A floor that lives: calls arrive, queue, are answered and end, agents wrap up and
    /// rest, at this level (default: a still floor where every agent talks).
    #[arg(long, value_enum)]
    traffic: Option<TrafficArg>,
    /// With `--traffic`: the seed of every random choice (the same seed, the same floor).
    #[arg(long, value_name = "N", requires = "traffic", default_value_t = 1)]
    seed: u64,
    /// With `--agents`: how many skill queues (default 20). Every agent serves queue 1
    /// and two others in turn.
    #[arg(long, value_name = "N", requires = "agents", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    queues: Option<u32>,
}

/// How busy a living floor is.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TrafficArg {
    /// Agents idle between calls.
    Calm,
    /// Most agents talk; queues form now and then.
    Busy,
    /// More callers than the floor can answer.
    Surge,
}

impl From<TrafficArg> for ccgw_sim::Traffic {
    fn from(level: TrafficArg) -> Self {
        match level {
            TrafficArg::Calm => ccgw_sim::Traffic::Calm,
            TrafficArg::Busy => ccgw_sim::Traffic::Busy,
            TrafficArg::Surge => ccgw_sim::Traffic::Surge,
        }
    }
}

/// The floor `ccgw board --sim` and `ccgw demo` watch: busy, seeded, on real time.
pub fn lively() -> SimConfig {
    SimConfig::default().traffic(ccgw_sim::Traffic::Busy, 1)
}

/// Serves until Ctrl-C, SIGTERM or SIGHUP, then stops cleanly.
pub async fn run(args: SimArgs) -> ExitCode {
    let mut config = match &args.config {
        Some(path) => match SimConfig::from_file(path) {
            Ok(config) => config,
            Err(e) => {
                errln!("ccgw sim: {e}");
                return ExitCode::from(2);
            }
        },
        None => SimConfig::default(),
    };
    if let Some(level) = args.traffic {
        config = config.traffic(level.into(), args.seed);
    }
    if let Some(agents) = args.agents {
        config = config.large_tenant(agents, args.queues.unwrap_or(20));
    }
    if let Some(password) = args.password {
        config = config.password(password);
    }
    if args.dynamic_auth {
        config = config.dynamic_auth(true);
    }
    if let Some(ms) = args.guid_grace_ms {
        config = config.guid_grace(std::time::Duration::from_millis(ms));
    }
    if args.quirks {
        config = config.quirks(true);
    }
    if args.invented_events {
        config = config.invented_events(true);
    }
    if args.refuse_sign_out_in_call {
        config = config.refuse_sign_out_in_call(true);
    }
    if let Some(path) = &args.shapes {
        match ccgw_sim::shapes::ShapeProfile::from_file(path) {
            Ok(profile) => config = config.shapes(profile),
            Err(e) => {
                errln!("ccgw sim: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let announce_password = config
        .is_default_password()
        .then(|| config.password.clone());
    let inspectors: Vec<String> = config
        .vdns
        .iter()
        .flat_map(|v| v.inspectors.clone())
        .collect();
    let sim = match Simulator::start_on(config, args.listen).await {
        Ok(sim) => sim,
        Err(e) => {
            errln!("ccgw sim: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    errln!("CC-Gateway simulator listening on {}", sim.base_url());
    errln!("inspectors: {}", inspectors.join(", "));
    if let Some(password) = announce_password {
        errln!("every agent's password is the built-in default: {password}");
    }
    errln!("press Ctrl-C to stop");
    match crate::signals::Signals::register() {
        Ok(mut signals) => {
            let signal = signals.any().await;
            errln!("{signal}: stopping");
        }
        Err(e) => {
            errln!("cannot watch for SIGTERM ({e}); Ctrl-C stops");
            let _ = tokio::signal::ctrl_c().await;
            errln!("stopping");
        }
    }
    sim.shutdown().await;
    ExitCode::SUCCESS
}

/// A simulator in this process and the connection of its inspector 101, for `ccgw board
/// --sim`.
pub async fn embedded() -> Result<(ccgw_sim::RunningSim, crate::connect::Connection), String> {
    let config = lively().poll_wait(std::time::Duration::from_millis(500));
    let sim = Simulator::start(config)
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let client = ccgw::Client::builder(sim.base_url())
        .build()
        .map_err(|e| e.to_string())?;
    let agent = client.agent_id("101").map_err(|e| e.to_string())?;
    let request = ccgw::SignIn::new(agent, ccgw_sim::DEFAULT_PASSWORD).phone("70001");
    let settings = crate::connect::Settings {
        gateway: sim.base_url(),
        agent: "101".to_owned(),
        phone: "70001".to_owned(),
        ca_cert: None,
        edition: crate::connect::EditionArg::Classic,
        timeout_secs: 10,
        tenant_agents: None,
        watch: crate::connect::Watch::default(),
    };
    let connection = crate::connect::Connection {
        client,
        request,
        settings,
    };
    Ok((sim, connection))
}
