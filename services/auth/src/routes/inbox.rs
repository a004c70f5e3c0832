//! `POST /internal/events`: appointment-service's events, delivered as signed webhooks
//! (Standard Webhooks, `NOTIFICATIONS_WEBHOOK_SECRET`), turned into patients' e-mail.
//! Callers: appointment-service's delivery worker only; anything unsigned is 401.

use crate::notifications_config::NotificationSettings;
use crate::usecases::notifications;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use common::ApiError;
use common::db::{DbPool, with_conn};
use common::events::Event;
use common::events::signing::verify;
use common::problem_responses::{Malformed, Unauthenticated};

/// A delivery older or newer than this is refused: a captured one cannot be replayed later.
const TOLERANCE_SECONDS: i64 = 300;

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
    authenticate(&req, &settings, &body)?;
    let event: Event = serde_json::from_slice(&body)
        .map_err(|e| ApiError::validation("body", format!("is not an event: {e}")))?;
    let settings = settings.into_inner();
    with_conn(&pool, move |conn| {
        notifications::receive(conn, &event, &settings)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn authenticate(
    req: &HttpRequest,
    settings: &NotificationSettings,
    body: &[u8],
) -> Result<(), ApiError> {
    const REFUSED: ApiError = ApiError::Unauthenticated("a valid webhook signature is required");
    let secret = settings.webhook_secret.as_ref().ok_or(REFUSED)?;
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let (Some(id), Some(timestamp), Some(signature)) = (
        header("webhook-id"),
        header("webhook-timestamp").and_then(|t| t.parse::<i64>().ok()),
        header("webhook-signature"),
    ) else {
        return Err(REFUSED);
    };
    if (Utc::now().timestamp() - timestamp).abs() > TOLERANCE_SECONDS
        || !verify(secret.expose(), id, timestamp, body, signature)
    {
        return Err(REFUSED);
    }
    Ok(())
}
