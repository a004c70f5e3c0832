//! `POST /auth/password-reset` and `POST /auth/password-reset/confirm` (anyone: the first
//! is asked by someone who cannot sign in, the second holds the mailed link).

use crate::domain::account::{Email, check_password};
use crate::domain::passwords::Passwords;
use crate::usecases::password_reset::{self, ResetPolicy};
use crate::usecases::{SessionPolicy, accounts, revocation};
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::audit::AuditContext;
use common::auth::TokenVerifier;
use common::db::{DbPool, with_conn};
use common::problem_responses::{Invalid, Malformed, RateLimited};
use common::validation::{Field, Validator};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ResetRequestForm {
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Email)]
    email: Field<String>,
}

/// The one answer to every reset request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetRequested {
    /// Always the same words: whether the address has an account is not said
    detail: &'static str,
}

const REQUESTED: &str =
    "If an account has this address, a link to choose a new password is on its way.";

#[utoipa::path(post, path = "/auth/password-reset", operation_id = "request_password_reset", tag = "auth",
    request_body = ResetRequestForm,
    responses(
        (status = 202, description = "The same body, at once, whether or not the address has an account; an enabled account is mailed a link (PUBLIC_PORTAL_URL/reset-password?token=...) valid PASSWORD_RESET_TTL_MINUTES, voiding older ones; at most PASSWORD_RESET_MAX_PER_HOUR mails per account an hour", body = ResetRequested),
        Malformed,
        Invalid,
        RateLimited))]
pub async fn request(
    pool: web::Data<DbPool>,
    policy: web::Data<SessionPolicy>,
    resets: web::Data<ResetPolicy>,
    audit: AuditContext,
    body: web::Json<ResetRequestForm>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let email = v
        .required("email", body.into_inner().email, Email::parse)
        .ok_or_else(|| v.into_error())?;
    // The register limit's budget per client address: asking is a mail-sending lever.
    let client = audit.client_address.clone().unwrap_or_default();
    accounts::admit_sign_up(&pool, &policy, &client).await?;
    let (pool, resets) = (pool.clone(), resets.clone());
    actix_web::rt::spawn(async move {
        let sent = with_conn(&pool, move |conn| {
            password_reset::mail_link(conn, &resets, email.as_str())
        })
        .await;
        if let Err(error) = sent {
            tracing::warn!(error = %error, "a password reset could not be queued");
        }
    });
    Ok(HttpResponse::Accepted().json(ResetRequested { detail: REQUESTED }))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ResetConfirmForm {
    /// The token from the mailed link
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 512)]
    token: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password, min_length = 8, max_length = 128)]
    new_password: Field<String>,
}

#[utoipa::path(post, path = "/auth/password-reset/confirm", operation_id = "confirm_password_reset", tag = "auth",
    request_body = ResetConfirmForm,
    responses(
        (status = 204, description = "The password is set; every login of the account ends (its refresh tokens, and its access tokens everywhere within REVOCATION_REFRESH_SECONDS), and the owner is mailed a notice"),
        Malformed,
        (status = 400, description = "The token is unknown, used, voided by a newer one or expired: one answer for all four (type .../invalid-token)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn confirm(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    verifier: web::Data<TokenVerifier>,
    audit: AuditContext,
    body: web::Json<ResetConfirmForm>,
) -> Result<HttpResponse, ApiError> {
    let form = body.into_inner();
    let mut v = Validator::new();
    let token = v.required("token", form.token, |raw: String| {
        if raw.is_empty() || raw.len() > 512 {
            Err("must be the token of a reset link".to_owned())
        } else {
            Ok(raw)
        }
    });
    let new_password = v.required("new_password", form.new_password, check_password);
    let (Some(token), Some(new_password)) = (token, new_password) else {
        return Err(v.into_error());
    };
    let done = password_reset::confirm(&pool, &passwords, audit, token, new_password).await?;
    revocation::apply_here(&verifier, done);
    Ok(HttpResponse::NoContent().finish())
}
