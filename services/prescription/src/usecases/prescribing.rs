//! Writing a prescription for a visit, and amending it into a new version.

use crate::db::models::{MedicinesColumn, Prescription, StatusColumn, Version};
use crate::db::prescriptions;
use crate::domain::prescription::{Amendment, NewPrescription, PrescriptionStatus};
use chrono::{SubsecRound, Utc};
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::contracts::appointment::AppointmentSummary;
use common::db::ConflictOnUnique;
use common::events::{self, EventType};
use common::ids::PrescriptionId;
use diesel::{Connection, PgConnection};

/// Version 1 of a prescription for `appointment` (already checked with
/// `ensure_may_prescribe_for`): patient and doctor come from the appointment, never from
/// the body. The prescription, its version and its audit event are one statement; a second
/// prescription for the appointment is a 409.
pub fn create(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    appointment: &AppointmentSummary,
    prescription: NewPrescription,
) -> Result<(Prescription, Version), ApiError> {
    // PostgreSQL keeps microseconds; the answer must equal what a later read returns.
    let now = Utc::now().trunc_subsecs(6);
    let head = Prescription {
        id: PrescriptionId::new(),
        appointment_id: appointment.id,
        doctor_id: appointment.doctor_id,
        patient_id: appointment.patient_id,
        status: StatusColumn(PrescriptionStatus::Active),
        current_version: 1,
        created_at: now,
        updated_at: now,
    };
    let first = Version {
        prescription_id: head.id,
        version: 1,
        notes: prescription.notes,
        medicines: MedicinesColumn(prescription.medicines),
        created_at: now,
    };
    let event = audit
        .event(Action::PrescriptionCreate)
        .by(doctor)
        .on(head.id)
        .patient(head.patient_id)
        .succeeded();
    conn.transaction(|conn| {
        prescriptions::insert_audited(conn, &head, &first, &event)
            .conflict_on_unique("this appointment already has a prescription")?;
        publish(conn, EventType::PrescriptionCreated, &head)?;
        Ok((head, first))
    })
}

/// The event: ids, status and version; never the medicines or notes.
#[derive(Debug, serde::Serialize)]
struct PrescriptionData {
    prescription_id: PrescriptionId,
    appointment_id: common::ids::AppointmentId,
    patient_id: common::UserId,
    doctor_id: common::UserId,
    status: &'static str,
    version: i32,
}

fn publish(conn: &mut PgConnection, kind: EventType, head: &Prescription) -> Result<(), ApiError> {
    let data = PrescriptionData {
        prescription_id: head.id,
        appointment_id: head.appointment_id,
        patient_id: head.patient_id,
        doctor_id: head.doctor_id,
        status: head.status.0.as_str(),
        version: head.current_version,
    };
    events::record(conn, kind, head.id.as_uuid(), &data)
}

/// Writes the next version under a lock on the prescription, so concurrent amendments
/// queue; fields left out are carried over from the current version. Not the caller's
/// (another doctor's): 404.
pub fn amend(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    id: PrescriptionId,
    amendment: Amendment,
) -> Result<(Prescription, Version), ApiError> {
    conn.transaction(|conn| {
        let head = prescriptions::find_visible(conn, id, doctor.visibility(), true)?
            .ok_or(ApiError::NotFound("prescription"))?;
        let current = prescriptions::version(conn, id, head.current_version)?;
        let next = Version {
            prescription_id: id,
            version: head.current_version + 1,
            notes: amendment.notes.unwrap_or(current.notes),
            medicines: amendment
                .medicines
                .map_or(current.medicines, MedicinesColumn),
            created_at: Utc::now().trunc_subsecs(6),
        };
        let head = prescriptions::append(conn, &next)?;
        let event = audit
            .event(Action::PrescriptionAmend)
            .by(doctor)
            .on(id)
            .patient(head.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        publish(conn, EventType::PrescriptionAmended, &head)?;
        Ok((head, next))
    })
}
