//! What auth-service sends: users (never a password hash) and token pairs.

use crate::db::models::User;
use chrono::{DateTime, Utc};
use common::{Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub role: Role,
    pub first_name: String,
    pub last_name: String,
    pub created_at: DateTime<Utc>,
    /// Refused at login and refresh (an admin disabled it)
    pub disabled: bool,
    /// False while a self-registered doctor awaits an admin's approval (no profile, no
    /// prescribing until then); true for every other account
    pub approved: bool,
    pub notifications: crate::domain::account::Notifications,
    /// `YYYY-MM-DD`; null when not given
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<chrono::NaiveDate>,
    /// FHIR administrative gender; null when not given
    pub sex: Option<crate::domain::patient_details::Sex>,
    /// E.164; null when not given
    pub phone: Option<String>,
    /// The owner proved the address is theirs by the mailed link (admins' accounts start so)
    pub email_verified: bool,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            role: user.role,
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            created_at: user.created_at,
            disabled: user.disabled,
            approved: user.approved,
            notifications: crate::domain::account::Notifications {
                email: user.email_notifications,
            },
            birth_date: user.birth_date,
            sex: user.sex(),
            phone: user.phone.clone(),
            email_verified: user.email_verified,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `bearer`.
    #[schema(value_type = String)]
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub user: UserView,
}

impl From<crate::usecases::sessions::Session> for TokenPair {
    fn from(session: crate::usecases::sessions::Session) -> Self {
        Self {
            access_token: session.access_token,
            token_type: "bearer",
            expires_in: session.expires_in,
            refresh_token: session.refresh_token,
        }
    }
}
