//! `POST /auth/register` (anyone: patients and doctors). Honours `Idempotency-Key`.

use super::views::UserView;
use crate::domain::account::{Registrar, RegistrationForm};
use crate::domain::passwords::Passwords;
use crate::usecases::email_verification;
use crate::usecases::{SessionPolicy, accounts};
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::audit::AuditContext;
use common::db::DbPool;
use common::idempotency::{IdempotencyKey, Scope, create_once};
use common::problem_responses::{Invalid, Malformed};
use common::validation::parse_body;

/// `POST /auth/register`. Callers: anyone; the role must be patient or doctor. A doctor
/// starts `approved: false`: no profile or prescribing until an admin approves them.
#[utoipa::path(post, path = "/auth/register", tag = "auth",
    request_body = crate::domain::account::RegistrationForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "The new user", body = UserView),
        Malformed,
        (status = 409, description = "Email already registered", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        (status = 429, description = "Too many sign-ups from this address this minute; see Retry-After", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn register(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    policy: web::Data<SessionPolicy>,
    audit: AuditContext,
    key: IdempotencyKey,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let idempotency = key.bind(Scope::anonymous(&req), &policy.idempotency_secret, &body)?;
    let account = parse_body::<RegistrationForm>(body)?.validate(Registrar::Public)?;
    let address = audit.client_address.clone().unwrap_or_default();
    accounts::admit_sign_up(&pool, &policy, &address).await?;
    let password_hash = passwords.hash(account.password.clone()).await?;
    let verification = policy.verification.clone();
    create_once(&pool, idempotency, move |conn| {
        let user = accounts::create(conn, None, &audit, &account, &password_hash)?;
        email_verification::send_link(conn, &verification, &user, &user.email)?;
        Ok(UserView::from(&user))
    })
    .await
}
