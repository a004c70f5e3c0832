//! Builds the running service: migrations, pool, token verifier, auth client, HTTP server.

use crate::clients::auth::AuthClient;
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
const MIGRATION_LOCK_KEY: i64 = 0x6865_616c_0002;

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
            .timeout(settings.auth_service.timeout)
            .build()
            .context("building the HTTP client")?;
        let verifier = web::Data::from(
            settings
                .tokens
                .start(http.clone(), platform.lifecycle.clone())
                .await,
        );
        let auth = web::Data::new(AuthClient::new(
            http,
            platform.metrics.clone(),
            &settings.auth_service.url,
        ));
        let pool = web::Data::new(pool);
        platform.serve(&settings.http, move |cfg| {
            cfg.app_data(pool.clone())
                .app_data(verifier.clone())
                .app_data(auth.clone())
                .configure(routes::config);
        })
    }
}
