//! appointment-service's tables and the queries on them: sync diesel, called through `with_conn`.

pub mod appointments;
pub mod calendar_feeds;
pub mod freed;
pub mod holds;
pub mod models;
pub mod overrides;
pub mod profiles;
// `diesel print-schema` output, byte for byte (checked by `cargo xtask schema-check`).
#[rustfmt::skip]
pub mod schema;
pub mod time_off;
pub mod waitlist;
