//! At the pharmacy: recording what was handed out, and what the printed QR code's check
//! answers (contract part 3 section 17).

use super::signing;
use crate::db::models::{DispenseRecord, Prescription};
use crate::db::{dispenses, prescriptions};
use crate::domain::dispensing::{
    DispenseForm, Dispensed, Remaining, all_items, dispensable, ensure_allowed, remaining,
};
use crate::domain::lifecycle::PrescriptionStatus;
use chrono::{SubsecRound, Utc};
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::{AuthenticatedUser, Visibility};
use common::events::{self, EventType};
use common::ids::PrescriptionId;
use common::signing_key::Signer;
use common::{ApiError, UserId};
use diesel::{Connection, PgConnection};
use std::collections::BTreeMap;

/// Records a dispense against the current version, under the prescription's lock: two
/// pharmacies at once queue, and the second is counted against what the first handed
/// out (409 when it wants more than is left). A version on the paper older than the
/// current one, or a prescription no longer `active`, is a 409 too.
pub fn dispense(
    conn: &mut PgConnection,
    pharmacist: &AuthenticatedUser,
    audit: &AuditContext,
    id: PrescriptionId,
    form: DispenseForm,
) -> Result<(Prescription, Dispensed), ApiError> {
    conn.transaction(|conn| {
        let head = prescriptions::find_visible(conn, id, pharmacist.visibility(), true)?
            .ok_or(ApiError::NotFound("prescription"))?;
        let medicines = prescriptions::version(conn, id, head.current_version)?
            .medicines
            .0;
        let wanted = form.validate(&medicines)?;
        if wanted.version.is_some_and(|v| v != head.current_version) {
            return Err(ApiError::Conflict(format!(
                "the paper is superseded: version {} is current",
                head.current_version
            )));
        }
        let so_far = all_items(&dispenses::of_one(conn, id)?);
        ensure_allowed(head.status.0, &medicines, &so_far, &wanted.items)?;
        let dispensed = Dispensed {
            id: uuid::Uuid::now_v7(),
            at: Utc::now().trunc_subsecs(6),
            pharmacist_id: pharmacist.id,
            version: head.current_version,
            items: wanted.items,
        };
        dispenses::insert(conn, &record_of(&head, &dispensed)?)?;
        let event = audit
            .event(Action::PrescriptionDispense)
            .by(pharmacist)
            .on(id)
            .patient(head.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        let mut handed_out = so_far;
        handed_out.extend(dispensed.items.iter().cloned());
        let data = DispensedData {
            prescription_id: id,
            appointment_id: head.appointment_id,
            patient_id: head.patient_id,
            doctor_id: head.doctor_id,
            pharmacist_id: pharmacist.id,
            dispense_id: dispensed.id,
            version: head.current_version,
            dispensable: dispensable(head.status.0, &medicines, &handed_out),
        };
        events::record(conn, EventType::PrescriptionDispensed, id.as_uuid(), &data)?;
        Ok((head, dispensed))
    })
}

fn record_of(head: &Prescription, dispensed: &Dispensed) -> Result<DispenseRecord, ApiError> {
    Ok(DispenseRecord {
        id: dispensed.id,
        prescription_id: head.id,
        version: dispensed.version,
        pharmacist_id: dispensed.pharmacist_id,
        dispensed_at: dispensed.at,
        items: serde_json::to_value(&dispensed.items).map_err(anyhow::Error::from)?,
    })
}

/// `prescription.dispensed`: ids, the version and whether anything is left; never the
/// medicines or amounts.
#[derive(Debug, serde::Serialize)]
struct DispensedData {
    prescription_id: PrescriptionId,
    appointment_id: common::ids::AppointmentId,
    patient_id: UserId,
    doctor_id: UserId,
    pharmacist_id: UserId,
    dispense_id: uuid::Uuid,
    version: i32,
    dispensable: bool,
}

/// What `/verify` answers: whether the paper is genuine, whether it is the current
/// version, and whether and how much may still be dispensed. Never who it is for or what
/// the medicines do: only their names, as printed on the paper in hand.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PrescriptionVerification {
    /// The stored signature of the asked version verifies with one of the published keys
    /// and covers that version exactly as stored now
    pub valid: bool,
    /// The version asked about (the QR's `?version=`; the current one when not given)
    pub version: i32,
    pub current_version: i32,
    /// The asked version is not the current one: the paper is out of date
    pub superseded: bool,
    /// The prescription's status now (not the paper's)
    pub status: PrescriptionStatus,
    /// True only for the current version of a valid, `active` prescription with something
    /// left to hand out
    pub dispensable: bool,
    /// What is left of each medicine of the current version, by name (a second medicine
    /// of the same name is "<name> (2)")
    pub remaining: BTreeMap<String, Remaining>,
    /// The key the signature names, null when there is no signature
    pub kid: Option<String>,
}

/// The check for `version` (the current one when `None`) of the prescription; a version
/// it never had answers 404.
pub fn verify(
    conn: &mut PgConnection,
    signer: &Signer,
    id: PrescriptionId,
    version: Option<i32>,
) -> Result<PrescriptionVerification, ApiError> {
    let head = prescriptions::find_visible(conn, id, Visibility::Everything, false)?
        .ok_or(ApiError::NotFound("prescription"))?;
    let asked = version.unwrap_or(head.current_version);
    if !(1..=head.current_version).contains(&asked) {
        return Err(ApiError::NotFound("prescription version"));
    }
    let (valid, kid) = signing::check_signature(conn, signer, &head, asked)?;
    let medicines = prescriptions::version(conn, id, head.current_version)?
        .medicines
        .0;
    let handed_out = all_items(&dispenses::of_one(conn, id)?);
    let superseded = asked != head.current_version;
    Ok(PrescriptionVerification {
        valid,
        version: asked,
        current_version: head.current_version,
        superseded,
        status: head.status.0,
        dispensable: valid && !superseded && dispensable(head.status.0, &medicines, &handed_out),
        remaining: remaining(&medicines, &handed_out),
        kid,
    })
}
