//! prescription-service's tables and the queries on them: sync diesel, called through `with_conn`.

pub mod dispenses;
pub mod models;
pub mod prescriptions;
pub mod signatures;
pub mod visits;
// `diesel print-schema` output, byte for byte (checked by `cargo xtask schema-check`).
#[rustfmt::skip]
pub mod schema;
