//! prescription-service as a library, so integration tests run the real service in-process.
//! A request travels `routes/` (HTTP) -> `domain/` (rules) -> `db/` (SQL) or `clients/`.

pub mod clients;
pub mod config;
pub mod db;
pub mod domain;
pub mod routes;
pub mod startup;

pub use config::Settings;
pub use startup::Application;

pub const SERVICE_NAME: &str = "prescription-service";

pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("../../migrations/prescription");
