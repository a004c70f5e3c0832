//! `Idempotency-Key` for creating POSTs (register, book, prescribe), in the shape of
//! zero-to-production's `try_processing` -> `NextAction` / `save_response`.
//!
//! The key is stored with the caller's scope, a fingerprint of the body and the first
//! response, in the same transaction as the write it guards. A retry with the same key and
//! body gets that first response and creates nothing; the same key with another body is a
//! 422. A transaction-scoped advisory lock on (scope, key) makes two simultaneous requests
//! with one key run one after the other, so the second sees the first's committed answer.
//!
//! A creating handler needs two lines: `key.bind(scope, secret, &body)?` and
//! `create_once(&pool, idempotency, |conn| ...)`.
//!
//! Each service's migrations create the `idempotency_keys` table (`crate::schema`).

use crate::ApiError;
use crate::db::{DbPool, with_conn};
use crate::schema::idempotency_keys;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use diesel::prelude::*;
use diesel::sql_types::Text;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

pub const HEADER: &str = "Idempotency-Key";
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// Keys are honoured for this long; afterwards the same key starts afresh.
const RETENTION: &str = "24 hours";

/// Who a key belongs to, so one client's keys never answer another's requests. The key
/// is bound to the method and path it was sent to as well (see `IdempotencyKey`).
#[derive(Debug, Clone)]
pub struct Scope(String);

impl Scope {
    /// A signed-in caller's keys.
    pub fn user(id: crate::UserId) -> Self {
        Self(id.to_string())
    }

    /// An unauthenticated endpoint's keys, per client address.
    pub fn anonymous(req: &HttpRequest) -> Self {
        Self(format!("anonymous:{}", crate::http::client_address(req)))
    }
}

/// Extractor for the `Idempotency-Key` header. It never fails: the value is checked by
/// `bind`, so the handler decides whether a bad key (422) or, say, the caller's role (403)
/// is reported first.
///
/// It also notes the method and path the key was sent to: a key is one endpoint's, so a
/// client reusing a key for a booking and then a prescription, or for dispensing two
/// prescriptions, gets two answers of its own, never one replayed as the other.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: Option<String>,
    endpoint: String,
}

impl FromRequest for IdempotencyKey {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = req
            .headers()
            .get(HEADER)
            .map(|value| value.to_str().unwrap_or("\u{0}").to_owned());
        let endpoint = format!("{} {}", req.method(), req.path());
        std::future::ready(Ok(Self { key, endpoint }))
    }
}

impl IdempotencyKey {
    /// Ties the key to its caller and the request body. `None` when the request sent no key;
    /// a key that is not 1 to 255 printable ASCII characters is a 422.
    pub fn bind(
        self,
        scope: Scope,
        secret: &[u8],
        body: &serde_json::Value,
    ) -> Result<Option<Idempotency>, ApiError> {
        let Some(key) = self.key else {
            return Ok(None);
        };
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::validation(
                HEADER,
                "must be 1 to 255 printable ASCII characters",
            ));
        }
        Ok(Some(Idempotency {
            scope: Scope(format!("{}:{}", scope.0, self.endpoint)),
            key,
            fingerprint: fingerprint(secret, body),
        }))
    }
}

/// A keyed hash of the canonical JSON body (serde_json orders object keys). Keyed, so a
/// stored fingerprint of a body holding a password cannot be brute-forced offline.
fn fingerprint(secret: &[u8], body: &serde_json::Value) -> Vec<u8> {
    let canonical = serde_json::to_vec(body).unwrap_or_default();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Vec::new();
    };
    mac.update(&canonical);
    mac.finalize().into_bytes().to_vec()
}

/// The first answer to a key, as stored.
#[derive(Debug, Clone)]
pub struct SavedResponse {
    pub status: u16,
    pub body: serde_json::Value,
}

impl SavedResponse {
    pub fn replay(&self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .insert_header((REPLAYED_HEADER, "true"))
            .json(&self.body)
    }
}

#[derive(Debug)]
pub enum NextAction {
    /// Not seen before (or expired): do the work, then `save_response`.
    StartProcessing,
    ReturnSavedResponse(SavedResponse),
}

/// A request's key, bound to its caller and body.
#[derive(Debug, Clone)]
pub struct Idempotency {
    scope: Scope,
    key: String,
    fingerprint: Vec<u8>,
}

impl Idempotency {
    /// Must run inside the transaction that will perform the write: it holds the key's lock
    /// until that transaction ends. The key used with another body is a 422.
    pub fn try_processing(&self, conn: &mut PgConnection) -> Result<NextAction, ApiError> {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))")
            .bind::<Text, _>(&self.scope.0)
            .bind::<Text, _>(&self.key)
            .execute(conn)?;
        self.peek(conn)
    }

    /// A lock-free look, for answering a retry before doing slow work (such as calling
    /// another service); the write itself must still go through `try_processing`.
    pub fn peek(&self, conn: &mut PgConnection) -> Result<NextAction, ApiError> {
        let found: Option<(Vec<u8>, i16, serde_json::Value)> = idempotency_keys::table
            .filter(idempotency_keys::scope.eq(&self.scope.0))
            .filter(idempotency_keys::key.eq(&self.key))
            .filter(idempotency_keys::created_at.gt(diesel::dsl::sql::<
                diesel::sql_types::Timestamptz,
            >(&format!(
                "now() - interval '{RETENTION}'"
            ))))
            .select((
                idempotency_keys::fingerprint,
                idempotency_keys::status,
                idempotency_keys::body,
            ))
            .first(conn)
            .optional()?;
        match found {
            None => Ok(NextAction::StartProcessing),
            Some((stored, _, _)) if stored != self.fingerprint => Err(ApiError::validation(
                HEADER,
                "was already used with a different request body",
            )),
            Some((_, status, body)) => Ok(NextAction::ReturnSavedResponse(SavedResponse {
                status: u16::try_from(status).unwrap_or(200),
                body,
            })),
        }
    }

    /// Stores the first answer, in the transaction of the write it belongs to.
    pub fn save_response(
        &self,
        conn: &mut PgConnection,
        response: &SavedResponse,
    ) -> QueryResult<()> {
        let status = i16::try_from(response.status).unwrap_or(200);
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::scope.eq(&self.scope.0),
                idempotency_keys::key.eq(&self.key),
                idempotency_keys::fingerprint.eq(&self.fingerprint),
                idempotency_keys::status.eq(status),
                idempotency_keys::body.eq(&response.body),
                idempotency_keys::created_at.eq(diesel::dsl::now),
            ))
            .on_conflict((idempotency_keys::scope, idempotency_keys::key))
            .do_update()
            .set((
                idempotency_keys::fingerprint.eq(&self.fingerprint),
                idempotency_keys::status.eq(status),
                idempotency_keys::body.eq(&response.body),
                idempotency_keys::created_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// The saved answer to a retry, looked up without a lock before slow work; `None` when the
/// request sent no key or the key is new.
pub async fn saved_response(
    pool: &DbPool,
    idempotency: &Option<Idempotency>,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some(idempotency) = idempotency.clone() else {
        return Ok(None);
    };
    let next = with_conn(pool, move |conn| idempotency.peek(conn)).await?;
    Ok(match next {
        NextAction::StartProcessing => None,
        NextAction::ReturnSavedResponse(saved) => Some(saved.replay()),
    })
}

/// Runs `create` and answers 201 with what it returns, at most once per key: with a key,
/// the work, its answer and the key's record commit in one transaction, and a retry gets
/// the first answer. Without a key `create` runs as it is (it makes its own write atomic).
pub async fn create_once<T, F>(
    pool: &DbPool,
    idempotency: Option<Idempotency>,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
{
    let Some(idempotency) = idempotency else {
        let created = with_conn(pool, create).await?;
        return Ok(HttpResponse::Created().json(created));
    };
    let (saved, replayed) = with_conn(pool, move |conn| {
        conn.transaction(|conn| {
            if let NextAction::ReturnSavedResponse(saved) = idempotency.try_processing(conn)? {
                return Ok((saved, true));
            }
            let body = serde_json::to_value(create(conn)?).map_err(anyhow::Error::from)?;
            let saved = SavedResponse { status: 201, body };
            idempotency.save_response(conn, &saved)?;
            Ok((saved, false))
        })
    })
    .await?;
    Ok(if replayed {
        saved.replay()
    } else {
        HttpResponse::Created().json(saved.body)
    })
}

/// Deletes keys past retention once a minute, until the service stops.
pub fn spawn_purge(pool: DbPool, lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>) {
    crate::lifecycle::every(std::time::Duration::from_secs(60), lifecycle, move || {
        let pool = pool.clone();
        async move {
            if let Err(e) = with_conn(&pool, |conn| Ok(purge_expired(conn)?)).await {
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
