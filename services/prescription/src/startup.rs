//! Builds the running service: migrations, pool, token verifier, appointment client, HTTP server.

use crate::clients::appointments::AppointmentClient;
use crate::config::Settings;
use crate::routes;
use crate::{MIGRATIONS, SERVICE_NAME};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use common::db::{build_pool, run_migrations, with_conn};
use common::lifecycle::{self, Lifecycle};
use common::platform::Platform;
use common::{error, idempotency, middleware};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Serializes migrations of replicas starting together (any constant unique to the service).
const MIGRATION_LOCK_KEY: i64 = 0x6865_616c_0003;

pub struct Application {
    port: u16,
    server: Server,
    platform: Platform,
    drain: Duration,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
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
        spawn_housekeeping(pool.clone(), platform.lifecycle.clone());

        let http = reqwest::Client::builder()
            .timeout(settings.appointment_service.timeout)
            .build()
            .context("building the HTTP client")?;
        let verifier = settings.tokens.build(http.clone()).await;
        let appointments = AppointmentClient::new(
            http,
            platform.metrics.clone(),
            &settings.appointment_service.url,
        );

        let listener = TcpListener::bind((settings.http.host, settings.http.port))
            .with_context(|| format!("binding {}:{}", settings.http.host, settings.http.port))?;
        let port = listener.local_addr()?.port();
        let pool = web::Data::new(pool);
        let verifier = web::Data::new(verifier);
        let appointments = web::Data::new(appointments);
        let cors_origins = settings.http.cors_allowed_origins.clone();
        let app_platform = platform.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(common::audit::capture))
                .wrap(from_fn(middleware::request_context))
                .wrap(common::cors::policy(&cors_origins))
                .configure(|cfg| app_platform.configure(cfg))
                .app_data(pool.clone())
                .app_data(verifier.clone())
                .app_data(appointments.clone())
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

    /// Stops the server from outside (tests of several instances).
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

/// Drops expired idempotency keys once a minute.
fn spawn_housekeeping(pool: common::db::DbPool, lifecycle: Arc<Lifecycle>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = lifecycle.stopping() => break,
            }
            if let Err(e) = with_conn(&pool, |conn| Ok(idempotency::purge_expired(conn)?)).await {
                tracing::debug!(error = %e, "housekeeping skipped");
            }
        }
    });
}
