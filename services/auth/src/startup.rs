//! Builds the running service: keys, migrations, pool, bootstrap admin, HTTP server.

use crate::clients::stats::StatsClient;
use crate::config::{BootstrapAdmin, Settings};
use crate::db::models::NewUser;
use crate::db::{login_attempts, users};
use crate::domain::account::{Email, check_password};
use crate::domain::passwords::Passwords;
use crate::domain::signing_key;
use crate::domain::tokens::TokenIssuer;
use crate::routes::{self, SessionPolicy};
use crate::{MIGRATIONS, SERVICE_NAME};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use common::auth::TokenVerifier;
use common::db::{DbPool, build_pool, run_migrations, with_conn};
use common::lifecycle::{self, Lifecycle};
use common::platform::Platform;
use common::{ApiError, Role, UserId, error, idempotency, middleware};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Serializes migrations of replicas starting together (any constant unique to the service).
const MIGRATION_LOCK_KEY: i64 = 0x6865_616c_0001;

pub struct Application {
    port: u16,
    server: Server,
    platform: Platform,
    drain: Duration,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let material = signing_key::load(&settings.tokens.signing_key)?;
        let retired = settings
            .tokens
            .additional_public_keys
            .iter()
            .map(|path| signing_key::load_public(path))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let issuer = TokenIssuer::new(
            &material,
            retired,
            settings.tokens.issuer.clone(),
            settings.tokens.access_ttl,
        )?;
        let verifier = TokenVerifier::from_keys(issuer.issuer(), issuer.published_keys());

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
        let passwords = tokio::task::spawn_blocking(Passwords::new).await??;
        if let Some(admin) = &settings.bootstrap_admin {
            ensure_bootstrap_admin(&pool, &passwords, admin).await?;
        }
        let platform = Platform::new(SERVICE_NAME)
            .with_audit(pool.clone(), routes::AUDITED)
            .with_openapi(<routes::ApiDoc as utoipa::OpenApi>::openapi());
        spawn_housekeeping(pool.clone(), platform.lifecycle.clone());

        let http = reqwest::Client::builder()
            .timeout(settings.peers.timeout)
            .build()
            .context("building the HTTP client")?;
        let stats = StatsClient::new(
            http,
            platform.metrics.clone(),
            settings.peers.appointment_url.clone(),
            settings.peers.prescription_url.clone(),
        );
        let policy = SessionPolicy {
            refresh_ttl: settings.tokens.refresh_ttl,
            login_rate_limit_per_minute: settings.login_rate_limit_per_minute,
            idempotency_secret: material.derived_secret("idempotency-fingerprint"),
        };

        let listener = TcpListener::bind((settings.http.host, settings.http.port))
            .with_context(|| format!("binding {}:{}", settings.http.host, settings.http.port))?;
        let port = listener.local_addr()?.port();
        let pool = web::Data::new(pool);
        let passwords = web::Data::new(passwords);
        let issuer = web::Data::new(issuer);
        let verifier = web::Data::new(verifier);
        let policy = web::Data::new(policy);
        let stats = web::Data::new(stats);
        let cors_origins = settings.http.cors_allowed_origins.clone();
        let app_platform = platform.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(common::audit::capture))
                .wrap(from_fn(middleware::request_context))
                .wrap(common::cors::policy(&cors_origins))
                .configure(|cfg| app_platform.configure(cfg))
                .app_data(pool.clone())
                .app_data(passwords.clone())
                .app_data(issuer.clone())
                .app_data(verifier.clone())
                .app_data(policy.clone())
                .app_data(stats.clone())
                .configure(routes::config)
                .default_service(web::to(error::route_not_found))
        })
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(settings.http.shutdown_timeout.as_secs());
        if let Some(workers) = settings.http.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            platform,
            drain: settings.http.drain_period,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from outside (tests that take auth-service down).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Begins the graceful shutdown a SIGTERM would (for tests).
    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.platform.lifecycle.clone()
    }

    /// The shared parts (metrics, audit trail), for tests that flush the audit buffer.
    pub fn platform(&self) -> Platform {
        self.platform.clone()
    }

    /// Serves until SIGTERM or Ctrl-C: readiness fails first, then the listener closes
    /// and in-flight requests finish (bounded).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served =
            lifecycle::serve(self.server, self.platform.lifecycle.clone(), self.drain).await;
        self.platform.close().await;
        served
    }
}

/// Creates the first admin if no account has that email yet. Replicas starting together
/// may race; the unique index lets one win and the others find it.
async fn ensure_bootstrap_admin(
    pool: &DbPool,
    passwords: &Passwords,
    admin: &BootstrapAdmin,
) -> anyhow::Result<()> {
    let email = Email::parse(admin.email.clone())
        .map_err(|e| anyhow::anyhow!("BOOTSTRAP_ADMIN_EMAIL {e}"))?;
    let password = check_password(admin.password.expose().to_owned())
        .map_err(|e| anyhow::anyhow!("BOOTSTRAP_ADMIN_PASSWORD {e}"))?;
    let normalized = email.normalized();
    let existing = with_conn(pool, move |conn| {
        Ok(users::find_by_email(conn, &normalized)?)
    })
    .await?;
    if existing.is_some() {
        return Ok(());
    }
    let hash = passwords.hash(password).await?;
    let created = with_conn(pool, move |conn| {
        let inserted = users::insert(
            conn,
            &NewUser {
                id: UserId::new(),
                email: email.as_str(),
                password_hash: &hash,
                role: Role::Admin,
                first_name: "Bootstrap",
                last_name: "Admin",
            },
        );
        match inserted {
            Ok(user) => Ok(Some(user)),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Ok(None),
            Err(e) => Err(ApiError::from(e)),
        }
    })
    .await?;
    if let Some(user) = created {
        tracing::info!(user_id = %user.id, "bootstrap admin created");
    }
    Ok(())
}

/// Drops expired rate-limit windows and idempotency keys once a minute.
fn spawn_housekeeping(pool: DbPool, lifecycle: Arc<Lifecycle>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = lifecycle.stopping() => break,
            }
            let purged = with_conn(&pool, |conn| {
                Ok(login_attempts::purge_expired(conn)? + idempotency::purge_expired(conn)?)
            })
            .await;
            if let Err(e) = purged {
                tracing::debug!(error = %e, "housekeeping skipped");
            }
        }
    });
}
