//! `POST /auth/register` (anyone: patients and doctors) and the account creation it shares
//! with `POST /users/` (admins: any role). Both honour `Idempotency-Key`.

use super::SessionPolicy;
use super::views::UserView;
use crate::db::models::NewUser;
use crate::db::users;
use crate::domain::account::{Registrar, RegistrationForm};
use crate::domain::passwords::Passwords;
use actix_web::{HttpRequest, HttpResponse, web};
use common::audit::{AuditContext, Outcome, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::http::client_address;
use common::idempotency::{self, Key, Lookup, Scope, StoredResponse};
use common::{ApiError, UserId};
use diesel::Connection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

fn email_taken(error: DieselError) -> ApiError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Conflict("an account with this email already exists".into())
        }
        other => other.into(),
    }
}

/// Who asks for the account: their idempotency key, audit context and identity (none for
/// self-registration).
pub(super) struct Requester {
    pub idempotency: Option<(Scope, Key)>,
    pub audit: AuditContext,
    pub actor: Option<AuthenticatedUser>,
}

/// Validates, hashes (off the async workers), and inserts the user together with its
/// idempotency record in one transaction.
pub(super) async fn create_account(
    pool: &DbPool,
    passwords: &Passwords,
    policy: &SessionPolicy,
    body: serde_json::Value,
    registrar: Registrar,
    requester: Requester,
) -> Result<HttpResponse, ApiError> {
    let Requester {
        idempotency,
        audit,
        actor,
    } = requester;
    // Only a keyed request is ever compared: no canonical JSON and HMAC for the rest.
    let fingerprint = if idempotency.is_some() {
        idempotency::fingerprint(&policy.idempotency_secret, &body)
    } else {
        Vec::new()
    };
    let form: RegistrationForm = serde_json::from_value(body)
        .map_err(|e| ApiError::validation("body", format!("unexpected shape: {e}")))?;
    let account = form.validate(registrar)?;
    let password_hash = passwords.hash(account.password.clone()).await?;
    let response = with_conn(pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            if let Some((scope, key)) = &idempotency {
                match idempotency::begin(conn, scope, key, &fingerprint)? {
                    Lookup::Replay(stored) => return Ok((stored, true)),
                    Lookup::Mismatch => return Err(mismatch()),
                    Lookup::New => {}
                }
            }
            let user = users::insert(
                conn,
                &NewUser {
                    id: UserId::new(),
                    email: account.email.as_str(),
                    password_hash: &password_hash,
                    role: account.role,
                    first_name: &account.first_name,
                    last_name: &account.last_name,
                },
            )
            .map_err(email_taken)?;
            let patient = (user.role == common::Role::Patient).then_some(user.id);
            let event = audit.event(
                actor.as_ref(),
                "user.create",
                "user",
                Some(user.id.to_string()),
                patient,
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            let created = StoredResponse {
                status: 201,
                body: serde_json::to_value(UserView::from(&user))
                    .map_err(|e| ApiError::Internal(e.into()))?,
            };
            if let Some((scope, key)) = &idempotency {
                idempotency::record(conn, scope, key, &fingerprint, &created)?;
            }
            Ok((created, false))
        })
    })
    .await?;
    Ok(match response {
        (stored, true) => stored.replay(),
        (created, false) => HttpResponse::Created().json(created.body),
    })
}

fn mismatch() -> ApiError {
    ApiError::validation(
        idempotency::HEADER,
        "was already used with a different request body",
    )
}

/// `POST /auth/register`. Callers: anyone; the role must be patient or doctor.
#[utoipa::path(post, path = "/auth/register", tag = "auth",
    request_body = crate::domain::account::RegistrationForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "The new user", body = UserView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already registered", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn register(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    policy: web::Data<SessionPolicy>,
    audit: AuditContext,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = idempotency::key_from(&req)?
        .map(|key| (Scope(format!("anonymous:{}", client_address(&req))), key));
    create_account(
        &pool,
        &passwords,
        &policy,
        body.into_inner(),
        Registrar::Public,
        Requester {
            idempotency,
            audit,
            actor: None,
        },
    )
    .await
}
