//! prescription-service, black-box: the real service in-process on port 0 against a fresh
//! database, with a real appointment-service beside it (stopped or stalled for fault tests).

// Test helpers fail the test by panicking; that is their job.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

mod across_services;
mod amendments;
mod audit;
mod cancelled_visits;
mod create;
mod dispensing;
mod duplicates;
mod events;
mod faults;
mod fhir;
mod helpers;
mod lifecycle;
mod medicines;
mod names;
mod openapi;
mod printing;
mod privileges;
mod reading;
mod signatures;
mod tls;
