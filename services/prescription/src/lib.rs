//! prescription-service as a library, so integration tests run the real service in-process.
//! A request travels `routes/` (HTTP) -> `usecases/` (transaction, audit) -> `domain/`
//! (rules) and `db/` (SQL) or `clients/`; `pdf` lays out the printed page.

pub mod clients;
pub mod config;
pub mod db;
pub mod domain;
pub mod pdf;
pub mod routes;
pub mod startup;
pub mod usecases;

pub use config::Settings;
pub use startup::Application;

pub const SERVICE_NAME: &str = "prescription-service";

pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("../../migrations/prescription");
