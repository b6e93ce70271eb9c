//! The integration tests of the simulator, on the wire with a bare HTTP client.
//!
//! One test binary for the crate (each file a module), so that the test dependencies
//! are linked once.

mod common;

mod config;
mod contract;
mod events;
mod faults;
mod qc;
mod queries;
mod reference;
mod sessions;
mod shapes;
mod truth;
