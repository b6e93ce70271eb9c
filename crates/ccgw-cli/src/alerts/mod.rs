//! Alerts: rules from the settings file evaluated on what the board or `ccgw watch`
//! learns ([`rules`]), and their delivery to a webhook ([`webhook`]).

pub mod rules;
pub mod storm;
pub mod webhook;

#[cfg(test)]
mod living_floor_tests;

pub use rules::{AgentSample, Alerts, Change, Rules};
