//! The PostgreSQL pool, the blocking-pool bridge for diesel, and migrations.
//!
//! diesel is synchronous: every checkout and query runs inside `with_conn`, on actix's
//! blocking threads, never on the two async workers.

use crate::ApiError;
use crate::config::Secret;
use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{CustomizeConnection, Pool};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

mod checkout;
pub mod privileges;

use checkout::{Checkout, TrackedConnection};

/// The connections, and one permit per connection handed out first come, first served.
/// Requests queue for a permit, in order, before they take a blocking thread; waiting
/// inside r2d2 instead lets a newcomer overtake a request that has waited longest, again
/// and again under load, which is what a p99 of ten times the median looks like.
#[derive(Clone)]
pub struct DbPool {
    connections: Pool<Checkout>,
    permits: Arc<Semaphore>,
    acquire_timeout: Duration,
}

impl DbPool {
    pub fn state(&self) -> diesel::r2d2::State {
        self.connections.state()
    }

    /// A permit within `wait`, else 503: the database is too busy (or away) to queue for.
    async fn permit(&self, wait: Duration) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ApiError::Internal(closed.into())),
            Err(_) => Err(ApiError::unavailable(
                "database",
                anyhow::anyhow!("no database connection free within {wait:?}"),
            )),
        }
    }
}
impl DbSettings {
    /// A small pool on `url` that waits briefly, for a service started by a test.
    pub fn for_tests(url: &str) -> Self {
        Self {
            url: Secret::new(url),
            migration_url: None,
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

/// A write refused by a unique index is a 409 saying which rule it broke; every other
/// error converts as `ApiError::from` does.
pub trait ConflictOnUnique<T> {
    fn conflict_on_unique(self, message: &'static str) -> Result<T, ApiError>;
}

impl<T> ConflictOnUnique<T> for diesel::QueryResult<T> {
    fn conflict_on_unique(self, message: &'static str) -> Result<T, ApiError> {
        use crate::sqlstate::SqlState;
        self.map_err(|error| match SqlState::of(&error) {
            Some(SqlState::UniqueViolation) => ApiError::Conflict(message.into()),
            _ => error.into(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct DbSettings {
    /// What the service serves with.
    pub url: Secret,
    /// What migrations run with (`DATABASE_MIGRATION_URL`; unset: `url`). A separate
    /// owner role here lets `url` be a role that owns nothing (see `privileges`).
    pub migration_url: Option<Secret>,
    pub max_connections: u32,
    /// How long a request waits for a free connection before answering 503.
    pub acquire_timeout: Duration,
    /// Bounds every statement, so a stuck query cannot hold a connection forever.
    pub statement_timeout: Duration,
}

impl DbSettings {
    /// Reads `DATABASE_URL` (required in production: a production service must never
    /// fall back to a local database), `DATABASE_MIGRATION_URL`, `DB_MAX_CONNECTIONS`, `DB_ACQUIRE_TIMEOUT_MS` and
    /// `DB_STATEMENT_TIMEOUT_MS`.
    pub fn from_env(
        default_database: &str,
        environment: crate::config::Environment,
    ) -> Result<Self, crate::config::ConfigError> {
        use crate::config::{Environment, required, var_or};
        let url = if environment == Environment::Production {
            required::<Secret>("DATABASE_URL")?
        } else {
            var_or(
                "DATABASE_URL",
                Secret::new(format!(
                    "postgres://postgres@127.0.0.1:5432/{default_database}"
                )),
            )?
        };
        Ok(Self {
            url,
            migration_url: crate::config::var_opt::<Secret>("DATABASE_MIGRATION_URL")?,
            max_connections: var_or("DB_MAX_CONNECTIONS", 8)?,
            acquire_timeout: Duration::from_millis(var_or("DB_ACQUIRE_TIMEOUT_MS", 2000)?),
            statement_timeout: Duration::from_millis(var_or("DB_STATEMENT_TIMEOUT_MS", 5000)?),
        })
    }
}

impl DbSettings {
    /// The URL migrations run with.
    pub fn migration_url(&self) -> &Secret {
        self.migration_url.as_ref().unwrap_or(&self.url)
    }
}

#[derive(Debug)]
struct SessionDefaults {
    statement_timeout: Duration,
}

impl CustomizeConnection<TrackedConnection, diesel::r2d2::Error> for SessionDefaults {
    fn on_acquire(&self, conn: &mut TrackedConnection) -> Result<(), diesel::r2d2::Error> {
        conn.connection
            .batch_execute(&format!(
                "SET statement_timeout = {}; SET TIME ZONE 'UTC'",
                self.statement_timeout.as_millis()
            ))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds the pool without connecting, so a service starts (and reports not-ready) while
/// its database is still coming up; connections are made on demand and re-made after an outage.
pub fn build_pool(settings: &DbSettings) -> DbPool {
    let connections = Pool::builder()
        .max_size(settings.max_connections)
        // No connections made in the background: only requests open them. A background
        // connect racing process exit can crash inside libpq's TLS cleanup.
        .min_idle(Some(0))
        .connection_timeout(settings.acquire_timeout)
        .connection_customizer(Box::new(SessionDefaults {
            statement_timeout: settings.statement_timeout,
        }))
        .build_unchecked(Checkout::new(settings.url.expose()));
    DbPool {
        connections,
        permits: Arc::new(Semaphore::new(settings.max_connections as usize)),
        acquire_timeout: settings.acquire_timeout,
    }
}

/// Serializes, until the transaction ends, everything done about `id` within `space`
/// (`appointment-holds`, `prescribing-patient`): transactions that take the same lock
/// cannot miss each other's writes.
pub fn lock_in_transaction(
    conn: &mut PgConnection,
    space: &str,
    id: uuid::Uuid,
) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2::text, 0))")
        .bind::<diesel::sql_types::Text, _>(space)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(conn)
        .map(|_| ())
}

/// Runs `f` with a pooled connection on actix's blocking pool, once a permit says one is
/// free (at most `max_connections` calls hold blocking threads at a time); no permit
/// within the acquire timeout answers 503. Checkout can still block (connecting), so it
/// happens on the blocking thread.
pub async fn with_conn<T, F>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let permit = pool.permit(pool.acquire_timeout).await?;
    let connections = pool.connections.clone();
    let span = tracing::Span::current();
    web::block(move || {
        let _permit = permit;
        span.in_scope(|| {
            let mut conn = connections
                .get()
                .map_err(|e| ApiError::unavailable("database", e))?;
            f(&mut conn.connection)
        })
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking pool is gone: {e}")))?
}

/// Readiness: one round trip with a short checkout timeout.
pub async fn ping(pool: &DbPool) -> Result<(), ApiError> {
    let wait = Duration::from_secs(1);
    let permit = pool.permit(wait).await?;
    let connections = pool.connections.clone();
    web::block(move || {
        let _permit = permit;
        let mut conn = connections
            .get_timeout(wait)
            .map_err(|e| ApiError::unavailable("database", e))?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn.connection)
            .map_err(|e| ApiError::unavailable("database", e))?;
        Ok(())
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking pool is gone: {e}")))?
}

/// Applies the embedded migrations, waiting up to `wait` for the database to accept
/// connections. A session-level advisory lock (keyed by `lock_key`, one per service) makes
/// replicas that start together apply them one at a time; the others then find nothing to do.
pub fn run_migrations(
    url: &Secret,
    migrations: EmbeddedMigrations,
    lock_key: i64,
    wait: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + wait;
    let mut conn = loop {
        match PgConnection::establish(url.expose()) {
            Ok(conn) => break conn,
            Err(e) if Instant::now() < deadline => {
                tracing::warn!(error = %e, "database not reachable yet; retrying");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => return Err(anyhow::anyhow!("cannot connect to the database: {e}")),
        }
    };
    conn.batch_execute(&format!("SELECT pg_advisory_lock({lock_key})"))?;
    let applied = conn
        .run_pending_migrations(migrations)
        .map(|versions| versions.len())
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"));
    let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({lock_key})"));
    let applied = applied?;
    unlocked?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    warn_if_messages_translated(&mut conn);
    Ok(())
}

/// A server that translates its messages hides the SQLSTATEs diesel does not name
/// (`crate::sqlstate`): statement timeouts and restarts would answer 500 instead of 503.
/// Said once at startup, where an operator reads it.
fn warn_if_messages_translated(conn: &mut PgConnection) {
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        lc_messages: String,
    }
    let setting = diesel::sql_query("SELECT current_setting('lc_messages') AS lc_messages")
        .get_result::<Setting>(conn);
    match setting {
        Ok(Setting { lc_messages }) if !crate::sqlstate::untranslated_messages(&lc_messages) => {
            tracing::warn!(
                lc_messages,
                "PostgreSQL translates its messages; set lc_messages = 'C' for this database \
                 (ALTER DATABASE ... SET lc_messages = 'C') so timeouts and restarts answer 503"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read lc_messages"),
    }
}

/// A domain enum stored as text: `text_column!(StatusColumn, Status)` makes the column
/// type, written with `Status::as_str` and read with `Status::parse` (a stored value the
/// enum does not know is a deserialization error, never a silent default).
#[macro_export]
macro_rules! text_column {
    ($(#[$meta:meta])* $column:ident, $enum:ty) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $column(pub $enum);

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $column {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.0.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $column {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::pg::Pg,
                >>::from_sql(bytes)?;
                Ok(Self(<$enum>::parse(&text)?))
            }
        }
    };
}
