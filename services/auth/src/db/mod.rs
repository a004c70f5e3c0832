//! auth-service's tables and the queries on them: sync diesel, called through `with_conn`.

pub mod email_verifications;
pub mod login_attempts;
pub mod models;
pub mod notifications;
pub mod password_resets;
pub mod refresh_tokens;
pub mod revocations;
pub mod sign_ins;
// `diesel print-schema` output, byte for byte (checked by `cargo xtask schema-check`).
#[rustfmt::skip]
pub mod schema;
pub mod users;
