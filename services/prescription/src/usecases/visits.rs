//! A cancelled visit cancels its prescription: appointment-service's `appointment.cancelled`
//! and `appointment.no_show`, delivered to `POST /internal/events`, move the visit's
//! active or on-hold prescription to `cancelled` with the reason "appointment cancelled"
//! (a new, signed version, audited as the system's, and `prescription.status_changed`).
//! Once per visit, whatever the redeliveries; other event types change nothing.

use super::prescribing::write_status_change;
use crate::db::{prescriptions, visits};
use crate::domain::lifecycle::{PrescriptionStatus, StatusChange};
use common::ApiError;
use common::audit::AuditContext;
use common::events::{Event, EventType};
use common::ids::AppointmentId;
use common::signing_key::Signer;
use diesel::{Connection, PgConnection};

pub const REASON: &str = "appointment cancelled";

/// What became of a reported event.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its prescription is now cancelled.
    Cancelled,
    /// Nothing to do: another type, a visit reported before, or no prescription in force.
    Unchanged,
}

pub fn receive(
    conn: &mut PgConnection,
    signer: &Signer,
    event: &Event,
) -> Result<Outcome, ApiError> {
    let ends_the_visit = matches!(
        EventType::parse(&event.kind),
        Some(EventType::AppointmentCancelled | EventType::AppointmentNoShow)
    );
    if !ends_the_visit {
        return Ok(Outcome::Unchanged);
    }
    let appointment: AppointmentId = event.data["appointment_id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| ApiError::validation("data.appointment_id", "must be a UUID"))?;
    // No request of a user made this: the system acts, with no actor or address.
    let system = AuditContext {
        request_id: None,
        client_address: None,
    };
    conn.transaction(|conn| {
        visits::lock(conn, appointment)?;
        if !visits::record_cancelled(conn, appointment, event.id)? {
            return Ok(Outcome::Unchanged);
        }
        let Some(head) = prescriptions::find_for_appointment(conn, appointment)? else {
            return Ok(Outcome::Unchanged);
        };
        if !matches!(
            head.status.0,
            PrescriptionStatus::Active | PrescriptionStatus::OnHold
        ) {
            return Ok(Outcome::Unchanged);
        }
        let change = StatusChange {
            to: PrescriptionStatus::Cancelled,
            reason: Some(REASON.to_owned()),
        };
        write_status_change(conn, signer, None, &system, head, change)?;
        tracing::info!(appointment = %appointment, "a cancelled visit cancelled its prescription");
        Ok(Outcome::Cancelled)
    })
}
