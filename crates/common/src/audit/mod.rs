//! The audit trail: who read or changed which patient data, who was refused, who signed
//! in or failed to. Each service keeps its own append-only, hash-chained `audit_log`.
//!
//! - Writes record their event inside the write's own transaction (`store::append`).
//! - Reads and denials go through `AuditLog::submit`: buffered and inserted in batches
//!   about once a second (and on shutdown), so a read never waits for an audit write.
//!   The `capture` middleware submits them for the routes a service declares audited.
//! - A background sealer chains new events (each link an HMAC, under `AUDIT_KEY_FILE`, of
//!   the event and the previous link) under an advisory lock, off the request path, so
//!   replicas never contend on it, and checkpoints the head it reached (signed, logged).
//! - `GET /admin/audit` lists events; `GET /admin/audit/verify` checkpoints the head and
//!   recomputes the chain and every checkpoint.
//!
//! Never in an event: passwords, tokens, prescription contents. Events name resources by
//! type and id only.

mod buffer;
mod capture;
mod chain;
mod event;
mod key;
pub(crate) mod routes;
pub mod store;

pub use buffer::AuditLog;
pub use capture::{AuditedRoute, PatientOfRequest, capture};
pub use chain::{Chain, CheckpointRef, SEAL_BARRIER_KEY, Verification};
pub use event::{
    Action, AuditContext, AuditEvent, EventBuilder, Outcome, Resource, ReturnedIds, RouteVerb,
};
pub use key::{AuditKey, AuditKeySource, AuditSettings};
pub use routes::routes;
