//! `GET /users/` and `POST /users/`. Callers: admins only.

use super::views::UserView;
use crate::db::users::{self, UserFilter};
use crate::domain::account::{AccessForm, Registrar, RegistrationForm};
use crate::domain::passwords::Passwords;
use crate::usecases::{SessionPolicy, accounts, revocation};
use actix_web::{HttpResponse, web};
use common::audit::AuditContext;
use common::auth::{AuthenticatedUser, TokenVerifier};
use common::db::{DbPool, with_conn};
use common::http::paged_records;
use common::idempotency::{IdempotencyKey, Scope, create_once};
use common::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use common::validation::{Paging, Validator, parse_body};
use common::{ApiError, Role, UserId};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// patient, doctor or admin
    role: Option<String>,
    /// `false` with `role=doctor`: the doctors awaiting approval
    #[param(value_type = Option<bool>)]
    approved: Option<String>,
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

impl ListQuery {
    fn validate(self) -> Result<(UserFilter, Paging), ApiError> {
        let mut v = Validator::new();
        let role = match self.role.as_deref().filter(|r| !r.is_empty()) {
            None => Some(None),
            Some(raw) => v.check(
                "role",
                raw.parse::<Role>().map(Some).map_err(|e| e.to_string()),
            ),
        };
        let approved = match self.approved.as_deref().filter(|a| !a.is_empty()) {
            None => Some(None),
            Some("true") => Some(Some(true)),
            Some("false") => Some(Some(false)),
            Some(_) => v.check("approved", Err("must be true or false".to_owned())),
        };
        let paging = Paging::parse(&mut v, self.limit.as_deref(), self.offset.as_deref());
        match (role, approved, paging) {
            (Some(role), Some(approved), Some(paging)) => {
                Ok((UserFilter { role, approved }, paging))
            }
            _ => Err(v.into_error()),
        }
    }
}

/// `GET /users/?role=&approved=&limit=&offset=`: oldest first, total in `X-Total-Count`.
#[utoipa::path(get, path = "/users/", tag = "users",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Users; the total before paging in X-Total-Count", body = Vec<UserView>),
        Unauthenticated,
        Forbidden,
        Invalid))]
pub async fn list_users(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let (filter, paging) = query.into_inner().validate()?;
    let (items, total) =
        with_conn(&pool, move |conn| Ok(users::list(conn, filter, paging)?)).await?;
    let views: Vec<UserView> = items.iter().map(UserView::from).collect();
    Ok(paged_records(&views, total, |u| u.id.to_string()))
}

/// `POST /users/`: like register, but any role, including admin.
#[utoipa::path(post, path = "/users/", tag = "users",
    security(("bearer" = [])),
    request_body = crate::domain::account::RegistrationForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    responses(
        (status = 201, description = "The new user", body = UserView),
        Malformed,
        Unauthenticated,
        Forbidden,
        (status = 409, description = "Email already registered", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn create_user(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    policy: web::Data<SessionPolicy>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    key: IdempotencyKey,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let body = body.into_inner();
    let idempotency = key.bind(Scope::user(caller.id), &policy.idempotency_secret, &body)?;
    let account = parse_body::<RegistrationForm>(body)?.validate(Registrar::Admin)?;
    let password_hash = passwords.hash(account.password.clone()).await?;
    create_once(&pool, idempotency, move |conn| {
        let user = accounts::create(conn, Some(&caller), &audit, &account, &password_hash)?;
        Ok(UserView::from(&user))
    })
    .await
}

/// `GET /users/{id}`. Callers: admins.
#[utoipa::path(get, path = "/users/{id}", operation_id = "get_user", tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The account", body = UserView),
        Unauthenticated, Forbidden, NotFound))]
pub async fn get_user(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<UserId>,
) -> Result<web::Json<UserView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let user = with_conn(&pool, move |conn| {
        users::find(conn, id)?.ok_or(ApiError::NotFound("user"))
    })
    .await?;
    Ok(web::Json(UserView::from(&user)))
}

/// `PATCH /users/{id}` `{disabled?, role?, approved?}`. Callers: admins; not on their own
/// account's admin role or to disable it (409).
#[utoipa::path(patch, path = "/users/{id}", operation_id = "change_user_access", tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = AccessForm,
    responses(
        (status = 200, description = "The account as changed; disabling ended its logins", body = UserView),
        Malformed, Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "An admin disabling or demoting their own account", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn change_access(
    pool: web::Data<DbPool>,
    verifier: web::Data<TokenVerifier>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<UserId>,
    body: web::Json<AccessForm>,
) -> Result<web::Json<UserView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let changes = body.into_inner().validate()?;
    let id = id.into_inner();
    let (user, revocation) = with_conn(&pool, move |conn| {
        accounts::change_access(conn, &caller, &audit, id, changes)
    })
    .await?;
    if let Some(revocation) = revocation {
        revocation::apply_here(&verifier, revocation);
    }
    Ok(web::Json(UserView::from(&user)))
}
