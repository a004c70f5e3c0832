//! Builds the running service: migrations, pool, token verifier, appointment client, HTTP server.

use crate::clients::appointments::AppointmentClient;
use crate::config::Settings;
use crate::routes;
use crate::{MIGRATIONS, SERVICE_NAME};
use actix_web::web;
use anyhow::Context;
use common::db::{build_pool, run_migrations};
use common::idempotency;
use common::platform::{Platform, Running};
use std::time::Duration;

/// Serializes migrations of replicas starting together (any constant unique to the service).
const MIGRATION_LOCK_KEY: i64 = 0x6865_616c_0003;

pub struct Application;

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Running> {
        let url = settings.database.url.clone();
        tokio::task::spawn_blocking(move || {
            run_migrations(
                &url,
                MIGRATIONS,
                MIGRATION_LOCK_KEY,
                Duration::from_secs(30),
            )
        })
        .await??;
        let pool = build_pool(&settings.database);
        let platform = Platform::new(SERVICE_NAME)
            .with_audit(pool.clone(), routes::AUDITED)
            .with_openapi(<routes::ApiDoc as utoipa::OpenApi>::openapi());
        idempotency::spawn_purge(pool.clone(), platform.lifecycle.clone());

        let http = reqwest::Client::builder()
            .timeout(settings.appointment_service.timeout)
            .build()
            .context("building the HTTP client")?;
        let verifier = web::Data::from(
            settings
                .tokens
                .start(http.clone(), platform.lifecycle.clone())
                .await,
        );
        let appointments = web::Data::new(AppointmentClient::new(
            http,
            platform.metrics.clone(),
            &settings.appointment_service.url,
        ));
        let pool = web::Data::new(pool);
        platform.serve(&settings.http, move |cfg| {
            cfg.app_data(pool.clone())
                .app_data(verifier.clone())
                .app_data(appointments.clone())
                .configure(routes::config);
        })
    }
}
