use super::models::{Prescription, Version};
use super::schema::{prescription_versions, prescriptions};
use common::auth::Visibility;
use common::ids::PrescriptionId;
use common::validation::Paging;
use diesel::prelude::*;

type Condition = Box<
    dyn BoxableExpression<prescriptions::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>,
>;

/// Who may see one prescription they name by its id.
fn visible_to(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::Everything | Visibility::ByIdOnly => {
            Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("TRUE"))
        }
        Visibility::AsPatient(id) => Box::new(prescriptions::patient_id.eq(id)),
        Visibility::AsDoctor(id) => Box::new(prescriptions::doctor_id.eq(id)),
    }
}

/// Who may find prescriptions in a list or search: a pharmacist finds none (they read
/// the one on the paper in front of them).
fn listed_to(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::ByIdOnly => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")),
        other => visible_to(other),
    }
}

/// Which of the visible prescriptions a search asks for; empty fields ask for all.
#[derive(Debug, Clone, Default)]
pub struct PrescriptionFilter {
    pub patient: Option<common::UserId>,
    pub doctor: Option<common::UserId>,
    /// Any of these current statuses.
    pub statuses: Vec<crate::domain::lifecycle::PrescriptionStatus>,
}

fn matching(visibility: Visibility, filter: &PrescriptionFilter) -> Condition {
    let mut condition = listed_to(visibility);
    if let Some(patient) = filter.patient {
        condition = Box::new(condition.and(prescriptions::patient_id.eq(patient)));
    }
    if let Some(doctor) = filter.doctor {
        condition = Box::new(condition.and(prescriptions::doctor_id.eq(doctor)));
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        condition = Box::new(condition.and(prescriptions::status.eq_any(statuses)));
    }
    condition
}

/// The prescription, its first version and its audit event in one statement: one round
/// trip, all three rows or none (a second prescription for the appointment fails whole).
pub fn insert_audited(
    conn: &mut PgConnection,
    head: &Prescription,
    first: &Version,
    event: &common::audit::AuditEvent,
) -> QueryResult<usize> {
    use diesel::sql_types::{Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
    diesel::sql_query(
        "WITH head AS ( \
           INSERT INTO prescriptions (id, appointment_id, doctor_id, patient_id, status, \
             current_version, created_at, updated_at, patient_first_name, patient_last_name, \
             doctor_first_name, doctor_last_name) \
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $18, $19, $20, $21) RETURNING id), \
         first_version AS ( \
           INSERT INTO prescription_versions (prescription_id, version, notes, medicines, \
             created_at, status, override_reason) \
           SELECT id, $6, $8, $9, $7, $5, $17 FROM head), \
         audited AS ( \
           INSERT INTO audit_log (occurred_at, actor_id, actor_role, action, resource_type, \
             resource_id, patient_id, outcome, request_id, client_address) \
           SELECT $10, $11, $12, $13, 'prescription', head.id::text, $4, $14, $15, $16 FROM head) \
         SELECT id FROM head",
    )
    .bind::<SqlUuid, _>(head.id.as_uuid())
    .bind::<SqlUuid, _>(head.appointment_id.as_uuid())
    .bind::<SqlUuid, _>(head.doctor_id.as_uuid())
    .bind::<SqlUuid, _>(head.patient_id.as_uuid())
    .bind::<Text, _>(head.status.0.as_str())
    .bind::<Int4, _>(first.version)
    .bind::<Timestamptz, _>(head.created_at)
    .bind::<Nullable<Text>, _>(first.notes.as_deref())
    .bind::<Jsonb, _>(&first.medicines)
    .bind::<Timestamptz, _>(event.occurred_at)
    .bind::<Nullable<SqlUuid>, _>(event.actor_id.map(|a| a.as_uuid()))
    .bind::<Nullable<Text>, _>(event.actor_role.map(common::Role::as_str))
    .bind::<Text, _>(&event.action)
    .bind::<Text, _>(event.outcome.as_str())
    .bind::<Nullable<Text>, _>(event.request_id.as_deref())
    .bind::<Nullable<Text>, _>(event.client_address.as_deref())
    .bind::<Nullable<Text>, _>(first.override_reason.as_deref())
    .bind::<Nullable<Text>, _>(head.patient_first_name.as_deref())
    .bind::<Nullable<Text>, _>(head.patient_last_name.as_deref())
    .bind::<Nullable<Text>, _>(head.doctor_first_name.as_deref())
    .bind::<Nullable<Text>, _>(head.doctor_last_name.as_deref())
    .execute(conn)
}

/// The prescription if the caller may see it; `for_update` locks it for an amendment.
pub fn find_visible(
    conn: &mut PgConnection,
    id: PrescriptionId,
    visibility: Visibility,
    for_update: bool,
) -> QueryResult<Option<Prescription>> {
    let query = prescriptions::table
        .filter(prescriptions::id.eq(id))
        .filter(visible_to(visibility))
        .select(Prescription::as_select());
    if for_update {
        query.for_update().first(conn).optional()
    } else {
        query.first(conn).optional()
    }
}

/// The visit's prescription, locked for a change.
pub fn find_for_appointment(
    conn: &mut PgConnection,
    appointment: common::ids::AppointmentId,
) -> QueryResult<Option<Prescription>> {
    prescriptions::table
        .filter(prescriptions::appointment_id.eq(appointment))
        .select(Prescription::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn version(conn: &mut PgConnection, id: PrescriptionId, number: i32) -> QueryResult<Version> {
    prescription_versions::table
        .find((id, number))
        .select(Version::as_select())
        .first(conn)
}

/// Every version, oldest first.
pub fn versions(conn: &mut PgConnection, id: PrescriptionId) -> QueryResult<Vec<Version>> {
    prescription_versions::table
        .filter(prescription_versions::prescription_id.eq(id))
        .order(prescription_versions::version.asc())
        .select(Version::as_select())
        .load(conn)
}

/// A page of visible prescriptions with their current content, newest first, and the
/// total before paging.
pub fn list(
    conn: &mut PgConnection,
    visibility: Visibility,
    filter: &PrescriptionFilter,
    paging: Paging,
) -> QueryResult<(Vec<(Prescription, Version)>, i64)> {
    let total = prescriptions::table
        .filter(matching(visibility, filter))
        .count()
        .get_result(conn)?;
    let heads: Vec<Prescription> = prescriptions::table
        .filter(matching(visibility, filter))
        .order((prescriptions::created_at.desc(), prescriptions::id.desc()))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(Prescription::as_select())
        .load(conn)?;
    let ids: Vec<PrescriptionId> = heads.iter().map(|h| h.id).collect();
    let mut current: std::collections::HashMap<(PrescriptionId, i32), Version> =
        prescription_versions::table
            .inner_join(prescriptions::table)
            .filter(prescription_versions::prescription_id.eq_any(&ids))
            .filter(prescription_versions::version.eq(prescriptions::current_version))
            .select(Version::as_select())
            .load(conn)?
            .into_iter()
            .map(|v| ((v.prescription_id, v.version), v))
            .collect();
    let items = heads
        .into_iter()
        .filter_map(|head| {
            let version = current.remove(&(head.id, head.current_version))?;
            Some((head, version))
        })
        .collect();
    Ok((items, total))
}

/// Adds `next` as the newest version and points the prescription at it (and at its
/// status). Earlier versions are never touched (the table refuses UPDATE and DELETE).
pub fn append(conn: &mut PgConnection, next: &Version) -> QueryResult<Prescription> {
    diesel::insert_into(prescription_versions::table)
        .values(next)
        .execute(conn)?;
    diesel::update(prescriptions::table.find(next.prescription_id))
        .set((
            prescriptions::current_version.eq(next.version),
            prescriptions::status.eq(&next.status),
            prescriptions::updated_at.eq(next.created_at),
        ))
        .returning(Prescription::as_returning())
        .get_result(conn)
}

/// The patient's other active prescriptions with their current medicines, for the
/// duplicate therapy check (the caller holds the patient's lock).
pub fn active_medicines_of(
    conn: &mut PgConnection,
    patient: common::UserId,
    except: Option<PrescriptionId>,
) -> QueryResult<Vec<(PrescriptionId, super::models::MedicinesColumn)>> {
    let mut query = prescription_versions::table
        .inner_join(prescriptions::table)
        .filter(prescriptions::patient_id.eq(patient))
        .filter(prescriptions::status.eq("active"))
        .filter(prescription_versions::version.eq(prescriptions::current_version))
        .select((prescriptions::id, prescription_versions::medicines))
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(prescriptions::id.ne(except));
    }
    query.load(conn)
}

/// Serializes the prescribing of one patient until the transaction ends, so two
/// concurrent prescriptions of one medicine cannot both miss each other.
pub fn lock_patient(conn: &mut PgConnection, patient: common::UserId) -> QueryResult<()> {
    common::db::lock_in_transaction(conn, "prescribing-patient", patient.as_uuid())
}

pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    prescriptions::table.count().get_result(conn)
}
