//! appointment-service's tables and the queries on them: sync diesel, called through `with_conn`.

pub mod appointments;
pub mod models;
pub mod profiles;
pub mod schema;
