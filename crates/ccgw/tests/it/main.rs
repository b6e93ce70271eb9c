//! The integration tests of `ccgw`, against the simulator over loopback HTTP.
//!
//! One test binary for the crate (each file a module), so that the test dependencies
//! are linked once.

mod common;

mod audit_journal;
mod broken_answers;
mod dead_links;
mod download_limits;
mod errors;
mod events_and_rotation;
mod faults;
mod http_settings;
mod large_tenant;
mod living_floor;
mod never_orphaned;
mod operations;
mod overload_budget;
mod proptest_decoder_and_ids;
mod queries;
mod real_gateways;
mod recordings;
mod recovery;
mod redaction;
mod request_logs;
mod serde_feature;
mod side_doors;
mod sign_out_in_call;
mod telemetry;
mod tls;
mod toggle_safety;
mod tolerant_reader;
mod variant_corpus;
