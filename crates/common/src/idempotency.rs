//! `Idempotency-Key` for creating POSTs (register, book, prescribe).
//!
//! The key is stored with the caller's scope, a fingerprint of the body and the first
//! response, in the same transaction as the write it guards. A retry with the same key and
//! body gets that first response and creates nothing; the same key with another body is a
//! 422. A transaction-scoped advisory lock on (scope, key) makes two simultaneous requests
//! with one key run one after the other, so the second sees the first's committed answer.
//!
//! Each service's migrations create the `idempotency_keys` table with the columns below.

use crate::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::Text;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "Idempotency-Key";
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        fingerprint -> Bytea,
        status -> Int2,
        body -> Jsonb,
        created_at -> Timestamptz,
    }
}

/// Who a key belongs to: the caller's user id, or `anonymous:<client address>` for
/// unauthenticated endpoints, so one client's keys never answer another's requests.
#[derive(Debug, Clone)]
pub struct Scope(pub String);

/// The validated header value of a request that asked for idempotency.
#[derive(Debug, Clone)]
pub struct Key(pub String);

/// Reads the header: absent is fine; present must be 1 to 255 printable ASCII characters.
pub fn key_from(req: &HttpRequest) -> Result<Option<Key>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default();
    if text.is_empty() || text.len() > 255 || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::validation(
            HEADER,
            "must be 1 to 255 printable ASCII characters",
        ));
    }
    Ok(Some(Key(text.to_owned())))
}

/// A keyed hash of the canonical JSON body (serde_json orders object keys). Keyed, so a
/// stored fingerprint of a body holding a password cannot be brute-forced offline.
pub fn fingerprint(secret: &[u8], body: &serde_json::Value) -> Vec<u8> {
    let canonical = serde_json::to_vec(body).unwrap_or_default();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Vec::new();
    };
    mac.update(&canonical);
    mac.finalize().into_bytes().to_vec()
}

#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub body: serde_json::Value,
}

impl StoredResponse {
    pub fn replay(&self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .insert_header((REPLAYED_HEADER, "true"))
            .json(&self.body)
    }
}

#[derive(Debug)]
pub enum Lookup {
    /// Not seen before (or expired): do the work and `record` the response.
    New,
    Replay(StoredResponse),
    /// The key was used with a different body.
    Mismatch,
}

/// Keys are honoured for this long; afterwards the same key starts afresh.
const RETENTION: &str = "24 hours";

/// Must run inside the transaction that will perform the write: it holds the key's lock
/// until that transaction ends.
pub fn begin(
    conn: &mut PgConnection,
    scope: &Scope,
    key: &Key,
    fingerprint: &[u8],
) -> QueryResult<Lookup> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))")
        .bind::<Text, _>(&scope.0)
        .bind::<Text, _>(&key.0)
        .execute(conn)?;
    peek(conn, scope, key, fingerprint)
}

/// A lock-free look, for answering a retry before doing slow work (such as calling another
/// service); the write itself must still go through `begin`.
pub fn peek(
    conn: &mut PgConnection,
    scope: &Scope,
    key: &Key,
    fingerprint: &[u8],
) -> QueryResult<Lookup> {
    let found: Option<(Vec<u8>, i16, serde_json::Value)> = idempotency_keys::table
        .filter(idempotency_keys::scope.eq(&scope.0))
        .filter(idempotency_keys::key.eq(&key.0))
        .filter(idempotency_keys::created_at.gt(
            diesel::dsl::sql::<diesel::sql_types::Timestamptz>(&format!(
                "now() - interval '{RETENTION}'"
            )),
        ))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::status,
            idempotency_keys::body,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        None => Lookup::New,
        Some((stored, _, _)) if stored != fingerprint => Lookup::Mismatch,
        Some((_, status, body)) => Lookup::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(200),
            body,
        }),
    })
}

/// The 422 for a key reused with another body.
pub fn mismatch() -> ApiError {
    ApiError::validation(HEADER, "was already used with a different request body")
}

pub fn record(
    conn: &mut PgConnection,
    scope: &Scope,
    key: &Key,
    fingerprint: &[u8],
    response: &StoredResponse,
) -> QueryResult<()> {
    let status = i16::try_from(response.status).unwrap_or(200);
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(&scope.0),
            idempotency_keys::key.eq(&key.0),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::status.eq(status),
            idempotency_keys::body.eq(&response.body),
            idempotency_keys::created_at.eq(diesel::dsl::now),
        ))
        .on_conflict((idempotency_keys::scope, idempotency_keys::key))
        .do_update()
        .set((
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::status.eq(status),
            idempotency_keys::body.eq(&response.body),
            idempotency_keys::created_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes keys past retention once a minute, until the service stops.
pub fn spawn_purge(
    pool: crate::db::DbPool,
    lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>,
) {
    crate::lifecycle::every(std::time::Duration::from_secs(60), lifecycle, move || {
        let pool = pool.clone();
        async move {
            if let Err(e) = crate::db::with_conn(&pool, |conn| Ok(purge_expired(conn)?)).await {
                tracing::debug!(error = %e, "purging idempotency keys skipped");
            }
        }
    });
}

/// Deletes keys past retention.
pub fn purge_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '{RETENTION}'"
    ))
    .execute(conn)
}
