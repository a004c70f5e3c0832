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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// patient, doctor or admin
    role: Option<String>,
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>)]
    offset: Option<String>,
}

/// `GET /users/?role=&limit=&offset=`: oldest first, total in `X-Total-Count`.
#[utoipa::path(get, path = "/users/", tag = "users",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Users; the total before paging in X-Total-Count", body = Vec<UserView>),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
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
#[utoipa::path(post, path = "/users/", tag = "users",
    security(("bearer" = [])),
    request_body = crate::domain::account::RegistrationForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    responses(
        (status = 201, body = UserView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already registered", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
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
