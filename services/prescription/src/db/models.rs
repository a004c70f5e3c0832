use super::schema::{prescription_dispenses, prescription_versions, prescriptions};
use crate::domain::lifecycle::PrescriptionStatus;
use crate::domain::medicine::Medicine;
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, PrescriptionId};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Jsonb;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescriptions, check_for_backend(diesel::pg::Pg))]
pub struct Prescription {
    pub id: PrescriptionId,
    pub appointment_id: AppointmentId,
    pub doctor_id: UserId,
    pub patient_id: UserId,
    pub status: StatusColumn,
    pub current_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Names kept from the appointment at creation (null before names were kept).
    pub patient_first_name: Option<String>,
    pub patient_last_name: Option<String>,
    pub doctor_first_name: Option<String>,
    pub doctor_last_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescription_versions, check_for_backend(diesel::pg::Pg))]
pub struct Version {
    pub prescription_id: PrescriptionId,
    pub version: i32,
    pub notes: Option<String>,
    pub medicines: MedicinesColumn,
    pub created_at: DateTime<Utc>,
    /// The status this version was written with (a status change is a version).
    pub status: StatusColumn,
    /// Why it moved to `status` (required for stopped, cancelled, entered_in_error).
    pub status_reason: Option<String>,
    /// Why a duplicate therapy was prescribed anyway.
    pub override_reason: Option<String>,
}

common::text_column!(
    /// `PrescriptionStatus` as stored: text.
    StatusColumn,
    PrescriptionStatus
);

/// A version's medicines as stored: a JSON array of `Medicine`, typed on both sides.
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Jsonb)]
pub struct MedicinesColumn(pub Vec<Medicine>);

impl ToSql<Jsonb, Pg> for MedicinesColumn {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let value = serde_json::to_value(&self.0)?;
        <serde_json::Value as ToSql<Jsonb, Pg>>::to_sql(&value, &mut out.reborrow())
    }
}

impl FromSql<Jsonb, Pg> for MedicinesColumn {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let value = <serde_json::Value as FromSql<Jsonb, Pg>>::from_sql(bytes)?;
        Ok(MedicinesColumn(serde_json::from_value(value)?))
    }
}

/// One visit to a pharmacy, as stored; `items` is a JSON array of `DispensedItem`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescription_dispenses, check_for_backend(diesel::pg::Pg))]
pub struct DispenseRecord {
    pub id: uuid::Uuid,
    pub prescription_id: PrescriptionId,
    /// The version that was current when it was dispensed.
    pub version: i32,
    pub pharmacist_id: UserId,
    pub dispensed_at: DateTime<Utc>,
    pub items: serde_json::Value,
}
