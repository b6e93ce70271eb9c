//! Which cryptography rustls uses.
//!
//! reqwest 0.13's own `rustls` feature brings `aws-lc-rs`, whose C library is built with
//! cmake and is the slowest part of a consumer's cold build. `ccgw` asks reqwest for rustls
//! without a provider and names one itself: `ring` by default, `aws-lc-rs` behind the
//! feature of that name (FIPS builds, speed, and post-quantum key exchange, which
//! rustls's `ring` provider lacks: rustls has marked it deprecated for that since 0.23.48).

/// Makes the cryptography this build of `ccgw` was compiled with rustls's process-wide
/// default, unless the program already chose one. Returns `true` when it installed it.
///
/// [`ClientBuilder::build`](crate::ClientBuilder::build) calls it, so a program that only
/// uses `ccgw` never needs to. A program that builds its own reqwest clients with
/// rustls in the same process (reqwest's `rustls-no-provider` feature, as `ccgw` uses)
/// calls it first, or installs a provider of its choice with
/// `rustls::crypto::CryptoProvider::install_default`; `ccgw` then uses that one.
///
/// With only the `native-tls` feature it does nothing and returns `false`.
pub fn install_tls_provider() -> bool {
    #[cfg(feature = "aws-lc-rs")]
    {
        rustls::crypto::aws_lc_rs::default_provider()
            .install_default()
            .is_ok()
    }
    #[cfg(all(feature = "rustls", not(feature = "aws-lc-rs")))]
    {
        // rustls 0.23.48 marks ring's provider deprecated: it has no post-quantum key
        // exchange. It stays the default for the cold build; `aws-lc-rs` brings it.
        #[allow(deprecated)]
        rustls::crypto::ring::default_provider()
            .install_default()
            .is_ok()
    }
    #[cfg(not(feature = "rustls"))]
    {
        false
    }
}
