//! `POST /auth/unlock` (anyone holding the link mailed to an account's owner): lifts the
//! login ceiling of the account for the rest of the hour.

use crate::usecases::password_attempts;
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::db::{DbPool, with_conn};
use common::problem_responses::{Invalid, Malformed};
use common::validation::{Field, Validator};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UnlockForm {
    /// The token from the mailed link
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 512)]
    token: Field<String>,
}

#[utoipa::path(post, path = "/auth/unlock", operation_id = "unlock_account", tag = "auth",
    request_body = UnlockForm,
    responses(
        (status = 204, description = "Sign-ins from new addresses work again for the rest of the hour"),
        Malformed,
        (status = 400, description = "The token is unknown, used or of an hour gone (type .../invalid-token)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn unlock(
    pool: web::Data<DbPool>,
    body: web::Json<UnlockForm>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let token = v
        .required("token", body.into_inner().token, |raw: String| {
            if raw.is_empty() || raw.len() > 512 {
                Err("must be the token of an unlock link".to_owned())
            } else {
                Ok(raw)
            }
        })
        .ok_or_else(|| v.into_error())?;
    with_conn(&pool, move |conn| password_attempts::unlock(conn, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}
