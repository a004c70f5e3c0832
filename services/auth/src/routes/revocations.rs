//! `GET /auth/revocations?since=`. Callers: the other services, presenting the shared
//! `REVOCATIONS_TOKEN` (open when none is configured, in development).

use crate::db::revocations;
use actix_web::{HttpRequest, web};
use common::ApiError;
use common::auth::revocations::RevocationList;
use common::config::Secret;
use common::db::{DbPool, with_conn};
use common::problem_responses::{Invalid, Unauthenticated};
use common::validation::timestamp;
use serde::Deserialize;

/// The secret a caller of the list must present.
pub struct RevocationAccess(pub Option<Secret>);

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceQuery {
    /// Only what changed after this (RFC 3339); everything without it
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    since: Option<String>,
}

/// Compares without stopping at the first difference, so timing does not leak the secret.
fn same_secret(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len()
        && presented
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[utoipa::path(get, path = "/auth/revocations", operation_id = "list_revocations", tag = "auth",
    security(("bearer" = [])),
    params(SinceQuery),
    responses(
        (status = 200, description = "Subjects whose tokens issued before not_before are refused; ask with since = as_of next time", body = RevocationList),
        Unauthenticated, Invalid))]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    access: web::Data<RevocationAccess>,
    query: web::Query<SinceQuery>,
) -> Result<web::Json<RevocationList>, ApiError> {
    if let Some(expected) = &access.0 {
        let presented = common::auth::BearerToken::of(&req)?;
        if !same_secret(&presented.0, expected.expose()) {
            return Err(ApiError::Unauthenticated(
                "the revocations token is invalid",
            ));
        }
    }
    let since = match query.into_inner().since {
        Some(raw) => Some(timestamp(raw).map_err(|e| ApiError::validation("since", e))?),
        None => None,
    };
    let list = with_conn(&pool, move |conn| {
        Ok(revocations::changed_since(conn, since)?)
    })
    .await?;
    Ok(web::Json(list))
}
