//! What every service's app has besides its own routes: extractor error handling, the
//! service name, metrics, the shutdown lifecycle, and `/health`, `/health/ready`, `/metrics`.

use crate::config::HttpSettings;
use crate::health::ServiceName;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use actix_web::web;
use std::sync::Arc;

#[derive(Clone)]
pub struct Platform {
    pub name: &'static str,
    pub metrics: web::Data<Metrics>,
    pub lifecycle: Arc<Lifecycle>,
    pub audit: Option<Audit>,
    pub openapi: Option<utoipa::openapi::OpenApi>,
}

/// The audit trail of a service and the routes whose reads and denials it records.
#[derive(Clone)]
pub struct Audit {
    pub log: web::Data<crate::audit::AuditLog>,
    pub routes: web::Data<Vec<crate::audit::AuditedRoute>>,
}

impl Platform {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            metrics: web::Data::new(Metrics::new()),
            lifecycle: Arc::new(Lifecycle::default()),
            audit: None,
            openapi: None,
        }
    }

    /// Serves `api` (with the platform's own paths merged in) at `/openapi.json`, and
    /// Swagger UI, from assets inside the binary, at `/docs/`.
    pub fn with_openapi(mut self, api: utoipa::openapi::OpenApi) -> Self {
        self.openapi = Some(crate::openapi::document(api));
        self
    }

    /// Starts the audit writer and sealer on `pool`; `GET /admin/audit` and
    /// `/admin/audit/verify` are served from then on.
    pub fn with_audit(
        mut self,
        pool: crate::db::DbPool,
        key: crate::audit::AuditKey,
        routes: &[crate::audit::AuditedRoute],
    ) -> Self {
        self.audit = Some(Audit {
            log: web::Data::new(crate::audit::AuditLog::start(
                pool,
                crate::audit::Chain::new(key),
                self.metrics.clone(),
                self.lifecycle.clone(),
            )),
            routes: web::Data::new(routes.to_vec()),
        });
        self
    }

    /// After the server has stopped: flush and seal the audit trail.
    pub async fn close(&self) {
        if let Some(audit) = &self.audit {
            audit.log.close().await;
        }
    }

    /// Registers the shared app data and routes; call from the `App` factory.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        crate::error::register_extractor_configs(cfg);
        cfg.app_data(web::Data::new(ServiceName(self.name)))
            .app_data(self.metrics.clone())
            .app_data(web::Data::from(self.lifecycle.clone()));
        crate::health::routes(cfg);
        if let Some(audit) = &self.audit {
            cfg.app_data(audit.log.clone())
                .app_data(audit.routes.clone())
                .configure(crate::audit::routes);
        }
        if let Some(api) = &self.openapi {
            // Before Swagger UI's catch-all, so this start script is the one served.
            cfg.route(
                "/docs/swagger-initializer.js",
                web::get().to(crate::openapi::swagger_initializer),
            )
            .service(
                utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api.clone()),
            )
            .route("/docs", web::get().to(redirect_to_docs));
        }
    }
}

/// What `Platform::bootstrap` needs to know of a service.
pub struct Service {
    pub name: &'static str,
    pub migrations: diesel_migrations::EmbeddedMigrations,
    /// Serializes migrations of replicas starting together (any constant unique to the
    /// service).
    pub migration_lock_key: i64,
    /// Routes holding patient data, whose reads and denials the middleware audits.
    pub audited: &'static [crate::audit::AuditedRoute],
    /// The service's own append-only tables besides the audit trail's: the serving role
    /// may only insert into and read them.
    pub append_only: &'static [&'static str],
    /// The service's own part of its OpenAPI document.
    pub openapi: utoipa::openapi::OpenApi,
}

impl Platform {
    /// The startup every service shares: migrate the database (one replica at a time,
    /// waiting up to 30 s for PostgreSQL) as its owner, grant the serving role its
    /// privileges when it is another, open the pool, start the audit trail and the
    /// purge of expired idempotency keys, and serve the OpenAPI document.
    pub async fn bootstrap(
        service: Service,
        database: &crate::db::DbSettings,
        audit: &crate::audit::AuditSettings,
    ) -> anyhow::Result<(Platform, crate::db::DbPool)> {
        let audit_key = crate::audit::AuditKey::load(&audit.key)?;
        let Service {
            name,
            migrations,
            migration_lock_key,
            audited,
            append_only,
            openapi,
        } = service;
        let settings = database.clone();
        tokio::task::spawn_blocking(move || {
            crate::db::run_migrations(
                settings.migration_url(),
                migrations,
                migration_lock_key,
                std::time::Duration::from_secs(30),
            )?;
            match &settings.migration_url {
                Some(owner) => {
                    let mut tables = crate::db::privileges::AUDIT_TABLES.to_vec();
                    tables.extend_from_slice(append_only);
                    crate::db::privileges::grant_serving_role(owner, &settings.url, &tables)
                }
                None => Ok(()),
            }
        })
        .await??;
        let pool = crate::db::build_pool(database);
        let platform = Platform::new(name)
            .with_audit(pool.clone(), audit_key, audited)
            .with_openapi(openapi);
        crate::idempotency::spawn_purge(pool.clone(), platform.lifecycle.clone());
        Ok((platform, pool))
    }
}

/// Swagger UI lives under `/docs/`; the bare path leads there. Relative (`docs/` from
/// `/docs`), so it holds under a proxy's path prefix too.
async fn redirect_to_docs() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "docs/"))
        .finish()
}

/// A service bound to its port and ready to serve; each service's `Application::build`
/// returns one.
pub struct Running {
    port: u16,
    over_tls: bool,
    server: actix_web::dev::Server,
    platform: Platform,
    drain: std::time::Duration,
}

impl Platform {
    /// Binds `http.host:http.port` and builds the server every service runs: CORS, request
    /// context and audit capture around the shared routes, then the service's own app data
    /// and routes from `configure`; unknown paths answer a 404 problem. Signals are handled
    /// by `Running::run_until_stopped`, not by actix.
    pub fn serve<F>(self, http: &HttpSettings, configure: F) -> anyhow::Result<Running>
    where
        F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    {
        use actix_web::middleware::from_fn;
        use anyhow::Context;
        let listener = std::net::TcpListener::bind((http.host, http.port))
            .with_context(|| format!("binding {}:{}", http.host, http.port))?;
        let port = listener.local_addr()?.port();
        let cors_origins = http.cors_allowed_origins.clone();
        let allowed_origins = web::Data::new(crate::cors::AllowedOrigins(cors_origins.clone()));
        let trusted_proxies = web::Data::new(http.trusted_proxies.clone());
        let body_timeout = web::Data::new(crate::body_deadline::BodyTimeout(http.body_timeout));
        let public_base = web::Data::new(crate::http::PublicBase(http.public_base_url.clone()));
        let tls = http
            .tls
            .as_ref()
            .map(crate::tls::server_config)
            .transpose()?;
        let served_over_tls = tls.is_some();
        let platform = self.clone();
        let server = actix_web::HttpServer::new(move || {
            let configure = configure.clone();
            let app = actix_web::App::new();
            let app = if served_over_tls {
                app.app_data(web::Data::new(crate::middleware::ServedOverTls))
            } else {
                app
            };
            // Outermost first: request context, then a refused preflight's problem, then
            // CORS, then the audit capture, then FHIR paths' problems as OperationOutcomes,
            // then a HEAD routed as the GET it mirrors.
            app.app_data(trusted_proxies.clone())
                .app_data(public_base.clone())
                .app_data(body_timeout.clone())
                .app_data(allowed_origins.clone())
                .wrap(from_fn(crate::head::route_as_get))
                .wrap(from_fn(crate::fhir::outcome::rewrite_problems))
                .wrap(from_fn(crate::audit::capture))
                .wrap(crate::cors::policy(&cors_origins))
                .wrap(from_fn(crate::cors::refuse_preflight))
                .wrap(from_fn(crate::middleware::request_context))
                .configure(|cfg| platform.configure(cfg))
                .configure(configure)
                .default_service(web::to(crate::error::route_not_found))
        })
        // A connection that sends no request is closed without an answer (see
        // `idle_connections`), not answered 408 by actix's own head timer.
        .client_request_timeout(std::time::Duration::ZERO)
        .on_connect(crate::idle_connections::watch);
        let mut server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        }
        .disable_signals()
        .shutdown_timeout(http.shutdown_timeout.as_secs());
        if let Some(workers) = http.workers {
            server = server.workers(workers);
        }
        Ok(Running {
            port,
            over_tls: served_over_tls,
            server: server.run(),
            platform: self,
            drain: http.drain_period,
        })
    }
}

impl Running {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https` when it serves TLS (`TLS_CERT_FILE`), else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.over_tls { "https" } else { "http" }
    }

    /// Stops the server from outside (tests of several instances).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
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

    /// Serves until SIGTERM or Ctrl-C: readiness fails first, then the listener closes and
    /// in-flight requests finish (bounded); the audit trail is written and sealed last.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served =
            crate::lifecycle::serve(self.server, self.platform.lifecycle.clone(), self.drain).await;
        self.platform.close().await;
        served
    }
}
