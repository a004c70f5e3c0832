use super::schema::{prescription_versions, prescriptions};
use crate::domain::prescription::{Medicine, PrescriptionStatus};
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
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescription_versions, check_for_backend(diesel::pg::Pg))]
pub struct Version {
    pub prescription_id: PrescriptionId,
    pub version: i32,
    pub notes: Option<String>,
    pub medicines: MedicinesColumn,
    pub created_at: DateTime<Utc>,
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
