//! Prometheus metrics at `GET /metrics`: requests and latency by method, route template
//! and status (never raw paths, ids or users, so cardinality stays bounded), database pool
//! connections in use and idle, and latency and failures of calls to other services.

use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::time::Duration;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    upstream_latency: HistogramVec,
    upstream_failures: IntCounterVec,
    audit_events_lost: prometheus::IntCounter,
    deliveries: IntCounterVec,
    outbox_backlog: prometheus::IntGauge,
    outbox_oldest_age: prometheus::Gauge,
    stream_published: prometheus::IntCounter,
    stream_backlog: prometheus::IntGauge,
}

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

impl Metrics {
    /// Registration of fixed, well-formed metric names cannot fail; should it, the
    /// service still runs and `/metrics` reports what did register.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        );
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        );
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        );
        let upstream_latency = HistogramVec::new(
            HistogramOpts::new(
                "upstream_request_duration_seconds",
                "Time of calls to other services",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["upstream"],
        );
        let upstream_failures = IntCounterVec::new(
            Opts::new(
                "upstream_failures_total",
                "Calls to other services that failed or timed out",
            ),
            &["upstream"],
        );
        let audit_events_lost = prometheus::IntCounter::new(
            "audit_events_lost_total",
            "Audit events that could not be stored even one by one (each also logged as an error)",
        );
        let deliveries = IntCounterVec::new(
            Opts::new(
                "webhook_deliveries_total",
                "Webhook delivery attempts by outcome (delivered, retry, failed)",
            ),
            &["outcome"],
        );
        let outbox_backlog = prometheus::IntGauge::new(
            "outbox_backlog",
            "Events and webhook deliveries not yet done (undispatched events plus pending deliveries)",
        );
        let outbox_oldest_age = prometheus::Gauge::new(
            "outbox_oldest_age_seconds",
            "Age of the oldest event not yet dispatched or delivered",
        );
        let stream_published = prometheus::IntCounter::new(
            "nats_events_published_total",
            "Events JetStream acknowledged from the NATS relay",
        );
        let stream_backlog = prometheus::IntGauge::new(
            "nats_unpublished_events",
            "Events the NATS relay has not yet had acknowledged",
        );
        let (
            Ok(requests),
            Ok(latency),
            Ok(pool),
            Ok(upstream_latency),
            Ok(upstream_failures),
            Ok(audit_events_lost),
            Ok(deliveries),
            Ok(outbox_backlog),
            Ok(outbox_oldest_age),
            Ok(stream_published),
            Ok(stream_backlog),
        ) = (
            requests,
            latency,
            pool,
            upstream_latency,
            upstream_failures,
            audit_events_lost,
            deliveries,
            outbox_backlog,
            outbox_oldest_age,
            stream_published,
            stream_backlog,
        )
        else {
            unreachable_metrics()
        };
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(upstream_latency.clone()),
            Box::new(upstream_failures.clone()),
            Box::new(audit_events_lost.clone()),
            Box::new(deliveries.clone()),
            Box::new(outbox_backlog.clone()),
            Box::new(outbox_oldest_age.clone()),
            Box::new(stream_published.clone()),
            Box::new(stream_backlog.clone()),
        ] {
            if let Err(e) = registry.register(collector) {
                tracing::error!(error = %e, "metric registration failed");
            }
        }
        Self {
            registry,
            requests,
            latency,
            pool,
            upstream_latency,
            upstream_failures,
            audit_events_lost,
            deliveries,
            outbox_backlog,
            outbox_oldest_age,
            stream_published,
            stream_backlog,
        }
    }

    /// One webhook delivery attempt: `delivered`, `retry` (will be tried again) or `failed`.
    pub fn observe_delivery(&self, outcome: &str) {
        self.deliveries.with_label_values(&[outcome]).inc();
    }

    /// What the outbox still holds, as the delivery worker last saw it.
    pub fn set_outbox(&self, backlog: i64, oldest_age: Duration) {
        self.outbox_backlog.set(backlog);
        self.outbox_oldest_age.set(oldest_age.as_secs_f64());
    }

    /// A batch the NATS relay had acknowledged, and what it still has to publish.
    pub fn observe_stream(&self, published: usize, unpublished: i64) {
        self.stream_published
            .inc_by(u64::try_from(published).unwrap_or_default());
        self.stream_backlog.set(unpublished);
    }

    /// An audit event the database refused even on its own.
    pub fn audit_event_lost(&self) {
        self.audit_events_lost.inc();
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    pub fn observe_upstream(&self, upstream: &str, elapsed: Duration, succeeded: bool) {
        self.upstream_latency
            .with_label_values(&[upstream])
            .observe(elapsed.as_secs_f64());
        if !succeeded {
            self.upstream_failures.with_label_values(&[upstream]).inc();
        }
    }

    /// The text exposition, with the pool gauges read at scrape time.
    pub fn render(&self, pool_state: Option<(u32, u32)>) -> String {
        if let Some((connections, idle)) = pool_state {
            self.pool
                .with_label_values(&["in_use"])
                .set(i64::from(connections.saturating_sub(idle)));
            self.pool.with_label_values(&["idle"]).set(i64::from(idle));
        }
        let mut buffer = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(error = %e, "encoding metrics failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Constructing a metric fails only for invalid names or label sets, which are constants
/// here; reaching this is a programming error caught by the first test run.
fn unreachable_metrics() -> ! {
    panic!("metric definitions are invalid")
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", operation_id = "metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn endpoint(
    metrics: web::Data<Metrics>,
    pool: Option<web::Data<crate::db::DbPool>>,
) -> HttpResponse {
    let pool_state = pool.map(|p| {
        let state = p.state();
        (state.connections, state.idle_connections)
    });
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(pool_state))
}
