//! appointment-service, black-box: the real service in-process on port 0 against a fresh
//! database; auth-service runs for real where a test is about the call to it.

// Test helpers fail the test by panicking; that is their job.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

mod audit;
mod auth_calls;
mod booking;
mod calendar;
mod calendars;
mod changes;
mod concurrency;
mod directory;
mod event_stream;
mod events;
mod fhir;
mod helpers;
mod holds;
mod issuer;
mod late_cancellation;
mod listing;
mod notifications;
mod openapi;
mod overrides;
mod patient_names;
mod profiles;
mod slots;
mod suspended_doctors;
mod time_off;
mod upgrade;
mod waitlist;
