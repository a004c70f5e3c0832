//! `POST/GET /admin/webhooks`, `DELETE /admin/webhooks/{id}` and
//! `GET /admin/webhooks/{id}/deliveries`, in every service that publishes events.
//! Callers: admins.

use super::signing::{SecretBox, generate_secret};
use super::subscriptions::{self, AttemptView, Deletion, Subscription, check_target};
use super::{EventSettings, EventType};
use crate::audit::{Action, AuditContext, store as audit_store};
use crate::auth::AuthenticatedUser;
use crate::db::{DbPool, with_conn};
use crate::http::paged;
use crate::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use crate::validation::{Field, Validator, text};
use crate::{ApiError, Role};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::{Deserialize, Serialize};

/// The webhooks' shared state: how secrets are sealed, and the delivery settings.
pub struct Webhooks {
    pub secrets: SecretBox,
    pub settings: EventSettings,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionForm {
    /// http(s); a private, loopback or link-local address is refused unless
    /// WEBHOOK_ALLOW_PRIVATE_URLS=true
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "https://ehr.example.com/hooks")]
    pub url: Field<String>,
    /// The event types to receive
    #[serde(default)]
    #[schema(value_type = Vec<EventType>, required = true)]
    pub events: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub description: Field<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    pub id: uuid::Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set on a subscription the service keeps for itself from its configuration (its
    /// name); such a one cannot be deleted here (409)
    #[serde(default)]
    pub kept_as: Option<String>,
}

impl From<Subscription> for SubscriptionView {
    fn from(s: Subscription) -> Self {
        Self {
            events: s.event_types(),
            kept_as: s.kept_as,
            id: s.id,
            url: s.url,
            description: s.description,
            created_at: s.created_at,
        }
    }
}

/// The answer to `POST /admin/webhooks`: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedSubscriptionView {
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// `whsec_...`: verify each delivery's `webhook-signature` with it; it cannot be read
    /// back
    pub secret: String,
}

fn event_types(v: &mut Validator, raw: Field<Vec<String>>) -> Option<Vec<EventType>> {
    let names = v.required("events", raw, |names: Vec<String>| {
        if names.is_empty() {
            Err("must name at least one event type".to_owned())
        } else {
            Ok(names)
        }
    })?;
    let mut types = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        match EventType::parse(name.trim()) {
            Some(kind) if !types.contains(&kind) => types.push(kind),
            Some(_) => {}
            None => v.push(
                &format!("events[{i}]"),
                "is not an event type (see the event catalogue)",
            ),
        }
    }
    v.is_valid().then_some(types)
}

/// `POST /admin/webhooks` -> 201 with the secret (once).
#[utoipa::path(post, path = "/admin/webhooks", operation_id = "create_webhook", tag = "webhooks",
    security(("bearer" = [])),
    request_body = SubscriptionForm,
    responses(
        (status = 201, description = "Subscribed; the secret is shown this once; audited (webhook.create)", body = CreatedSubscriptionView),
        Malformed, Unauthenticated, Forbidden, Invalid))]
pub async fn create(
    pool: web::Data<DbPool>,
    webhooks: web::Data<Webhooks>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<SubscriptionForm>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let form = body.into_inner();
    let mut v = Validator::new();
    let url = v.required("url", form.url, |u: String| text(1, 2000)(u));
    let events = event_types(&mut v, form.events);
    let description = v.optional("description", form.description, text(1, 200));
    let (Some(url), Some(events), Some(description)) = (url, events, description) else {
        return Err(v.into_error());
    };
    let url = check_target(&url, webhooks.settings.allow_private_urls)
        .await
        .map_err(|e| ApiError::validation("url", e))?;
    let secret = generate_secret()?;
    let sealed = webhooks.secrets.seal(&secret)?;
    let created = with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let created = subscriptions::insert(
                conn,
                url.as_str(),
                &events,
                description.as_deref(),
                &sealed,
            )?;
            let event = audit
                .event(Action::WebhookCreate)
                .by(&caller)
                .on(created.id)
                .succeeded();
            audit_store::append(conn, &[event])?;
            Ok(created)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedSubscriptionView {
        subscription: created.into(),
        secret,
    }))
}

/// `GET /admin/webhooks`: the live subscriptions, oldest first (no secrets).
#[utoipa::path(get, path = "/admin/webhooks", operation_id = "list_webhooks", tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Live subscriptions (not paged); the count in X-Total-Count", body = Vec<SubscriptionView>),
        Unauthenticated, Forbidden))]
pub async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let all = with_conn(&pool, |conn| Ok(subscriptions::list(conn)?)).await?;
    let views: Vec<SubscriptionView> = all.into_iter().map(Into::into).collect();
    Ok(paged(
        &views,
        i64::try_from(views.len()).unwrap_or(i64::MAX),
    ))
}

/// `DELETE /admin/webhooks/{id}` -> 204; nothing more is sent to it.
#[utoipa::path(delete, path = "/admin/webhooks/{id}", operation_id = "delete_webhook", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Unsubscribed; pending deliveries are dropped; audited (webhook.delete)"),
        Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "A subscription the service keeps for itself (kept_as): only its configuration variable changes it", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| match subscriptions::delete(conn, id)? {
            Deletion::Deleted => {
                let event = audit
                    .event(Action::WebhookDelete)
                    .by(&caller)
                    .on(id)
                    .succeeded();
                audit_store::append(conn, &[event])?;
                Ok(())
            }
            Deletion::NotFound => Err(ApiError::NotFound("webhook")),
            Deletion::Kept(name) => Err(ApiError::Conflict(format!(
                "the service keeps the {name} subscription for itself; change it through its configuration"
            ))),
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /admin/webhooks/{id}/deliveries`: every attempt, newest first (the last 500).
#[utoipa::path(get, path = "/admin/webhooks/{id}/deliveries", operation_id = "list_webhook_deliveries", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Attempts, newest first (the last 500, not paged); their count in X-Total-Count", body = Vec<AttemptView>),
        Unauthenticated, Forbidden, NotFound))]
pub async fn deliveries(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let attempts = with_conn(&pool, move |conn| {
        subscriptions::find(conn, id)?.ok_or(ApiError::NotFound("webhook"))?;
        Ok(subscriptions::attempts(conn, id, 500)?)
    })
    .await?;
    Ok(paged(
        &attempts,
        i64::try_from(attempts.len()).unwrap_or(i64::MAX),
    ))
}
