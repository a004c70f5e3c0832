//! `POST /auth/verify-email` (anyone holding the mailed link) and
//! `POST /auth/verify-email/resend` (the signed-in user).

use super::views::UserView;
use crate::usecases::{SessionPolicy, email_verification};
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::auth::AuthenticatedUser;
use common::db::DbPool;
use common::problem_responses::{Invalid, Malformed, Unauthenticated};
use common::validation::{Field, Validator};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct VerifyEmailForm {
    /// The token from the mailed link
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 512)]
    token: Field<String>,
}

#[utoipa::path(post, path = "/auth/verify-email", operation_id = "verify_email", tag = "auth",
    request_body = VerifyEmailForm,
    responses(
        (status = 200, description = "The user, email_verified true; the next token (a refresh) says so", body = UserView),
        Malformed,
        (status = 400, description = "The token is unknown, used, expired, or for an address the account has left (type .../invalid-token)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn verify(
    pool: web::Data<DbPool>,
    body: web::Json<VerifyEmailForm>,
) -> Result<web::Json<UserView>, ApiError> {
    let mut v = Validator::new();
    let token = v
        .required("token", body.into_inner().token, |raw: String| {
            if raw.is_empty() || raw.len() > 512 {
                Err("must be the token of a verification link".to_owned())
            } else {
                Ok(raw)
            }
        })
        .ok_or_else(|| v.into_error())?;
    let user = email_verification::verify(&pool, token).await?;
    Ok(web::Json(UserView::from(&user)))
}

#[utoipa::path(post, path = "/auth/verify-email/resend", operation_id = "resend_email_verification", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way to the account's address, unless it is verified already or five went out this hour"),
        Unauthenticated))]
pub async fn resend(
    pool: web::Data<DbPool>,
    policy: web::Data<SessionPolicy>,
    caller: AuthenticatedUser,
) -> Result<HttpResponse, ApiError> {
    email_verification::resend(&pool, &policy.verification, caller.id).await?;
    Ok(HttpResponse::Accepted().finish())
}
