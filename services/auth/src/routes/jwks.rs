//! `GET /.well-known/jwks.json`. Callers: anyone (the other services, API gateways).

use crate::domain::tokens::TokenIssuer;
use actix_web::{HttpResponse, web};
use common::auth::JwkSet;

#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth",
    responses(
        (status = 200, description = "Public keys that verify access tokens", body = common::auth::JwkSet)))]
pub async fn jwks(issuer: web::Data<TokenIssuer>) -> HttpResponse {
    HttpResponse::Ok()
        // Verifiers refetch on an unknown kid anyway; a short cache is safe during rotation.
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(JwkSet::from_keys(issuer.published_keys()))
}
