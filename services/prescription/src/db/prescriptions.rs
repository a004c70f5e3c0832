use super::models::{Prescription, Version};
use super::schema::{prescription_versions, prescriptions};
use common::auth::Visibility;
use common::ids::PrescriptionId;
use common::validation::Paging;
use diesel::prelude::*;

type Condition = Box<
    dyn BoxableExpression<prescriptions::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>,
>;

fn visible_to(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::Everything => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("TRUE")),
        Visibility::AsPatient(id) => Box::new(prescriptions::patient_id.eq(id)),
        Visibility::AsDoctor(id) => Box::new(prescriptions::doctor_id.eq(id)),
    }
}

/// The prescription and its first version; call inside a transaction.
pub fn insert(conn: &mut PgConnection, head: &Prescription, first: &Version) -> QueryResult<()> {
    diesel::insert_into(prescriptions::table)
        .values(head)
        .execute(conn)?;
    diesel::insert_into(prescription_versions::table)
        .values(first)
        .execute(conn)?;
    Ok(())
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
    paging: Paging,
) -> QueryResult<(Vec<(Prescription, Version)>, i64)> {
    let total = prescriptions::table
        .filter(visible_to(visibility))
        .count()
        .get_result(conn)?;
    let heads: Vec<Prescription> = prescriptions::table
        .filter(visible_to(visibility))
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

/// Adds `next` as the newest version and points the prescription at it. Earlier versions
/// are never touched (the table refuses UPDATE and DELETE).
pub fn append(conn: &mut PgConnection, next: &Version) -> QueryResult<Prescription> {
    diesel::insert_into(prescription_versions::table)
        .values(next)
        .execute(conn)?;
    diesel::update(prescriptions::table.find(next.prescription_id))
        .set((
            prescriptions::current_version.eq(next.version),
            prescriptions::updated_at.eq(next.created_at),
        ))
        .returning(Prescription::as_returning())
        .get_result(conn)
}

pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    prescriptions::table.count().get_result(conn)
}
