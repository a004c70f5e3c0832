//! What pharmacies handed out: appended, never changed.

use super::models::DispenseRecord;
use super::schema::prescription_dispenses;
use crate::domain::dispensing::Dispensed;
use common::ids::PrescriptionId;
use diesel::prelude::*;

pub fn insert(conn: &mut PgConnection, record: &DispenseRecord) -> QueryResult<usize> {
    diesel::insert_into(prescription_dispenses::table)
        .values(record)
        .execute(conn)
}

/// Every dispense of these prescriptions, oldest first, with the prescription each is of.
pub fn of(
    conn: &mut PgConnection,
    ids: &[PrescriptionId],
) -> QueryResult<Vec<(PrescriptionId, Dispensed)>> {
    prescription_dispenses::table
        .filter(prescription_dispenses::prescription_id.eq_any(ids))
        .order((
            prescription_dispenses::dispensed_at.asc(),
            prescription_dispenses::id.asc(),
        ))
        .select(DispenseRecord::as_select())
        .load(conn)?
        .into_iter()
        .map(|record| {
            let items = serde_json::from_value(record.items)
                .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
            let dispensed = Dispensed {
                id: record.id,
                at: record.dispensed_at,
                pharmacist_id: record.pharmacist_id,
                version: record.version,
                items,
            };
            Ok((record.prescription_id, dispensed))
        })
        .collect()
}

/// Every dispense of one prescription, oldest first.
pub fn of_one(conn: &mut PgConnection, id: PrescriptionId) -> QueryResult<Vec<Dispensed>> {
    Ok(of(conn, &[id])?.into_iter().map(|(_, d)| d).collect())
}
