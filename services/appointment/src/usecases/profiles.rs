//! A doctor's own profile: creating it once, then changing it.

use crate::db::models::{DoctorProfile, ProfileRow};
use crate::db::profiles;
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::ConflictOnUnique;
use diesel::{Connection, PgConnection};

/// A second profile for the same doctor is a 409.
pub fn create(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    row: &ProfileRow,
) -> Result<DoctorProfile, ApiError> {
    conn.transaction(|conn| {
        let profile = profiles::insert(conn, doctor.id, row)
            .conflict_on_unique("this doctor already has a profile")?;
        let event = audit
            .event(Action::DoctorProfileCreate)
            .by(doctor)
            .on(profile.id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(profile)
    })
}

/// No profile yet: 404.
pub fn update(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    row: &ProfileRow,
) -> Result<DoctorProfile, ApiError> {
    conn.transaction(|conn| {
        let profile =
            profiles::update(conn, doctor.id, row)?.ok_or(ApiError::NotFound("doctor profile"))?;
        let event = audit
            .event(Action::DoctorProfileUpdate)
            .by(doctor)
            .on(profile.id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(profile)
    })
}
