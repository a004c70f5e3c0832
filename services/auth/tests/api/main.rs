//! auth-service, black-box: the real service in-process on port 0, a fresh database each.
// Test helpers fail the test by panicking; that is their job.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

mod analytics;
mod audit;
mod audit_tampering;
mod bootstrap;
mod email_verification;
mod fhir;
mod health;
mod helpers;
mod inbox;
mod jwks;
mod keys;
mod login;
mod openapi;
mod password_reset;
mod patient_details;
mod platform;
mod profile;
mod rate_limit;
mod register;
mod sessions;
mod token_attacks;
mod token_grant;
mod users;
mod vetting;
