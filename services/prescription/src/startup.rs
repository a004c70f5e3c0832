//! Builds the running service: the shared platform (migrations, pool, audit), the token
//! verifier, the appointment-service client, the prescription signer (signing what was
//! written before it existed), the HTTP server.

use crate::clients::appointments::AppointmentClient;
use crate::config::Settings;
use crate::routes;
use crate::routes::inbox::InboxSecret;
use crate::usecases::signing;
use crate::{MIGRATIONS, SERVICE_NAME};
use actix_web::web;
use common::db::with_conn;
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
            append_only: &[
                "prescription_versions",
                "prescription_signatures",
                "prescription_dispenses",
            ],
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
        let signer = settings
            .signing
            .signer(signing::KEY_NAMES, signing::SIGNATURE_TYPE)?;
        let signer = web::Data::new(signer);
        let backfill = signer.clone();
        let signed = with_conn(&pool, move |conn| signing::sign_unsigned(conn, &backfill))
            .await
            .map_err(|e| anyhow::anyhow!("signing the versions written before signing: {e}"))?;
        if signed > 0 {
            tracing::info!(signed, "signed the versions written before signing existed");
        }
        let pool = web::Data::new(pool);
        let inbox = web::Data::new(InboxSecret(settings.inbox_secret.clone()));
        let references = web::Data::new(settings.fhir_references.clone());
        let verification = web::Data::new(settings.email_verification);
        platform.serve(&settings.http, move |cfg| {
            cfg.app_data(pool.clone())
                .app_data(verification.clone())
                .app_data(signer.clone())
                .app_data(inbox.clone())
                .app_data(webhooks.clone())
                .app_data(verifier.clone())
                .app_data(appointments.clone())
                .app_data(references.clone())
                .configure(routes::config);
        })
    }
}
