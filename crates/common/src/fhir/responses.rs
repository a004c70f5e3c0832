//! The OperationOutcome answers FHIR endpoints share, as OpenAPI responses named by one
//! word in `#[utoipa::path(responses(...))]`, like `crate::problem_responses`.

use super::outcome::OperationOutcome;
use utoipa::IntoResponses;

#[derive(IntoResponses)]
#[response(
    status = 401,
    description = "Missing, invalid or expired access token",
    content_type = "application/fhir+json"
)]
pub struct FhirUnauthenticated(pub OperationOutcome);

#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "Missing, or not the caller's (the same answer, so ids cannot be probed)",
    content_type = "application/fhir+json"
)]
pub struct FhirNotFound(pub OperationOutcome);

#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "A search parameter with a value it cannot take, named in the issue's expression",
    content_type = "application/fhir+json"
)]
pub struct FhirInvalid(pub OperationOutcome);

#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "The caller's role may not do this",
    content_type = "application/fhir+json"
)]
pub struct FhirForbidden(pub OperationOutcome);
