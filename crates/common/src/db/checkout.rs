//! The pool's connection manager: diesel's, plus the time each connection was last handed
//! back, so a checkout pings PostgreSQL only when the connection has been idle a while.
//!
//! r2d2 either tests every checkout (one `SELECT 1` round trip per request, a large share
//! of a short query's cost) or none (then, after a database restart, every stale pooled
//! connection fails one request). A connection handed back healthy a moment ago is
//! trusted as is; one idle longer is tested first, which is when an outage, a failover
//! or a proxy's idle timeout can have cut it.

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, ManageConnection};
use std::time::{Duration, Instant};

/// Idle time under which a returned connection is reused without a ping.
const TRUSTED_IDLE: Duration = Duration::from_millis(500);

pub struct Checkout {
    inner: ConnectionManager<PgConnection>,
}

pub struct TrackedConnection {
    pub(crate) connection: PgConnection,
    returned_at: Instant,
}

impl Checkout {
    pub fn new(url: &str) -> Self {
        Self {
            inner: ConnectionManager::new(url),
        }
    }
}

impl ManageConnection for Checkout {
    type Connection = TrackedConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<TrackedConnection, Self::Error> {
        Ok(TrackedConnection {
            connection: self.inner.connect()?,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut TrackedConnection) -> Result<(), Self::Error> {
        if conn.returned_at.elapsed() < TRUSTED_IDLE {
            return Ok(());
        }
        self.inner.is_valid(&mut conn.connection)
    }

    /// Called by r2d2 whenever a connection comes back to the pool.
    fn has_broken(&self, conn: &mut TrackedConnection) -> bool {
        conn.returned_at = Instant::now();
        self.inner.has_broken(&mut conn.connection)
    }
}
