//! Buffered audit writes for reads and denials: submitting never waits on the database.

use super::chain::{Chain, Verification};
use super::event::AuditEvent;
use super::store;
use crate::db::{DbPool, with_conn};
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Small batches, often: a read-heavy minute writes thousands of events a second, and one
/// large insert a second is a burst the database answers other queries slowly through.
const FLUSH_EVERY: Duration = Duration::from_millis(200);
const BATCH: usize = 200;
/// The sealer's pace: `chain::SEAL_BATCH` events a pass at most, several passes a second.
const SEAL_EVERY: Duration = Duration::from_millis(250);
/// Past this many unwritten events (database down for a long time) new ones are dropped
/// with an error log rather than exhausting memory.
const CAPACITY: usize = 100_000;

enum Message {
    Event(Box<AuditEvent>),
    Flush(oneshot::Sender<()>),
}

pub struct AuditLog {
    sender: mpsc::Sender<Message>,
    pool: DbPool,
    chain: Arc<Chain>,
}

/// Where the writer stores events, and what it counts when one cannot be stored.
#[derive(Clone)]
struct Writer {
    pool: DbPool,
    metrics: actix_web::web::Data<Metrics>,
}

impl AuditLog {
    /// Starts the batch writer and the sealer; both stop after a final flush and seal
    /// when `lifecycle` says the service is stopping.
    pub fn start(
        pool: DbPool,
        chain: Chain,
        metrics: actix_web::web::Data<Metrics>,
        lifecycle: Arc<Lifecycle>,
    ) -> Self {
        let (sender, receiver) = mpsc::channel(CAPACITY);
        let writer = Writer {
            pool: pool.clone(),
            metrics,
        };
        let chain = Arc::new(chain);
        tokio::spawn(write_batches(writer, receiver));
        tokio::spawn(seal_periodically(pool.clone(), chain.clone(), lifecycle));
        Self {
            sender,
            pool,
            chain,
        }
    }

    /// Seals, checkpoints and recomputes the whole chain (`GET /admin/audit/verify`).
    pub async fn verify(&self) -> Result<Verification, crate::ApiError> {
        let chain = self.chain.clone();
        with_conn(&self.pool, move |conn| Ok(chain.verify(conn)?)).await
    }

    /// Queues an event (reads, denials, failed logins).
    pub fn submit(&self, event: AuditEvent) {
        if self
            .sender
            .try_send(Message::Event(Box::new(event)))
            .is_err()
        {
            tracing::error!("audit buffer full or closed; event dropped");
        }
    }

    /// Writes everything queued so far (on shutdown, and for tests).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

impl AuditLog {
    /// The last step of a graceful shutdown: write what is queued and chain it.
    pub async fn close(&self) {
        self.flush().await;
        let chain = self.chain.clone();
        if let Err(e) = with_conn(&self.pool, move |conn| Ok(chain.seal_pending(conn)?)).await {
            tracing::debug!(error = %e, "audit sealing skipped");
        }
    }
}

/// Writes a batch in one statement; should the database refuse it, each event is tried on
/// its own, so one bad event never takes the others with it. An event refused even then
/// is counted and logged (what it was about, never its content).
async fn write(writer: &Writer, batch: &mut Vec<AuditEvent>) {
    if batch.is_empty() {
        return;
    }
    let events = std::mem::take(batch);
    let count = events.len();
    let lost = with_conn(&writer.pool, move |conn| {
        if store::append(conn, &events).is_ok() {
            return Ok(Vec::new());
        }
        Ok(events
            .into_iter()
            .filter_map(
                |event| match store::append(conn, std::slice::from_ref(&event)) {
                    Ok(_) => None,
                    Err(e) => Some((event, e)),
                },
            )
            .collect::<Vec<_>>())
    })
    .await;
    match lost {
        Ok(lost) => {
            for (event, error) in lost {
                writer.metrics.audit_event_lost();
                tracing::error!(
                    action = %event.action,
                    outcome = event.outcome.as_str(),
                    request_id = event.request_id.as_deref().unwrap_or_default(),
                    error = %error,
                    "an audit event could not be stored"
                );
            }
        }
        // The database is away: none of the batch could be written.
        Err(e) => {
            for _ in 0..count {
                writer.metrics.audit_event_lost();
            }
            tracing::error!(error = %e, count, "audit events could not be written");
        }
    }
}

async fn write_batches(writer: Writer, mut receiver: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            message = receiver.recv() => match message {
                Some(Message::Event(event)) => {
                    batch.push(*event);
                    if batch.len() >= BATCH {
                        write(&writer, &mut batch).await;
                    }
                }
                Some(Message::Flush(done)) => {
                    write(&writer, &mut batch).await;
                    let _ = done.send(());
                }
                None => {
                    write(&writer, &mut batch).await;
                    return;
                }
            },
            _ = tick.tick() => write(&writer, &mut batch).await,
        }
    }
}

async fn seal_periodically(pool: DbPool, chain: Arc<Chain>, lifecycle: Arc<Lifecycle>) {
    let mut tick = tokio::time::interval(SEAL_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let chain = chain.clone();
                if let Err(e) = with_conn(&pool, move |conn| Ok(chain.seal_next_batch(conn)?)).await {
                    tracing::debug!(error = %e, "audit sealing skipped");
                }
            }
            _ = lifecycle.stopping() => break,
        }
    }
}
