//! `POST /internal/events`: appointment-service's events, delivered as signed webhooks
//! (Standard Webhooks, `PRESCRIPTIONS_WEBHOOK_SECRET`): a cancelled or missed visit
//! cancels its prescription. Callers: appointment-service's delivery worker only;
//! anything unsigned is 401.

use crate::usecases::visits;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::config::Secret;
use common::db::{DbPool, with_conn};
use common::events::Event;
use common::events::inbox::signed_event;
use common::problem_responses::{Malformed, Unauthenticated};
use common::signing_key::Signer;

/// The secret appointment-service signs its deliveries here with.
#[derive(Debug, Clone)]
pub struct InboxSecret(pub Option<Secret>);

/// `POST /internal/events` -> 204 (also for a redelivery or a type that changes nothing).
#[utoipa::path(post, path = "/internal/events", operation_id = "receive_appointment_event", tag = "events",
    request_body(content = Event, description = "An event of appointment-service, signed with webhook-id, webhook-timestamp and webhook-signature"),
    responses(
        (status = 204, description = "Taken (acted on once, whatever the redeliveries)"),
        Malformed,
        Unauthenticated,
        (status = 422, description = "Signed, but not an event body", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn receive(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    signer: web::Data<Signer>,
    secret: web::Data<InboxSecret>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let event = signed_event(&req, secret.0.as_ref(), &body)?;
    with_conn(&pool, move |conn| visits::receive(conn, &signer, &event)).await?;
    Ok(HttpResponse::NoContent().finish())
}
