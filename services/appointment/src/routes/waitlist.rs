//! `POST/GET /waitlist` and `DELETE /waitlist/{id}`. Callers: patients join; patients see
//! their own entries, doctors the entries for them, admins all; its patient or an admin
//! withdraws one; anyone else gets 404.

use super::views::WaitlistView;
use crate::SERVICE_NAME;
use crate::config::HoldSettings;
use crate::db::waitlist as entries;
use crate::domain::waitlist::{WaitlistForm, WaitlistStatus};
use crate::usecases::waitlist;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use common::audit::AuditContext;
use common::auth::{AuthenticatedUser, TokenNames, VerifiedCaller};
use common::db::{DbPool, with_conn};
use common::http::paged_records;
use common::idempotency::{IdempotencyKey, Scope, create_once};
use common::ids::WaitlistEntryId;
use common::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use common::validation::{Paging, Validator, parse_body};
use common::{ApiError, Role};
use serde::Deserialize;

/// `POST /waitlist` (patients) -> 201 `waiting`. `earliest < latest`, `latest` in the
/// future, at most 31 days apart (422); an unknown doctor -> 404. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/waitlist", operation_id = "join_waitlist", tag = "waitlist",
    security(("bearer" = [])),
    request_body = WaitlistForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "Waiting for a freed slot in the window", body = WaitlistView),
        Malformed, Unauthenticated, Forbidden,
        (status = 404, description = "No such doctor", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The patient already has MAX_WAITLIST_ENTRIES_PER_PATIENT (10) waiting or offered entries", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn join(
    pool: web::Data<DbPool>,
    holds: web::Data<HoldSettings>,
    VerifiedCaller(caller): VerifiedCaller,
    name: TokenNames,
    audit: AuditContext,
    key: IdempotencyKey,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Patient])?;
    let body = body.into_inner();
    let idempotency = key.bind(Scope::user(caller.id), SERVICE_NAME.as_bytes(), &body)?;
    let request = parse_body::<WaitlistForm>(body)?.validate(Utc::now())?;
    let max_entries = holds.max_waitlist_entries_per_patient;
    create_once(&pool, idempotency, move |conn| {
        waitlist::join(conn, &caller, &name, &audit, &request, max_entries).map(WaitlistView::from)
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitlistQuery {
    #[param(value_type = Option<WaitlistStatus>)]
    status: Option<String>,
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// `GET /waitlist?status=&limit=&offset=`: the caller's own entries (a doctor's: those for them; an
/// admin's: all), oldest first.
#[utoipa::path(get, path = "/waitlist", operation_id = "list_waitlist", tag = "waitlist",
    security(("bearer" = [])),
    params(WaitlistQuery),
    responses(
        (status = 200, description = "Oldest first; the count in X-Total-Count", body = Vec<WaitlistView>),
        Unauthenticated, Invalid))]
pub async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<WaitlistQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::new();
    let status = query
        .status
        .map(|s| v.check("status", WaitlistStatus::parse(&s)));
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref());
    let (Some(paging), true) = (paging, v.is_valid()) else {
        return Err(v.into_error());
    };
    let (status, visibility) = (status.flatten(), caller.visibility());
    let (rows, total) = with_conn(&pool, move |conn| {
        Ok(entries::list(conn, visibility, status, paging)?)
    })
    .await?;
    let views: Vec<WaitlistView> = rows.into_iter().map(Into::into).collect();
    Ok(paged_records(&views, total, |w| w.id.to_string()))
}

/// `DELETE /waitlist/{id}` -> 204 `withdrawn`; a pending offer is given up.
#[utoipa::path(delete, path = "/waitlist/{id}", operation_id = "withdraw_from_waitlist", tag = "waitlist",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "Already fulfilled or withdrawn", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<WaitlistEntryId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    with_conn(&pool, move |conn| {
        waitlist::withdraw(conn, &caller, &audit, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
