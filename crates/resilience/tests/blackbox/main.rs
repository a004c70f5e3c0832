//! The black-box suite: real service binaries started by the harness, observed only
//! through HTTP, their logs and their databases. `cargo xtask test` builds the binaries first.

// A failed expectation should fail the test loudly, which is what a panic does here.
#![expect(
    clippy::unwrap_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

mod analytics;
mod audit_copy;
mod bad_input;
mod deploy_secrets;
mod faults;
mod first_run;
mod fuzzing;
mod mail;
mod races;
mod seeding;
mod tokens;
mod walkthrough;
