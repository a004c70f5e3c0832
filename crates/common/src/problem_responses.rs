//! The problem+json answers endpoints share, as OpenAPI responses named by one word in
//! `#[utoipa::path(responses(...))]`: `responses((status = 200, ...), Unauthenticated,
//! NotFound)`. An endpoint whose answer needs its own words keeps a tuple for that status.

use crate::error::Problem;
use utoipa::IntoResponses;

#[derive(IntoResponses)]
#[response(
    status = 400,
    description = "Malformed JSON or wrong content type",
    content_type = "application/problem+json"
)]
pub struct Malformed(pub Problem);

#[derive(IntoResponses)]
#[response(
    status = 401,
    description = "Missing, invalid or expired access token",
    content_type = "application/problem+json"
)]
pub struct Unauthenticated(pub Problem);

#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "The caller's role may not do this",
    content_type = "application/problem+json"
)]
pub struct Forbidden(pub Problem);

#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "Missing, or not the caller's (the same answer, so ids cannot be probed)",
    content_type = "application/problem+json"
)]
pub struct NotFound(pub Problem);

#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "Invalid fields, each named in errors",
    content_type = "application/problem+json"
)]
pub struct Invalid(pub Problem);

#[derive(IntoResponses)]
#[response(
    status = 429,
    description = "Too many attempts; see Retry-After",
    content_type = "application/problem+json"
)]
pub struct RateLimited(pub Problem);
