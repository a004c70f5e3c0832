//! Builds the running service: the shared platform (migrations, pool, audit), the token
//! verifier, the appointment-service client, the HTTP server.

use crate::clients::appointments::AppointmentClient;
use crate::config::Settings;
use crate::routes;
use crate::{MIGRATIONS, SERVICE_NAME};
use actix_web::web;
use common::platform::{Platform, Running, Service};
use common::upstream::{Upstream, http_client};

pub struct Application;

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Running> {
        let service = Service {
            name: SERVICE_NAME,
            migrations: MIGRATIONS,
            migration_lock_key: 0x6865_616c_0003,
            audited: routes::AUDITED,
            append_only: &["prescription_versions"],
            openapi: <routes::ApiDoc as utoipa::OpenApi>::openapi(),
        };
        let (platform, pool) =
            Platform::bootstrap(service, &settings.database, &settings.audit).await?;
        let http = http_client(
            settings.appointment_service.timeout,
            settings.http.upstream_ca.as_deref(),
        )?;
        let verifier = web::Data::from(
            settings
                .tokens
                .start(http.clone(), platform.lifecycle.clone())
                .await,
        );
        let appointments = web::Data::new(AppointmentClient(Upstream::new(
            "appointment-service",
            http,
            platform.metrics.clone(),
            &settings.appointment_service.url,
        )));
        let webhooks = common::events::delivery::start_for(
            &pool,
            &settings.audit,
            settings.events.clone(),
            &platform,
        )
        .await?;
        let pool = web::Data::new(pool);
        platform.serve(&settings.http, move |cfg| {
            cfg.app_data(pool.clone())
                .app_data(webhooks.clone())
                .app_data(verifier.clone())
                .app_data(appointments.clone())
                .configure(routes::config);
        })
    }
}
