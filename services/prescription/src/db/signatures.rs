//! Each version's signature (`prescription_signatures`, append-only).

use super::schema::{prescription_signatures, prescription_versions};
use chrono::{DateTime, Utc};
use common::ids::PrescriptionId;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescription_signatures, check_for_backend(diesel::pg::Pg))]
pub struct Signature {
    pub prescription_id: PrescriptionId,
    pub version: i32,
    pub kid: String,
    pub jws: String,
    pub signed_at: DateTime<Utc>,
}

pub fn insert(conn: &mut PgConnection, signature: &Signature) -> QueryResult<()> {
    diesel::insert_into(prescription_signatures::table)
        .values(signature)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut PgConnection,
    id: PrescriptionId,
    version: i32,
) -> QueryResult<Option<Signature>> {
    prescription_signatures::table
        .find((id, version))
        .select(Signature::as_select())
        .first(conn)
        .optional()
}

/// Versions written before signing existed, oldest first (a page at a time).
pub fn unsigned(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<(PrescriptionId, i32)>> {
    prescription_versions::table
        .left_join(
            prescription_signatures::table.on(prescription_signatures::prescription_id
                .eq(prescription_versions::prescription_id)
                .and(prescription_signatures::version.eq(prescription_versions::version))),
        )
        .filter(prescription_signatures::jws.is_null())
        .order((
            prescription_versions::created_at.asc(),
            prescription_versions::version.asc(),
        ))
        .limit(limit)
        .select((
            prescription_versions::prescription_id,
            prescription_versions::version,
        ))
        .load(conn)
}
