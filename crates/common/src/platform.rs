//! What every service's app has besides its own routes: extractor error handling, the
//! service name, metrics, the shutdown lifecycle, and `/health`, `/health/ready`, `/metrics`.

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
}

impl Platform {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            metrics: web::Data::new(Metrics::new()),
            lifecycle: Arc::new(Lifecycle::default()),
        }
    }

    /// Registers the shared app data and routes; call from the `App` factory.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        crate::error::register_extractor_configs(cfg);
        cfg.app_data(web::Data::new(ServiceName(self.name)))
            .app_data(self.metrics.clone())
            .app_data(web::Data::from(self.lifecycle.clone()));
        #[cfg(feature = "db")]
        crate::health::routes(cfg);
    }
}
