//! Buffered audit writes for reads and denials: submitting never waits on the database.

use super::event::AuditEvent;
use super::{chain, store};
use crate::db::{DbPool, with_conn};
use crate::lifecycle::Lifecycle;
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
}

impl AuditLog {
    /// Starts the batch writer and the sealer; both stop after a final flush and seal
    /// when `lifecycle` says the service is stopping.
    pub fn start(pool: DbPool, lifecycle: Arc<Lifecycle>) -> Self {
        let (sender, receiver) = mpsc::channel(CAPACITY);
        tokio::spawn(write_batches(pool.clone(), receiver));
        tokio::spawn(seal_periodically(pool.clone(), lifecycle));
        Self { sender, pool }
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
        seal(&self.pool).await;
    }
}

async fn write(pool: &DbPool, batch: &mut Vec<AuditEvent>) {
    if batch.is_empty() {
        return;
    }
    let events = std::mem::take(batch);
    let count = events.len();
    let written = with_conn(pool, move |conn| Ok(store::append(conn, &events)?)).await;
    if let Err(e) = written {
        tracing::error!(error = %e, count, "audit events could not be written");
    }
}

async fn write_batches(pool: DbPool, mut receiver: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            message = receiver.recv() => match message {
                Some(Message::Event(event)) => {
                    batch.push(*event);
                    if batch.len() >= BATCH {
                        write(&pool, &mut batch).await;
                    }
                }
                Some(Message::Flush(done)) => {
                    write(&pool, &mut batch).await;
                    let _ = done.send(());
                }
                None => {
                    write(&pool, &mut batch).await;
                    return;
                }
            },
            _ = tick.tick() => write(&pool, &mut batch).await,
        }
    }
}

async fn seal(pool: &DbPool) {
    if let Err(e) = with_conn(pool, |conn| Ok(chain::seal_pending(conn)?)).await {
        tracing::debug!(error = %e, "audit sealing skipped");
    }
}

async fn seal_periodically(pool: DbPool, lifecycle: Arc<Lifecycle>) {
    let mut tick = tokio::time::interval(SEAL_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = with_conn(&pool, |conn| Ok(chain::seal_next_batch(conn)?)).await {
                    tracing::debug!(error = %e, "audit sealing skipped");
                }
            }
            _ = lifecycle.stopping() => break,
        }
    }
}
