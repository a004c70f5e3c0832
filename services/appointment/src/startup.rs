//! Builds the running service: the shared platform (migrations, pool, audit), the token
//! verifier, the auth-service client, the calendar's upkeep pass, the HTTP server.

use crate::clients::auth::AuthClient;
use crate::config::Settings;
use crate::routes;
use crate::upkeep;
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
            migration_lock_key: 0x6865_616c_0002,
            audited: routes::AUDITED,
            append_only: &[],
            openapi: <routes::ApiDoc as utoipa::OpenApi>::openapi(),
        };
        let (platform, pool) =
            Platform::bootstrap(service, &settings.database, &settings.audit).await?;
        let http = http_client(
            settings.auth_service.timeout,
            settings.http.upstream_ca.as_deref(),
        )?;
        // Without these no patient mail leaves and cancelled visits keep their
        // prescriptions: said once, loudly, rather than found out from a patient.
        if settings.events.notifications.is_none() {
            tracing::warn!(
                "NOTIFICATIONS_WEBHOOK_SECRET is not set: appointment events do not reach auth-service, so no patient e-mail is sent"
            );
        }
        if settings.events.prescriptions.is_none() {
            tracing::warn!(
                "PRESCRIPTIONS_WEBHOOK_SECRET is not set: a cancelled or missed visit does not cancel its prescription"
            );
        }
        let verifier = web::Data::from(
            settings
                .tokens
                .start(http.clone(), platform.lifecycle.clone())
                .await,
        );
        let auth = web::Data::new(AuthClient(Upstream::new(
            "auth-service",
            http,
            platform.metrics.clone(),
            &settings.auth_service.url,
        )));
        upkeep::start(
            pool.clone(),
            settings.holds,
            platform.lifecycle.clone(),
            verifier.revocations(),
        );
        let webhooks = common::events::delivery::start_for(
            &pool,
            &settings.audit,
            settings.events.clone(),
            &platform,
        )
        .await?;
        let pool = web::Data::new(pool);
        let holds = web::Data::new(settings.holds);
        let references = web::Data::new(settings.fhir_references);
        let grace = web::Data::new(settings.cancellation_grace);
        crate::usecases::events::set_calendar_host(&settings.calendar.uid_host);
        let calendar = web::Data::new(settings.calendar.clone());
        let verification = web::Data::new(settings.email_verification);
        platform.serve(&settings.http, move |cfg| {
            cfg.app_data(pool.clone())
                .app_data(verification.clone())
                .app_data(holds.clone())
                .app_data(webhooks.clone())
                .app_data(verifier.clone())
                .app_data(auth.clone())
                .app_data(references.clone())
                .app_data(grace.clone())
                .app_data(calendar.clone())
                .configure(routes::config);
        })
    }
}
