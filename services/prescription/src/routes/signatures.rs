//! `GET /prescriptions/{id}/jws` (its patient, its doctor, admins): the current version's
//! compact JWS. `GET /prescriptions/{id}/verify` (anyone: what a pharmacy's scan of the
//! printed QR code opens): whether the stored signature still covers what is stored, and
//! nothing of the content. `GET /.well-known/jwks.json` (anyone): the keys that verify.

use crate::usecases::dispensing::{self, PrescriptionVerification};
use crate::usecases::signing;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::audit::PatientOfRequest;
use common::auth::{AuthenticatedUser, JwkSet};
use common::db::{DbPool, with_conn};
use common::ids::PrescriptionId;
use common::problem_responses::{Invalid, NotFound, Unauthenticated};
use common::signing_key::Signer;

#[utoipa::path(get, path = "/prescriptions/{id}/jws", operation_id = "get_prescription_jws", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The current version's compact JWS (alg EdDSA, kid; payload: the version's JSON); verify it with /.well-known/jwks.json. As text/plain when Accept prefers it (a compact JWS is ASCII; generic clients read no application/jose)", content(
            (String = "application/jose"),
            (String = "text/plain"))),
        Unauthenticated,
        NotFound))]
pub async fn jws(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<PrescriptionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let visibility = caller.visibility();
    let (patient, jws) = with_conn(&pool, move |conn| {
        signing::current_jws(conn, id, visibility)
    })
    .await?;
    PatientOfRequest::note(&req, patient);
    let jose: actix_web::mime::Mime = "application/jose"
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the JOSE media type: {e}")))?;
    let as_text = common::negotiation::prefers(&req, &actix_web::mime::TEXT_PLAIN, &jose);
    Ok(HttpResponse::Ok()
        .content_type(if as_text {
            "text/plain; charset=utf-8"
        } else {
            "application/jose"
        })
        .body(jws))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The version printed on the paper (the QR code carries it); the current one when
    /// left out
    #[param(value_type = Option<i32>, minimum = 1)]
    version: Option<String>,
}

#[utoipa::path(get, path = "/prescriptions/{id}/verify", operation_id = "verify_prescription", tag = "prescriptions",
    params(("id" = uuid::Uuid, Path), VerifyQuery),
    responses(
        (status = 200, description = "Anyone may ask, without a token (it is what the printed QR code opens): whether the paper's version is genuine (its stored signature verifies with a published key and covers that version as stored now), whether it is superseded, the prescription's status now, whether it may be dispensed and what is left of each medicine. Never the patient, the notes or the dosage", body = PrescriptionVerification),
        NotFound,
        Invalid))]
pub async fn verify(
    pool: web::Data<DbPool>,
    signer: web::Data<Signer>,
    id: web::Path<PrescriptionId>,
    query: web::Query<VerifyQuery>,
) -> Result<web::Json<PrescriptionVerification>, ApiError> {
    let id = id.into_inner();
    let version = match query.into_inner().version {
        None => None,
        Some(raw) => Some(raw.parse::<i32>().ok().filter(|v| *v >= 1).ok_or_else(|| {
            ApiError::validation("version", "must be a version number, 1 or more")
        })?),
    };
    let verification = with_conn(&pool, move |conn| {
        dispensing::verify(conn, &signer, id, version)
    })
    .await?;
    Ok(web::Json(verification))
}

#[utoipa::path(get, path = "/.well-known/jwks.json", operation_id = "prescription_signing_keys", tag = "prescriptions",
    responses(
        (status = 200, description = "The keys that verify prescription signatures: the current one first, then retired ones", body = common::auth::JwkSet)))]
pub async fn jwks(signer: web::Data<Signer>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(JwkSet::from_keys(signer.published_keys()))
}
