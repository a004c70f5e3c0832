//! A doctor's date overrides: setting one date's hours (refused while it would leave booked
//! appointments outside them) and going back to the weekly rule.

use crate::db::models::HoursOverride;
use crate::db::{appointments, freed, overrides, profiles};
use crate::domain::schedule::{DayOverride, local_day};
use chrono::{NaiveDate, Utc};
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::error::ConflictRule;
use diesel::{Connection, PgConnection};

/// A date before today in the doctor's zone: 422. Booked appointments of that date outside the new hours (all of them, when closing):
/// 409 with their ids and nothing written. The profile is locked first, as bookings lock
/// it, so none lands outside the new hours meanwhile.
pub fn set(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    date: NaiveDate,
    hours: DayOverride,
) -> Result<HoursOverride, ApiError> {
    conn.transaction(|conn| {
        let profile = profiles::lock_by_any_id(conn, doctor.id.as_uuid())?
            .ok_or(ApiError::NotFound("doctor profile"))?;
        let availability = profile.availability();
        let zone = availability.timezone;
        if date < Utc::now().with_timezone(&zone).date_naive() {
            return Err(ApiError::validation(
                "date",
                "must not be in the past (the doctor's zone)",
            ));
        }
        let day = local_day(&availability, date);
        let stranded: Vec<uuid::Uuid> = appointments::booked_within(conn, doctor.id, day)?
            .into_iter()
            .filter(|a| match hours {
                DayOverride::Open(hours) => !hours.contain(zone, a.appointment_time, a.end_time),
                DayOverride::Closed => true,
            })
            .map(|a| a.id.as_uuid())
            .collect();
        if !stranded.is_empty() {
            return Err(ApiError::ConflictBy {
                rule: ConflictRule::StrandedAppointments,
                detail: format!(
                    "{} booked appointments on {date} would fall outside these hours: \
                     cancel or move them first",
                    stranded.len()
                ),
                conflicts: stranded,
            });
        }
        let saved = overrides::upsert(conn, &HoursOverride::new(doctor.id, date, hours))?;
        if matches!(hours, DayOverride::Open(_)) {
            freed::queue(conn, doctor.id, day)?;
        }
        let event = audit
            .event(Action::HoursOverrideSet)
            .by(doctor)
            .on(date)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(saved)
    })
}

/// Back to the weekly rule for `date`; no override there: 404.
pub fn clear(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    date: NaiveDate,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let profile = profiles::lock_by_any_id(conn, doctor.id.as_uuid())?
            .ok_or(ApiError::NotFound("hours override"))?;
        if !overrides::delete(conn, doctor.id, date)? {
            return Err(ApiError::NotFound("hours override"));
        }
        // The weekly rule may open what the override had closed.
        freed::queue(conn, doctor.id, local_day(&profile.availability(), date))?;
        let event = audit
            .event(Action::HoursOverrideDelete)
            .by(doctor)
            .on(date)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(())
    })
}
