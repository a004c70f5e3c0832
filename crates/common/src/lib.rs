//! What every service shares: typed ids and roles, access-token verification, the
//! problem+json error envelope and request validation, configuration helpers, telemetry
//! and middleware, the connection pool, migrations and idempotency keys, and the startup
//! and upstream client every service runs.
//!
//! What never belongs here: any service's tables or business rules. A service's data and
//! rules live in that service; only wire-level facts shared by all three live in this crate.

pub mod audit;
pub mod auth;
pub mod body_deadline;
pub mod calendar;
pub mod client_address;
pub mod config;
pub mod contracts;
pub mod cors;
pub mod db;
pub mod error;
pub mod events;
pub mod fhir;
pub mod head;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod idle_connections;
pub mod ids;
pub mod lifecycle;
pub mod metrics;
pub mod middleware;
pub mod negotiation;
pub mod openapi;
pub mod platform;
pub mod problem_responses;
pub mod role;
pub mod secret_file;
pub mod signing_key;
pub mod sqlstate;
/// The tables common owns the code of, as `diesel print-schema` prints them (checked by
/// `cargo xtask schema-check`); each service's migrations create them.
#[rustfmt::skip]
pub mod schema;
pub mod telemetry;
pub mod tls;
pub mod upstream;
pub mod validation;

pub use error::{ApiError, FieldError};
pub use ids::UserId;
pub use role::Role;
