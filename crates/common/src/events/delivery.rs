//! The delivery worker, on every replica, every second: dispatches new outbox events into
//! one delivery per subscription that wants them, then sends the deliveries that are due.
//! Rows are claimed with `FOR UPDATE SKIP LOCKED` and a delivery is leased while it is
//! being sent, so replicas share the work and none sends a delivery twice on purpose (a
//! replica that dies mid-send loses its lease after a minute, and the delivery is sent
//! again: at least once). Failures back off exponentially with jitter from
//! `WEBHOOK_RETRY_BASE_SECONDS` and end `failed` after `WEBHOOK_MAX_ATTEMPTS`. All state is
//! in the database, so a restart loses nothing; on SIGTERM the pass in flight finishes and
//! no new one starts.

use super::signing::{SecretBox, signature};
use super::subscriptions::is_public;
use super::{Event, EventSettings};
use crate::db::{DbPool, with_conn};
use crate::lifecycle::{Lifecycle, every};
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Integer, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(1);
/// Deliveries sent at once per pass on one replica.
const BATCH: i64 = 16;
/// How long a replica may take over one delivery before another may take it over.
const LEASE_SECONDS: i32 = 60;

/// What the worker needs: the HTTP client, the secrets' key, the retry settings.
pub struct Deliverer {
    client: reqwest::Client,
    /// For the subscription the service keeps from its own configuration (the operator
    /// named that target, e.g. auth-service inside the cluster): no address filter.
    operator_client: reqwest::Client,
    secrets: SecretBox,
    settings: EventSettings,
    metrics: actix_web::web::Data<Metrics>,
}

impl Deliverer {
    pub fn new(
        secrets: SecretBox,
        settings: EventSettings,
        metrics: actix_web::web::Data<Metrics>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            // A redirect could lead to an address the checks never saw.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(CheckedResolver {
                allow_private: settings.allow_private_urls,
            }))
            .build()?;
        let operator_client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            operator_client,
            secrets,
            settings,
            metrics,
        })
    }
}

/// Resolves a webhook's host and keeps only the addresses a webhook may reach, at the time
/// of sending: an approved name re-pointed at 169.254.169.254 fails the delivery.
struct CheckedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err("the webhook's host resolves to no address it may reach".into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Starts the worker; it stops when shutdown begins.
pub fn start(pool: DbPool, deliverer: Arc<Deliverer>, lifecycle: Arc<Lifecycle>) {
    every(PERIOD, lifecycle, move || {
        let (pool, deliverer) = (pool.clone(), deliverer.clone());
        async move {
            if let Err(error) = pass(&pool, &deliverer).await {
                tracing::warn!(error = %error, "webhook delivery pass failed; retrying");
            }
        }
    });
}

/// One pass: dispatch, send what is due, report the backlog.
pub async fn pass(pool: &DbPool, deliverer: &Deliverer) -> Result<(), crate::ApiError> {
    with_conn(pool, |conn| Ok(dispatch(conn)?)).await?;
    let due = with_conn(pool, |conn| Ok(lease_due(conn)?)).await?;
    let sent = futures_util::future::join_all(due.iter().map(|d| send(deliverer, d))).await;
    let settings = deliverer.settings.clone();
    let outcomes: Vec<(i64, i32, Attempt)> = due
        .iter()
        .zip(sent)
        .map(|(d, attempt)| (d.delivery_id, d.attempts, attempt))
        .collect();
    let recorded = with_conn(pool, move |conn| {
        let mut recorded = Vec::with_capacity(outcomes.len());
        for (id, number, attempt) in &outcomes {
            let gave_up = record(conn, *id, *number, attempt, &settings)?;
            recorded.push(match (attempt.delivered, gave_up) {
                (true, _) => "delivered",
                (false, true) => "failed",
                (false, false) => "retry",
            });
        }
        Ok(recorded)
    })
    .await?;
    for outcome in recorded {
        deliverer.metrics.observe_delivery(outcome);
    }
    let (backlog, oldest) = with_conn(pool, |conn| Ok(backlog(conn)?)).await?;
    let age = oldest
        .map(|t| (Utc::now() - t).to_std().unwrap_or_default())
        .unwrap_or_default();
    deliverer.metrics.set_outbox(backlog, age);
    Ok(())
}

/// New events, oldest first, each given a delivery for every live subscription that wants
/// its type, and marked dispatched, in one transaction.
fn dispatch(conn: &mut PgConnection) -> QueryResult<usize> {
    conn.transaction(|conn| {
        #[derive(QueryableByName)]
        struct New {
            #[diesel(sql_type = SqlUuid)]
            id: uuid::Uuid,
        }
        let new: Vec<New> = diesel::sql_query(
            "SELECT id FROM outbox_events WHERE dispatched_at IS NULL \
             ORDER BY seq LIMIT 500 FOR UPDATE SKIP LOCKED",
        )
        .load(conn)?;
        if new.is_empty() {
            return Ok(0);
        }
        let ids: Vec<uuid::Uuid> = new.iter().map(|n| n.id).collect();
        diesel::sql_query(
            "INSERT INTO webhook_deliveries (subscription_id, event_id, next_attempt_at) \
             SELECT s.id, e.id, now() FROM outbox_events e \
             JOIN webhook_subscriptions s ON s.deleted_at IS NULL AND e.type = ANY(s.events) \
             WHERE e.id = ANY($1) ON CONFLICT DO NOTHING",
        )
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
        .execute(conn)?;
        diesel::sql_query("UPDATE outbox_events SET dispatched_at = now() WHERE id = ANY($1)")
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
            .execute(conn)?;
        Ok(ids.len())
    })
}

#[derive(Debug, QueryableByName)]
struct Due {
    #[diesel(sql_type = BigInt)]
    delivery_id: i64,
    /// This attempt's number.
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    url: String,
    /// A subscription the service keeps from its configuration (an operator's target).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    kept: bool,
    #[diesel(sql_type = Bytea)]
    secret_sealed: Vec<u8>,
    #[diesel(sql_type = SqlUuid)]
    event_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    data: serde_json::Value,
}

/// Leases the deliveries that are due and counts the attempt about to be made.
fn lease_due(conn: &mut PgConnection) -> QueryResult<Vec<Due>> {
    diesel::sql_query(
        "UPDATE webhook_deliveries d \
         SET leased_until = now() + make_interval(secs => $2), attempts = d.attempts + 1 \
         FROM webhook_subscriptions s, outbox_events e \
         WHERE d.id IN (SELECT id FROM webhook_deliveries \
                        WHERE status = 'pending' AND next_attempt_at <= now() \
                          AND (leased_until IS NULL OR leased_until < now()) \
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
           AND s.id = d.subscription_id AND e.id = d.event_id \
         RETURNING d.id AS delivery_id, d.attempts, s.url, s.kept_as IS NOT NULL AS kept, \
                   s.secret_sealed, \
                   e.id AS event_id, e.type AS kind, e.occurred_at, e.data",
    )
    .bind::<BigInt, _>(BATCH)
    .bind::<Integer, _>(LEASE_SECONDS)
    .load(conn)
}

/// What one attempt came to.
#[derive(Debug)]
struct Attempt {
    delivered: bool,
    response_status: Option<i16>,
    error: Option<String>,
}

async fn send(deliverer: &Deliverer, due: &Due) -> Attempt {
    let failed = |error: String| Attempt {
        delivered: false,
        response_status: None,
        error: Some(error),
    };
    let event = Event {
        id: due.event_id,
        kind: due.kind.clone(),
        occurred_at: due.occurred_at,
        data: due.data.clone(),
    };
    let Ok(body) = serde_json::to_vec(&event) else {
        return failed("the event does not serialize".into());
    };
    let secret = match deliverer.secrets.open(&due.secret_sealed) {
        Ok(secret) => secret,
        Err(e) => return failed(e.to_string()),
    };
    let Ok(url) = reqwest::Url::parse(&due.url) else {
        return failed("the URL no longer parses".into());
    };
    // An address in the URL itself never reaches the resolver: check it here.
    let literal = url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|h| h.parse::<std::net::IpAddr>().ok());
    let checked = !due.kept && !deliverer.settings.allow_private_urls;
    if checked && literal.is_some_and(|ip| !is_public(ip)) {
        return failed("the URL's address may not be reached".into());
    }
    let id = event.id.to_string();
    let timestamp = Utc::now().timestamp();
    let signed = match signature(&secret, &id, timestamp, &body) {
        Ok(signed) => signed,
        Err(e) => return failed(e.to_string()),
    };
    let client = if due.kept {
        &deliverer.operator_client
    } else {
        &deliverer.client
    };
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(body)
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status();
            Attempt {
                delivered: status.is_success(),
                response_status: i16::try_from(status.as_u16()).ok(),
                error: (!status.is_success()).then(|| format!("the receiver answered {status}")),
            }
        }
        Err(e) if e.is_timeout() => failed("no answer within 10 s".into()),
        Err(e) if e.is_connect() => failed(format!("cannot connect: {}", root_cause(&e))),
        Err(e) => failed(root_cause(&e)),
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Writes the attempt and the delivery's next state; whether it is now `failed`.
fn record(
    conn: &mut PgConnection,
    delivery: i64,
    number: i32,
    attempt: &Attempt,
    settings: &EventSettings,
) -> QueryResult<bool> {
    let now = Utc::now();
    let gave_up =
        !attempt.delivered && u32::try_from(number).unwrap_or(u32::MAX) >= settings.max_attempts;
    let status = match (attempt.delivered, gave_up) {
        (true, _) => "delivered",
        (false, true) => "failed",
        (false, false) => "pending",
    };
    conn.transaction(|conn| {
        diesel::sql_query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at, response_status, error) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind::<BigInt, _>(delivery)
        .bind::<Integer, _>(number)
        .bind::<Timestamptz, _>(now)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::SmallInt>, _>(
            attempt.response_status,
        )
        .bind::<diesel::sql_types::Nullable<Text>, _>(attempt.error.as_deref())
        .execute(conn)?;
        diesel::sql_query(
            "UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, leased_until = NULL \
             WHERE id = $1",
        )
        .bind::<BigInt, _>(delivery)
        .bind::<Text, _>(status)
        .bind::<Timestamptz, _>(now + retry_delay(settings, number))
        .execute(conn)?;
        Ok(gave_up)
    })
}

/// `base * 2^(n-1)`, then somewhere between three quarters and five quarters of it, so
/// receivers coming back from an outage are not hit by every retry at once.
fn retry_delay(settings: &EventSettings, attempt: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let base = settings.retry_base.as_secs_f64() * f64::from(1u32 << doublings);
    let mut random = [0u8; 2];
    let jitter = match getrandom::fill(&mut random) {
        Ok(()) => 0.75 + f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX) / 2.0,
        Err(_) => 1.0,
    };
    chrono::Duration::milliseconds((base * jitter * 1000.0) as i64)
}

/// Undispatched events plus pending deliveries, and when the oldest of them happened.
fn backlog(conn: &mut PgConnection) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    #[derive(QueryableByName)]
    struct Backlog {
        #[diesel(sql_type = BigInt)]
        count: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
        oldest: Option<DateTime<Utc>>,
    }
    let row: Backlog = diesel::sql_query(
        "SELECT (SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL) \
              + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS count, \
                LEAST((SELECT min(occurred_at) FROM outbox_events WHERE dispatched_at IS NULL), \
                      (SELECT min(e.occurred_at) FROM webhook_deliveries d \
                       JOIN outbox_events e ON e.id = d.event_id WHERE d.status = 'pending')) AS oldest",
    )
    .get_result(conn)?;
    Ok((row.count, row.oldest))
}

/// Everything a publishing service starts: the secrets' key (from the audit key), the
/// worker, the NATS relay when `NATS_URL` is set, and the state the admin routes need.
pub async fn start_for(
    pool: &DbPool,
    audit: &crate::audit::AuditSettings,
    settings: EventSettings,
    platform: &crate::platform::Platform,
) -> anyhow::Result<actix_web::web::Data<super::routes::Webhooks>> {
    let key = crate::audit::AuditKey::load(&audit.key)?;
    let kept = [
        (super::subscriptions::NOTIFICATIONS, &settings.notifications),
        (super::subscriptions::PRESCRIPTIONS, &settings.prescriptions),
    ];
    for (kept, target) in kept {
        let Some(target) = target else { continue };
        let sealed = SecretBox::new(&key)?.seal(target.secret.expose())?;
        let url = target.url.clone();
        with_conn(pool, move |conn| {
            Ok(super::subscriptions::keep(conn, kept, &url, &sealed)?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("keeping the {} subscription: {e}", kept.name))?;
    }
    let deliverer = Deliverer::new(
        SecretBox::new(&key)?,
        settings.clone(),
        platform.metrics.clone(),
    )?;
    start(
        pool.clone(),
        Arc::new(deliverer),
        platform.lifecycle.clone(),
    );
    if let Some(url) = &settings.nats_url {
        super::stream::start(
            pool.clone(),
            url,
            platform.name.trim_end_matches("-service"),
            platform.metrics.clone(),
            platform.lifecycle.clone(),
        )
        .await?;
    }
    Ok(actix_web::web::Data::new(super::routes::Webhooks {
        secrets: SecretBox::new(&key)?,
        settings,
    }))
}
