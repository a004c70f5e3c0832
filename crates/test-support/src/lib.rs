//! Test support, a dev-dependency only: a fresh PostgreSQL database per test, an Ed25519
//! key that test services trust, tokens minted with it, and opt-in test logging.

// A failed setup step should fail the test loudly, which is what a panic does here.
#![expect(
    clippy::expect_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

pub mod api;
pub mod dates;
pub mod db;
pub mod fhir;
pub mod ics;
pub mod jwt;
pub mod nats;
pub mod openapi;
pub mod python;
pub mod serve;
pub mod smtp_sink;
pub mod tls;
pub mod webhook_receiver;

/// Installs a log subscriber once; prints only when `TEST_LOG` is set, so passing tests
/// stay quiet and a failing one can be rerun with logs.
pub fn init_tracing() {
    if std::env::var_os("TEST_LOG").is_some() {
        common::telemetry::init_tracing(common::config::LogFormat::Text);
    }
}
