//! `POST /internal/events`: appointment-service's events, delivered as signed webhooks
//! (Standard Webhooks, `NOTIFICATIONS_WEBHOOK_SECRET`), turned into patients' e-mail.
//! Callers: appointment-service's delivery worker only; anything unsigned is 401.

use crate::notifications_config::NotificationSettings;
use crate::usecases::notifications;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::db::{DbPool, with_conn};
use common::events::Event;
use common::events::inbox::signed_event;
use common::problem_responses::{Malformed, Unauthenticated};

/// `POST /internal/events` -> 204 (also for a redelivery or a type that sends no mail).
#[utoipa::path(post, path = "/internal/events", operation_id = "receive_event", tag = "notifications",
    request_body(content = Event, description = "An event of appointment-service, signed with webhook-id, webhook-timestamp and webhook-signature"),
    responses(
        (status = 204, description = "Taken (acted on once, whatever the redeliveries)"),
        Malformed,
        Unauthenticated,
        (status = 422, description = "Signed, but not an event body", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn receive(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    settings: web::Data<NotificationSettings>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let event = signed_event(&req, settings.webhook_secret.as_ref(), &body)?;
    let settings = settings.into_inner();
    with_conn(&pool, move |conn| {
        notifications::receive(conn, &event, &settings)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
