//! Builds the running service: keys, the shared platform (migrations, pool, audit), the
//! bootstrap admin, the HTTP server.

use crate::clients::stats::StatsClient;
use crate::config::Settings;
use crate::db::{login_attempts, revocations};
use crate::domain::passwords::Passwords;
use crate::domain::tokens;
use crate::domain::tokens::TokenIssuer;
use crate::routes;
use crate::routes::revocations::RevocationAccess;
use crate::usecases::SessionPolicy;
use crate::{MIGRATIONS, SERVICE_NAME};
use actix_web::web;
use common::auth::{Issuers, TokenVerifier};
use common::db::{DbPool, with_conn};
use common::lifecycle::{self, Lifecycle};
use common::platform::{Platform, Running, Service};
use common::signing_key::{self as signing_key, Signer};
use common::upstream::{Upstream, http_client};
use std::sync::Arc;
use std::time::Duration;

pub struct Application;

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Running> {
        let material = signing_key::load(&settings.tokens.signing_key, tokens::KEY_NAMES)?;
        let signer = Signer::load(
            &material,
            &settings.tokens.additional_public_keys,
            tokens::ACCESS_TOKEN_TYPE,
        )?;
        let issuer = TokenIssuer::new(
            signer,
            settings.issuer(),
            settings.tokens.audience.clone(),
            settings.tokens.access_ttl,
        );
        let verifier = TokenVerifier::from_keys(issuer.issuer(), issuer.published_keys())
            .with_issuers(Issuers::fixed([
                settings.issuer(),
                settings.previous_issuer(),
            ]))
            .with_audience(issuer.audience());

        let service = Service {
            name: SERVICE_NAME,
            migrations: MIGRATIONS,
            migration_lock_key: 0x6865_616c_0001,
            audited: routes::AUDITED,
            append_only: &[],
            openapi: <routes::ApiDoc as utoipa::OpenApi>::openapi(),
        };
        let (platform, pool) =
            Platform::bootstrap(service, &settings.database, &settings.audit).await?;
        let passwords = tokio::task::spawn_blocking(Passwords::new).await??;
        if let Some(admin) = &settings.bootstrap_admin {
            crate::usecases::bootstrap::ensure_admin(&pool, &passwords, admin).await?;
        }
        spawn_rate_limit_purge(pool.clone(), platform.lifecycle.clone());

        let http = http_client(settings.peers.timeout, settings.http.upstream_ca.as_deref())?;
        let stats = StatsClient {
            appointments: Upstream::new(
                "appointment-service",
                http.clone(),
                platform.metrics.clone(),
                &settings.peers.appointment_url,
            ),
            prescriptions: Upstream::new(
                "prescription-service",
                http,
                platform.metrics.clone(),
                &settings.peers.prescription_url,
            ),
        };
        let policy = SessionPolicy {
            refresh_ttl: settings.tokens.refresh_ttl,
            attempts: crate::usecases::password_attempts::AttemptLimits {
                budgets: settings.login_limits,
                portal_url: settings.notifications.portal_url.clone(),
            },
            sign_ups_per_address_per_minute: settings.register_rate_limit_per_address_per_minute,
            idempotency_secret: material.derived_secret("idempotency-fingerprint"),
            verification: crate::usecases::email_verification::VerificationPolicy {
                ttl: settings.email_verification_ttl,
                portal_url: settings.notifications.portal_url.clone(),
            },
        };
        let resets = crate::usecases::password_reset::ResetPolicy {
            ttl: settings.password_reset_ttl,
            max_per_hour: settings.password_reset_max_per_hour,
            portal_url: settings.notifications.portal_url.clone(),
        };

        spawn_revocation_reload(
            pool.clone(),
            verifier.revocations(),
            settings.revocation_refresh,
            platform.lifecycle.clone(),
        )
        .await;
        let revocation_access =
            web::Data::new(RevocationAccess(settings.revocations_token.clone()));
        crate::mailer::start(
            pool.clone(),
            settings.notifications.clone(),
            platform.lifecycle.clone(),
        )?;
        let notifications = web::Data::new(settings.notifications.clone());
        let pool = web::Data::new(pool);
        let passwords = web::Data::new(passwords);
        let issuer = web::Data::new(issuer);
        let verifier = web::Data::new(verifier);
        let policy = web::Data::new(policy);
        let resets = web::Data::new(resets);
        let stats = web::Data::new(stats);
        platform.serve(&settings.http, move |cfg| {
            cfg.app_data(pool.clone())
                .app_data(notifications.clone())
                .app_data(passwords.clone())
                .app_data(issuer.clone())
                .app_data(verifier.clone())
                .app_data(policy.clone())
                .app_data(resets.clone())
                .app_data(stats.clone())
                .app_data(revocation_access.clone())
                .configure(routes::config);
        })
    }
}

/// Loads the revocation list now, then what other replicas add every `every`: this
/// replica refuses revoked tokens as the other services do.
async fn spawn_revocation_reload(
    pool: DbPool,
    list: Arc<common::auth::revocations::Revocations>,
    every: Duration,
    lifecycle: Arc<Lifecycle>,
) {
    let reload = move || {
        let (pool, list) = (pool.clone(), list.clone());
        async move {
            let since = list.as_of().map(|at| at - chrono::Duration::seconds(5));
            match with_conn(&pool, move |conn| {
                Ok(revocations::changed_since(conn, since)?)
            })
            .await
            {
                Ok(changed) => list.apply(&changed),
                Err(e) => {
                    tracing::warn!(error = %e, "reloading revocations failed; keeping the list")
                }
            }
        }
    };
    reload().await;
    lifecycle::every(every, lifecycle, reload);
}

/// Drops ended rate-limit windows once a minute.
fn spawn_rate_limit_purge(pool: DbPool, lifecycle: Arc<Lifecycle>) {
    lifecycle::every(Duration::from_secs(60), lifecycle, move || {
        let pool = pool.clone();
        async move {
            if let Err(e) = with_conn(&pool, |conn| Ok(login_attempts::purge_expired(conn)?)).await
            {
                tracing::debug!(error = %e, "purging rate-limit windows skipped");
            }
        }
    });
}
