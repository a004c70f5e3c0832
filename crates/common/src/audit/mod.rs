//! The audit trail: who read or changed which patient data, who was refused, who signed
//! in or failed to. Each service keeps its own append-only, hash-chained `audit_log`.
//!
//! - Writes record their event inside the write's own transaction (`store::append`).
//! - Reads and denials go through `AuditLog::submit`: buffered and inserted in batches
//!   about once a second (and on shutdown), so a read never waits for an audit write.
//!   The `capture` middleware submits them for the routes a service declares audited.
//! - A background sealer chains new events (each hash covers the event and the previous
//!   hash) under an advisory lock, off the request path, so replicas never contend on it.
//! - `GET /admin/audit` lists events; `GET /admin/audit/verify` recomputes the chain.
//!
//! Never in an event: passwords, tokens, prescription contents. Events name resources by
//! type and id only.

mod buffer;
mod capture;
mod chain;
mod event;
pub(crate) mod routes;
pub mod store;

pub use buffer::AuditLog;
pub use capture::{AuditedRoute, PatientOfRequest, capture};
pub use chain::{SEAL_BARRIER_KEY, Verification, seal_pending, verify};
pub use event::{Action, AuditContext, AuditEvent, EventBuilder, Outcome, Resource, RouteVerb};
pub use routes::routes;
