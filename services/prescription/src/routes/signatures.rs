//! `GET /prescriptions/{id}/jws` (its patient, its doctor, admins): the current version's
//! compact JWS. `GET /prescriptions/{id}/verify` (anyone: what a pharmacy's scan of the
//! printed QR code opens): whether the stored signature still covers what is stored, and
//! nothing of the content. `GET /.well-known/jwks.json` (anyone): the keys that verify.

use crate::usecases::signing::{self, SignatureCheck};
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::audit::PatientOfRequest;
use common::auth::{AuthenticatedUser, JwkSet};
use common::db::{DbPool, with_conn};
use common::ids::PrescriptionId;
use common::problem_responses::{NotFound, Unauthenticated};
use common::signing_key::Signer;

#[utoipa::path(get, path = "/prescriptions/{id}/jws", operation_id = "get_prescription_jws", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The current version's compact JWS (alg EdDSA, kid; payload: the version's JSON); verify it with /.well-known/jwks.json", body = String, content_type = "application/jose"),
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
    Ok(HttpResponse::Ok()
        .content_type("application/jose")
        .body(jws))
}

#[utoipa::path(get, path = "/prescriptions/{id}/verify", operation_id = "verify_prescription", tag = "prescriptions",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Anyone may ask, without a token (it is what the printed QR code opens): whether the stored signature verifies with a published key and covers the current version as stored now; never any content", body = SignatureCheck),
        NotFound))]
pub async fn verify(
    pool: web::Data<DbPool>,
    signer: web::Data<Signer>,
    id: web::Path<PrescriptionId>,
) -> Result<web::Json<SignatureCheck>, ApiError> {
    let id = id.into_inner();
    let verification = with_conn(&pool, move |conn| signing::verify(conn, &signer, id)).await?;
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
