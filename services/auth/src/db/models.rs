use super::schema::{refresh_tokens, users};
use chrono::{DateTime, Utc};
use common::{Role, UserId};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub first_name: String,
    pub last_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Refused at login and refresh (set by an admin).
    pub disabled: bool,
    /// False for a self-registered doctor until an admin approves them.
    pub approved: bool,
    /// Appointment e-mail wanted (`notifications.email` on the profile).
    pub email_notifications: bool,
    pub birth_date: Option<chrono::NaiveDate>,
    /// `female`, `male`, `other` or `unknown` (a CHECK keeps it so).
    pub sex: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// The owner proved the address is theirs (or an admin made the account).
    pub email_verified: bool,
}

impl User {
    pub fn sex(&self) -> Option<crate::domain::patient_details::Sex> {
        self.sex
            .as_deref()
            .and_then(|raw| crate::domain::patient_details::Sex::parse(raw).ok())
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub approved: bool,
    pub birth_date: Option<chrono::NaiveDate>,
    pub sex: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email_verified: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub struct StoredRefreshToken {
    pub id: uuid::Uuid,
    pub family_id: uuid::Uuid,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub id: uuid::Uuid,
    pub family_id: uuid::Uuid,
    pub user_id: UserId,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}
