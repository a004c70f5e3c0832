//! prescription-service's tables and the queries on them: sync diesel, called through `with_conn`.

pub mod models;
pub mod prescriptions;
pub mod schema;
