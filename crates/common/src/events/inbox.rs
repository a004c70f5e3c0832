//! Receiving another service's events: a delivery is taken only when its Standard Webhooks
//! signature verifies with the shared secret and its timestamp is recent, so nobody else
//! can post one and a captured one cannot be replayed later.

use super::Event;
use super::signing::verify;
use crate::ApiError;
use crate::config::Secret;
use actix_web::HttpRequest;
use chrono::Utc;

/// A delivery older or newer than this is refused.
pub const TOLERANCE_SECONDS: i64 = 300;

/// The event in `body`, if `req` carries a valid signature of it by `secret` (401
/// otherwise, also when no secret is configured; 422 for a signed body that is no event).
pub fn signed_event(
    req: &HttpRequest,
    secret: Option<&Secret>,
    body: &[u8],
) -> Result<Event, ApiError> {
    const REFUSED: ApiError = ApiError::Unauthenticated("a valid webhook signature is required");
    let secret = secret.ok_or(REFUSED)?;
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
    serde_json::from_slice(body)
        .map_err(|e| ApiError::validation("body", format!("is not an event: {e}")))
}
