//! `GET /users/` and `POST /users/`. Callers: admins only.

use super::SessionPolicy;
use super::register::{Requester, create_account};
use super::views::UserView;
use crate::db::users;
use crate::domain::account::Registrar;
use crate::domain::passwords::Passwords;
use actix_web::{HttpRequest, HttpResponse, web};
use common::audit::AuditContext;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::http::paged;
use common::idempotency::{self, Scope};
use common::validation::{Paging, Validator};
use common::{ApiError, Role};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    role: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// `GET /users/?role=&limit=&offset=`: oldest first, total in `X-Total-Count`.
pub async fn list_users(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let query = query.into_inner();
    let mut v = Validator::new();
    let role = match query.role.as_deref().filter(|r| !r.is_empty()) {
        None => Some(None),
        Some(raw) => v.check(
            "role",
            raw.parse::<Role>().map(Some).map_err(|e| e.to_string()),
        ),
    };
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref());
    let (Some(role), Some(paging)) = (role, paging) else {
        return Err(v.into_error());
    };
    let (items, total) = with_conn(&pool, move |conn| Ok(users::list(conn, role, paging)?)).await?;
    let views: Vec<UserView> = items.iter().map(UserView::from).collect();
    Ok(paged(&views, total))
}

/// `POST /users/`: like register, but any role, including admin.
pub async fn create_user(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    policy: web::Data<SessionPolicy>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let idempotency = idempotency::key_from(&req)?.map(|key| (Scope(caller.id.to_string()), key));
    create_account(
        &pool,
        &passwords,
        &policy,
        body.into_inner(),
        Registrar::Admin,
        Requester {
            idempotency,
            audit,
            actor: Some(caller),
        },
    )
    .await
}
