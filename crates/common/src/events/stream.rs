//! The NATS relay, on when `NATS_URL` is set: every outbox event is published to JetStream
//! on the subject `healthcare.<service>.<type>`, with the header `Nats-Msg-Id` = the event
//! id, so JetStream drops a repeat inside its duplicate window (two minutes by default).
//!
//! Order: one replica relays at a time (a transaction-scoped advisory lock; the others skip
//! the pass), in `seq` order, each publish acknowledged before the next is sent. The events
//! of one aggregate are written in commit order (the aggregate's row lock orders their
//! transactions), so they reach the stream in that order.
//!
//! At least once: an event is marked published in the transaction that read it, after
//! JetStream acknowledged it; a relay that dies in between publishes it again, and the id
//! makes the repeat a no-op. A broker that is down leaves events waiting in the outbox and
//! is retried every second: nothing a request waits on touches NATS.

use super::Event;
use crate::config::Secret;
use crate::db::{DbPool, with_conn};
use crate::lifecycle::{Lifecycle, every};
use crate::metrics::Metrics;
use async_nats::jetstream;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(1);
/// Events one pass publishes at most.
const BATCH: i64 = 100;
/// How long JetStream may take to acknowledge one publish (or answer an API request).
const ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// The advisory lock that makes one replica at a time the relay (each service has its own
/// database, so one key serves all).
pub const RELAY_LOCK_KEY: i64 = 0x6865_616c_6e61;

pub struct Relay {
    jetstream: jetstream::Context,
    /// `appointment` in `healthcare.appointment.appointment.booked`.
    service: &'static str,
    /// A stream takes our subjects (ours, created on first use, or the operator's own).
    stream_ready: AtomicBool,
    /// Whether the last pass went through: failures are logged when they begin and end,
    /// not once a second.
    healthy: AtomicBool,
    metrics: actix_web::web::Data<Metrics>,
}

/// Connects in the background (a broker that is down at start delays events, never the
/// start) and relays every second until shutdown begins. Fails only on a `NATS_URL` that
/// cannot be used at all.
pub async fn start(
    pool: DbPool,
    url: &Secret,
    service: &'static str,
    metrics: actix_web::web::Data<Metrics>,
    lifecycle: Arc<Lifecycle>,
) -> anyhow::Result<()> {
    let client = async_nats::ConnectOptions::new()
        .name(format!("{service}-service outbox relay"))
        .retry_on_initial_connect()
        .connect(url.expose())
        .await
        .map_err(|e| anyhow::anyhow!("NATS_URL: {e}"))?;
    let mut jetstream = jetstream::new(client);
    jetstream.set_timeout(ACK_TIMEOUT);
    let relay = Arc::new(Relay {
        jetstream,
        service,
        stream_ready: AtomicBool::new(false),
        healthy: AtomicBool::new(true),
        metrics,
    });
    tracing::info!(
        subjects = %relay.subjects(),
        "NATS relay on: every event is published to JetStream"
    );
    every(PERIOD, lifecycle, move || {
        let (pool, relay) = (pool.clone(), relay.clone());
        async move { relay.pass(&pool).await }
    });
    Ok(())
}

#[derive(QueryableByName)]
struct Unpublished {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    data: serde_json::Value,
}

/// What a pass came to: how many events JetStream acknowledged, how many are left, and why
/// it stopped early, if it did.
struct Relayed {
    published: usize,
    left: i64,
    failure: Option<String>,
}

impl Relay {
    fn subjects(&self) -> String {
        format!("healthcare.{}.>", self.service)
    }

    async fn pass(self: &Arc<Self>, pool: &DbPool) {
        let failure = match self.relay_batch(pool).await {
            Ok(relayed) => {
                self.metrics.observe_stream(relayed.published, relayed.left);
                relayed.failure
            }
            Err(e) => Some(e),
        };
        if failure.is_some() {
            // The stream may be gone (deleted by an operator): look again next time.
            self.stream_ready.store(false, Ordering::SeqCst);
        }
        let was_healthy = self.healthy.swap(failure.is_none(), Ordering::SeqCst);
        match (failure, was_healthy) {
            (Some(error), true) => tracing::warn!(
                error = %error,
                "NATS relay cannot publish; events wait in the outbox and are retried every second"
            ),
            (None, false) => tracing::info!("NATS relay publishing again"),
            _ => {}
        }
    }

    /// Takes the relay lock (or leaves the pass to the replica that holds it), publishes
    /// the oldest unpublished events in order until one fails, and marks those that
    /// JetStream acknowledged.
    async fn relay_batch(self: &Arc<Self>, pool: &DbPool) -> Result<Relayed, String> {
        self.ensure_stream().await?;
        let relay = self.clone();
        // diesel runs on a blocking thread; the publishes happen inside its transaction,
        // so that thread drives them to completion on the service's runtime.
        let runtime = tokio::runtime::Handle::current();
        with_conn(pool, move |conn| {
            Ok(conn.transaction(|conn| {
                if !took_relay_lock(conn)? {
                    return Ok(Relayed {
                        published: 0,
                        left: 0,
                        failure: None,
                    });
                }
                let batch = unpublished(conn)?;
                let (published, failure) = runtime.block_on(relay.publish_in_order(&batch));
                let acknowledged: Vec<uuid::Uuid> =
                    batch[..published].iter().map(|e| e.id).collect();
                mark_published(conn, &acknowledged)?;
                Ok::<_, diesel::result::Error>(Relayed {
                    published,
                    left: count_unpublished(conn)?,
                    failure,
                })
            })?)
        })
        .await
        .map_err(|e| e.to_string())
    }

    /// Creates the service's stream unless a stream already takes its subjects (an
    /// operator's own, with their retention, say for `healthcare.>`).
    async fn ensure_stream(&self) -> Result<(), String> {
        if self.stream_ready.load(Ordering::SeqCst) {
            return Ok(());
        }
        let config = jetstream::stream::Config {
            name: format!("HEALTHCARE_{}", self.service.to_uppercase()),
            subjects: vec![self.subjects()],
            ..Default::default()
        };
        if let Err(create) = self.jetstream.get_or_create_stream(config).await {
            self.jetstream
                .stream_by_subject(self.subjects())
                .await
                .map_err(|_| format!("no JetStream stream takes {}: {create}", self.subjects()))?;
        }
        self.stream_ready.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// How many of `batch`, from the first, JetStream acknowledged; and the error that
    /// stopped the rest. Nothing after a failed event is sent, so nothing overtakes it.
    async fn publish_in_order(&self, batch: &[Unpublished]) -> (usize, Option<String>) {
        for (done, event) in batch.iter().enumerate() {
            if let Err(e) = self.publish(event).await {
                return (done, Some(e));
            }
        }
        (batch.len(), None)
    }

    async fn publish(&self, event: &Unpublished) -> Result<(), String> {
        let subject = format!("healthcare.{}.{}", self.service, event.kind);
        let body = serde_json::to_vec(&Event {
            id: event.id,
            kind: event.kind.clone(),
            occurred_at: event.occurred_at,
            data: event.data.clone(),
        })
        .map_err(|e| e.to_string())?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            event.id.to_string().as_str(),
        );
        let acknowledgement = self
            .jetstream
            .publish_with_headers(subject, headers, body.into())
            .await
            .map_err(|e| e.to_string())?;
        acknowledgement.await.map_err(|e| e.to_string())?;
        Ok(())
    }
}

fn took_relay_lock(conn: &mut PgConnection) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Took {
        #[diesel(sql_type = Bool)]
        took: bool,
    }
    let row: Took = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS took")
        .bind::<BigInt, _>(RELAY_LOCK_KEY)
        .get_result(conn)?;
    Ok(row.took)
}

fn unpublished(conn: &mut PgConnection) -> QueryResult<Vec<Unpublished>> {
    diesel::sql_query(
        "SELECT id, type AS kind, occurred_at, data FROM outbox_events \
         WHERE published_at IS NULL ORDER BY seq LIMIT $1",
    )
    .bind::<BigInt, _>(BATCH)
    .load(conn)
}

fn mark_published(conn: &mut PgConnection, ids: &[uuid::Uuid]) -> QueryResult<()> {
    if !ids.is_empty() {
        diesel::sql_query("UPDATE outbox_events SET published_at = now() WHERE id = ANY($1)")
            .bind::<Array<SqlUuid>, _>(ids)
            .execute(conn)?;
    }
    Ok(())
}

fn count_unpublished(conn: &mut PgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let row: Count =
        diesel::sql_query("SELECT count(*) AS count FROM outbox_events WHERE published_at IS NULL")
            .get_result(conn)?;
    Ok(row.count)
}
