//! `GET /admin/audit` and `GET /admin/audit/verify`. Callers: admins.

use super::AuditLog;
use super::chain::Verification;
use super::store::{self, Filter, StoredEvent};
use crate::auth::AuthenticatedUser;
use crate::db::{DbPool, with_conn};
use crate::http::paged;
use crate::problem_responses::{Forbidden, Invalid, Unauthenticated};
use crate::validation::{Paging, Validator, text, timestamp};
use crate::{ApiError, Role, UserId};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Events by this user
    #[param(value_type = Option<uuid::Uuid>)]
    actor_id: Option<String>,
    /// Events about this resource (its id as recorded), and list reads that returned it
    resource_id: Option<String>,
    /// Occurred at or after, RFC 3339
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    from: Option<String>,
    /// Occurred before, RFC 3339
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    to: Option<String>,
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// Audit events, newest first; `from` inclusive, `to` exclusive.
#[utoipa::path(get, path = "/admin/audit", operation_id = "list_audit_events", tag = "audit", params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Events; the total before paging in X-Total-Count", body = Vec<StoredEvent>),
        Unauthenticated, Forbidden, Invalid))]
pub(crate) async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let query = query.into_inner();
    let mut v = Validator::new();
    let actor_id = query.actor_id.map(|raw| {
        v.check(
            "actor_id",
            raw.parse::<UserId>()
                .map_err(|_| "must be a UUID".to_owned()),
        )
    });
    // Resource ids are UUIDs or short keys; anything else (a NUL, a line break) is a probe.
    let resource_id = query
        .resource_id
        .map(|raw| v.check("resource_id", text(1, 255)(raw)));
    let from = query.from.map(|raw| v.check("from", timestamp(raw)));
    let to = query.to.map(|raw| v.check("to", timestamp(raw)));
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref());
    let (Some(paging), true) = (paging, v.is_valid()) else {
        return Err(v.into_error());
    };
    let filter = Filter {
        actor_id: actor_id.flatten(),
        resource_id: resource_id.flatten(),
        from: from.flatten(),
        to: to.flatten(),
    };
    let (events, total): (Vec<StoredEvent>, i64) =
        with_conn(&pool, move |conn| Ok(store::list(conn, &filter, paging)?)).await?;
    Ok(paged(&events, total))
}

/// Seals pending events, records a signed checkpoint of the head, then recomputes the
/// whole keyed chain and checks every checkpoint: an edit, a recomputation without the
/// key, or events removed below any checkpoint answer `valid: false` with the `failure`.
#[utoipa::path(get, path = "/admin/audit/verify", operation_id = "verify_audit_chain", tag = "audit", security(("bearer" = [])),
    responses((status = 200, description = "Whether the chain and its checkpoints hold, how many events and checkpoints were checked, and the newest checkpoint that checked out", body = Verification),
        Unauthenticated, Forbidden))]
pub(crate) async fn check(
    log: web::Data<AuditLog>,
    caller: AuthenticatedUser,
) -> Result<web::Json<Verification>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(web::Json(log.verify().await?))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::http::get_resource("/admin/audit", list))
        .service(crate::http::get_resource("/admin/audit/verify", check));
}
