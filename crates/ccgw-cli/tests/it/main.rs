//! The integration tests of the `ccgw` binary, run as a process (in pseudo-terminals where a person would type).
//!
//! One test binary for the crate (each file a module), so that the test dependencies
//! are linked once.

// The tests print notes for the person running them; stdio.rs is the programs'.
#![allow(clippy::disallowed_macros)]

mod common;

mod audit;
mod audit_anchors;
mod board;
mod board_actions;
mod board_ways_out;
mod console;
mod console_queries;
mod exit_paths;
mod https;
mod interactive;
mod operations_tools;
mod probe;
mod recording;
mod redaction;
mod settings;
mod side_doors;
mod watch;
mod ways_out;
