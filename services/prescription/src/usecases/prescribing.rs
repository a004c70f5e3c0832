//! Writing a prescription for a visit, amending it into a new version, and moving it
//! through its lifecycle (each move a version too).

use crate::db::models::{MedicinesColumn, Prescription, StatusColumn, Version};
use crate::db::{prescriptions, visits};
use crate::domain::lifecycle::{PrescriptionStatus, StatusChange, ensure_amendable, transition};
use crate::domain::medicine::Medicine;
use crate::domain::prescription::{Amendment, NewPrescription, ensure_no_duplicate_therapy};
use chrono::{SubsecRound, Utc};
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::{AuthenticatedUser, TokenNames};
use common::contracts::appointment::AppointmentSummary;
use common::db::ConflictOnUnique;
use common::events::{self, EventType};
use common::ids::PrescriptionId;
use common::signing_key::Signer;
use diesel::{Connection, PgConnection};

use super::signing;

/// Version 1 of a prescription for `appointment` (already checked with
/// `ensure_may_prescribe_for`): patient and doctor come from the appointment, never from
/// the body; the patient's name from the appointment, the doctor's from their token.
/// The prescription, its version and its audit event are one statement; a second
/// prescription for the appointment is a 409, and so is a duplicate therapy without an
/// override (checked under the patient's lock, so two at once cannot both pass).
pub fn create(
    conn: &mut PgConnection,
    signer: &Signer,
    doctor: &AuthenticatedUser,
    doctor_name: TokenNames,
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
        patient_first_name: appointment.patient_first_name(),
        patient_last_name: appointment.patient_last_name(),
        doctor_first_name: doctor_name.given_name,
        doctor_last_name: doctor_name.family_name,
    };
    let first = Version {
        prescription_id: head.id,
        version: 1,
        notes: prescription.notes,
        medicines: MedicinesColumn(prescription.medicines),
        created_at: now,
        status: StatusColumn(PrescriptionStatus::Active),
        status_reason: None,
        override_reason: prescription.override_reason,
    };
    let event = audit
        .event(Action::PrescriptionCreate)
        .by(doctor)
        .on(head.id)
        .patient(head.patient_id)
        .succeeded();
    conn.transaction(|conn| {
        visits::lock(conn, head.appointment_id)?;
        if visits::was_cancelled(conn, head.appointment_id)? {
            return Err(ApiError::Conflict(
                "the appointment was cancelled: it cannot be prescribed for".into(),
            ));
        }
        check_duplicates(conn, &head, &first, None)?;
        prescriptions::insert_audited(conn, &head, &first, &event)
            .conflict_on_unique("this appointment already has a prescription")?;
        signing::sign(conn, signer, &head, &first)?;
        if first.override_reason.is_some() {
            audit_override(conn, doctor, audit, &head)?;
        }
        publish(conn, EventType::PrescriptionCreated, &head, None)?;
        Ok((head, first))
    })
}

/// Takes the patient's lock and refuses `version`'s medicines if another active
/// prescription of the patient has one, unless it carries an override.
fn check_duplicates(
    conn: &mut PgConnection,
    head: &Prescription,
    version: &Version,
    except: Option<PrescriptionId>,
) -> Result<(), ApiError> {
    prescriptions::lock_patient(conn, head.patient_id)?;
    let active: Vec<(PrescriptionId, Vec<Medicine>)> =
        prescriptions::active_medicines_of(conn, head.patient_id, except)?
            .into_iter()
            .map(|(id, medicines)| (id, medicines.0))
            .collect();
    ensure_no_duplicate_therapy(
        &version.medicines.0,
        &active,
        version.override_reason.as_deref(),
    )
}

fn audit_override(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    head: &Prescription,
) -> Result<(), ApiError> {
    let event = audit
        .event(Action::PrescriptionDuplicateOverride)
        .by(doctor)
        .on(head.id)
        .patient(head.patient_id)
        .succeeded();
    audit_store::append(conn, &[event])?;
    Ok(())
}

/// The event: ids, status and version; never the medicines or notes.
#[derive(Debug, serde::Serialize)]
struct PrescriptionData {
    prescription_id: PrescriptionId,
    appointment_id: common::ids::AppointmentId,
    patient_id: common::UserId,
    doctor_id: common::UserId,
    status: &'static str,
    /// On `prescription.status_changed`: the status it left.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_status: Option<&'static str>,
    version: i32,
}

fn publish(
    conn: &mut PgConnection,
    kind: EventType,
    head: &Prescription,
    previous: Option<PrescriptionStatus>,
) -> Result<(), ApiError> {
    let data = PrescriptionData {
        prescription_id: head.id,
        appointment_id: head.appointment_id,
        patient_id: head.patient_id,
        doctor_id: head.doctor_id,
        status: head.status.0.as_str(),
        previous_status: previous.map(PrescriptionStatus::as_str),
        version: head.current_version,
    };
    events::record(conn, kind, head.id.as_uuid(), &data)
}

/// Writes the next version under a lock on the prescription, so concurrent amendments
/// queue; fields left out are carried over from the current version. Not the caller's
/// (another doctor's): 404; no longer active or on hold: 409; new medicines are checked
/// for duplicate therapy as when prescribing.
pub fn amend(
    conn: &mut PgConnection,
    signer: &Signer,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    id: PrescriptionId,
    amendment: Amendment,
) -> Result<(Prescription, Version), ApiError> {
    conn.transaction(|conn| {
        let head = prescriptions::find_visible(conn, id, doctor.visibility(), true)?
            .ok_or(ApiError::NotFound("prescription"))?;
        ensure_amendable(head.status.0)?;
        let current = prescriptions::version(conn, id, head.current_version)?;
        let new_medicines = amendment.medicines.is_some();
        let next = Version {
            prescription_id: id,
            version: head.current_version + 1,
            notes: amendment.notes.unwrap_or(current.notes),
            medicines: amendment
                .medicines
                .map_or(current.medicines, MedicinesColumn),
            created_at: Utc::now().trunc_subsecs(6),
            status: head.status,
            status_reason: None,
            override_reason: amendment.override_reason,
        };
        if new_medicines {
            check_duplicates(conn, &head, &next, Some(id))?;
        }
        let head = prescriptions::append(conn, &next)?;
        signing::sign(conn, signer, &head, &next)?;
        let event = audit
            .event(Action::PrescriptionAmend)
            .by(doctor)
            .on(id)
            .patient(head.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        if next.override_reason.is_some() {
            audit_override(conn, doctor, audit, &head)?;
        }
        publish(conn, EventType::PrescriptionAmended, &head, None)?;
        Ok((head, next))
    })
}

/// Moves the prescription to `change.to` as a new version with the same content, under
/// its lock: an illegal move is a 409 (see `lifecycle`). Not the caller's: 404.
pub fn change_status(
    conn: &mut PgConnection,
    signer: &Signer,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    id: PrescriptionId,
    change: StatusChange,
) -> Result<(Prescription, Version), ApiError> {
    conn.transaction(|conn| {
        let head = prescriptions::find_visible(conn, id, doctor.visibility(), true)?
            .ok_or(ApiError::NotFound("prescription"))?;
        write_status_change(conn, signer, Some(doctor), audit, head, change)
    })
}

/// The move of `head` (locked by the caller) as a new, signed version, its audit event
/// (by `actor`, or by the system) and its event.
pub fn write_status_change(
    conn: &mut PgConnection,
    signer: &Signer,
    actor: Option<&AuthenticatedUser>,
    audit: &AuditContext,
    head: Prescription,
    change: StatusChange,
) -> Result<(Prescription, Version), ApiError> {
    let previous = head.status.0;
    transition(previous, &change)?;
    let current = prescriptions::version(conn, head.id, head.current_version)?;
    let next = Version {
        prescription_id: head.id,
        version: head.current_version + 1,
        notes: current.notes,
        medicines: current.medicines,
        created_at: Utc::now().trunc_subsecs(6),
        status: StatusColumn(change.to),
        status_reason: change.reason,
        override_reason: None,
    };
    let head = prescriptions::append(conn, &next)?;
    signing::sign(conn, signer, &head, &next)?;
    let event = audit
        .event(Action::PrescriptionStatusChange)
        .by(actor)
        .on(head.id)
        .patient(head.patient_id)
        .succeeded();
    audit_store::append(conn, &[event])?;
    publish(
        conn,
        EventType::PrescriptionStatusChanged,
        &head,
        Some(previous),
    )?;
    Ok((head, next))
}
