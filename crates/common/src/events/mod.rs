//! Events: every state change of an appointment, hold, waitlist entry or prescription is
//! written to the service's outbox in the transaction that makes it (`record`), then
//! delivered to webhook subscribers by a worker on every replica (`delivery`) and, with
//! `NATS_URL`, published to NATS JetStream by a relay (`stream`). One model
//! for every service that publishes: the types, the body, the tables, the signing.
//!
//! An event's `data` carries ids, times, statuses, the doctor's time zone and location:
//! never notes, medicines or other free text, because it leaves the system.

pub mod delivery;
pub mod inbox;
pub mod routes;
#[rustfmt::skip]
pub mod schema;
pub mod settings;
pub mod signing;
pub mod stream;
pub mod subscriptions;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use settings::EventSettings;

/// Every event type, as subscribers name them (`appointment.booked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    #[serde(rename = "appointment.booked")]
    AppointmentBooked,
    #[serde(rename = "appointment.held")]
    AppointmentHeld,
    #[serde(rename = "appointment.confirmed")]
    AppointmentConfirmed,
    #[serde(rename = "appointment.rescheduled")]
    AppointmentRescheduled,
    #[serde(rename = "appointment.cancelled")]
    AppointmentCancelled,
    #[serde(rename = "appointment.completed")]
    AppointmentCompleted,
    #[serde(rename = "appointment.no_show")]
    AppointmentNoShow,
    #[serde(rename = "appointment.expired")]
    AppointmentExpired,
    #[serde(rename = "waitlist.offered")]
    WaitlistOffered,
    #[serde(rename = "prescription.created")]
    PrescriptionCreated,
    #[serde(rename = "prescription.amended")]
    PrescriptionAmended,
    #[serde(rename = "prescription.status_changed")]
    PrescriptionStatusChanged,
    #[serde(rename = "prescription.dispensed")]
    PrescriptionDispensed,
}

impl EventType {
    pub const ALL: [EventType; 13] = [
        Self::AppointmentBooked,
        Self::AppointmentHeld,
        Self::AppointmentConfirmed,
        Self::AppointmentRescheduled,
        Self::AppointmentCancelled,
        Self::AppointmentCompleted,
        Self::AppointmentNoShow,
        Self::AppointmentExpired,
        Self::WaitlistOffered,
        Self::PrescriptionCreated,
        Self::PrescriptionAmended,
        Self::PrescriptionStatusChanged,
        Self::PrescriptionDispensed,
    ];

    /// What auth-service's e-mail notifications subscribe to.
    pub const NOTIFIED: [EventType; 6] = [
        Self::AppointmentBooked,
        Self::AppointmentConfirmed,
        Self::AppointmentRescheduled,
        Self::AppointmentCancelled,
        Self::AppointmentExpired,
        Self::WaitlistOffered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppointmentBooked => "appointment.booked",
            Self::AppointmentHeld => "appointment.held",
            Self::AppointmentConfirmed => "appointment.confirmed",
            Self::AppointmentRescheduled => "appointment.rescheduled",
            Self::AppointmentCancelled => "appointment.cancelled",
            Self::AppointmentCompleted => "appointment.completed",
            Self::AppointmentNoShow => "appointment.no_show",
            Self::AppointmentExpired => "appointment.expired",
            Self::WaitlistOffered => "waitlist.offered",
            Self::PrescriptionCreated => "prescription.created",
            Self::PrescriptionAmended => "prescription.amended",
            Self::PrescriptionStatusChanged => "prescription.status_changed",
            Self::PrescriptionDispensed => "prescription.dispensed",
        }
    }

    pub fn parse(raw: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// What a subscriber receives: `{id, type, occurred_at, data}`. The id is the same on every
/// retry (the `webhook-id` header), so a receiver can drop repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub id: uuid::Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// Writes an event about `aggregate` (the appointment, entry or prescription) to the
/// outbox, in the caller's transaction: it commits with the change or not at all.
pub fn record(
    conn: &mut PgConnection,
    kind: EventType,
    aggregate: uuid::Uuid,
    data: &impl Serialize,
) -> Result<(), crate::ApiError> {
    use schema::outbox_events as outbox;
    let data = serde_json::to_value(data).map_err(anyhow::Error::from)?;
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(uuid::Uuid::now_v7()),
            outbox::type_.eq(kind.as_str()),
            outbox::aggregate_id.eq(aggregate),
            outbox::occurred_at.eq(Utc::now().trunc_subsecs(6)),
            outbox::data.eq(data),
        ))
        .execute(conn)?;
    Ok(())
}
