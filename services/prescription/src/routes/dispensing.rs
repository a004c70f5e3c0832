//! `POST /prescriptions/{id}/dispense` (pharmacists): what a pharmacy handed out, counted
//! against the prescription's quantities and refills.

use crate::SERVICE_NAME;
use crate::domain::dispensing::{DispenseForm, Dispensed, ensure_may_dispense};
use crate::usecases::dispensing;
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::audit::AuditContext;
use common::auth::AuthenticatedUser;
use common::db::DbPool;
use common::idempotency::{IdempotencyKey, Scope, create_once, saved_response};
use common::ids::PrescriptionId;
use common::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use common::validation::parse_body;

/// Two pharmacies dispensing the last of it at once: one 201, one 409.
#[utoipa::path(post, path = "/prescriptions/{id}/dispense", operation_id = "dispense_prescription", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer, nothing is counted twice")),
    request_body = DispenseForm,
    responses(
        (status = 201, description = "The dispense as recorded; it shows on the prescription (dispenses) and lowers what /verify says is left", body = Dispensed),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "Not dispensable: the prescription is not active, the paper's version is superseded, or an item asks for more than is left", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn dispense(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    key: IdempotencyKey,
    id: web::Path<PrescriptionId>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    ensure_may_dispense(&caller)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let idempotency = key.bind(Scope::user(caller.id), SERVICE_NAME.as_bytes(), &body)?;
    let form = parse_body::<DispenseForm>(body)?;
    if let Some(saved) = saved_response(&pool, &idempotency).await? {
        return Ok(saved);
    }
    create_once(&pool, idempotency, move |conn| {
        dispensing::dispense(conn, &caller, &audit, id, form).map(|(_, dispensed)| dispensed)
    })
    .await
}
