//! Registration and profile input, validated all at once (every bad field is reported).

use super::patient_details::{DetailFields, DetailsChange, PatientDetails};
use common::config::Secret;
use common::validation::{Field, Validator, text};
use common::{ApiError, Role};
use serde::Deserialize;
use utoipa::ToSchema;

/// An email address, trimmed. Stored as typed; compared case-insensitively, always by
/// PostgreSQL's `lower()` (the unique index's function), never by a second one in Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: String) -> Result<Email, String> {
        let email = raw.trim();
        let invalid = || "must be a valid email address".to_owned();
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 8 to 128 characters with an upper-case letter, a lower-case letter and a digit. The
/// upper bound is checked before any hashing, so a huge password cannot buy CPU time.
pub fn check_password(raw: String) -> Result<Secret, String> {
    let length = raw.chars().count();
    let mut problems = Vec::new();
    if !(8..=128).contains(&length) {
        problems.push("be 8 to 128 characters long");
    }
    if !raw.chars().any(char::is_uppercase) {
        problems.push("contain an upper-case letter");
    }
    if !raw.chars().any(char::is_lowercase) {
        problems.push("contain a lower-case letter");
    }
    if !raw.chars().any(|c| c.is_ascii_digit()) {
        problems.push("contain a digit");
    }
    if problems.is_empty() {
        Ok(Secret::new(raw))
    } else {
        Err(format!("must {}", problems.join(", ")))
    }
}

fn name(raw: String) -> Result<String, String> {
    text(1, 100)(raw)
}

/// `role` is `patient` or `doctor` (admins may also create `admin`). Password: 8 to 128
/// characters with an upper-case letter, a lower-case letter and a digit.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RegistrationForm {
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Email)]
    pub email: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password, min_length = 8, max_length = 128)]
    pub password: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100)]
    pub first_name: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100)]
    pub last_name: Field<String>,
    #[serde(default)]
    #[schema(value_type = common::Role, required = true)]
    pub role: Field<String>,
    /// `YYYY-MM-DD`, from 1900-01-01 to today
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Field<String>,
    /// FHIR administrative gender
    #[serde(default)]
    #[schema(value_type = Option<super::patient_details::Sex>)]
    pub sex: Field<String>,
    /// E.164, e.g. +4930123456
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub phone: Field<String>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub password: Secret,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    /// Whether the account may act in its role at once: a doctor who signed up waits for
    /// an admin (anyone can call themself a cardiologist); what an admin creates is vetted.
    pub approved: bool,
    pub details: PatientDetails,
}

/// Who is registering decides which roles may be chosen: anyone may become a patient or a
/// doctor; only an admin may create another admin or a pharmacist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registrar {
    Public,
    Admin,
}

impl RegistrationForm {
    pub fn validate(self, registrar: Registrar) -> Result<NewAccount, ApiError> {
        let mut v = Validator::new();
        let email = v.required("email", self.email, Email::parse);
        let password = v.required("password", self.password, check_password);
        let first_name = v.required("first_name", self.first_name, name);
        let last_name = v.required("last_name", self.last_name, name);
        let details = DetailFields {
            birth_date: self.birth_date,
            sex: self.sex,
            phone: self.phone,
        }
        .new_details(&mut v);
        let role = v.required("role", self.role, |raw| {
            let role = raw.parse::<Role>().map_err(|e| e.to_string())?;
            match (role, registrar) {
                (Role::Admin | Role::Pharmacist, Registrar::Public) => {
                    Err("must be patient or doctor".to_owned())
                }
                (role, _) => Ok(role),
            }
        });
        match (email, password, first_name, last_name, role, details) {
            (
                Some(email),
                Some(password),
                Some(first_name),
                Some(last_name),
                Some(role),
                Some(details),
            ) => {
                v.finish()?;
                Ok(NewAccount {
                    email,
                    password,
                    first_name,
                    last_name,
                    approved: !(role == Role::Doctor && registrar == Registrar::Public),
                    role,
                    details,
                })
            }
            _ => Err(v.into_error()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProfileForm {
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub first_name: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub last_name: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Field<String>,
    /// Required to change `email` (a stolen session alone cannot move the account)
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Password)]
    pub current_password: Field<String>,
    /// `{"email": false}` stops appointment e-mail (default true)
    #[serde(default)]
    #[schema(value_type = Option<Notifications>)]
    pub notifications: Field<Notifications>,
    /// `YYYY-MM-DD`, from 1900-01-01 to today; null removes it
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Field<String>,
    /// FHIR administrative gender; null removes it
    #[serde(default)]
    #[schema(value_type = Option<super::patient_details::Sex>)]
    pub sex: Field<String>,
    /// E.164, e.g. +4930123456; null removes it
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub phone: Field<String>,
}

/// Which notifications the user gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
pub struct Notifications {
    /// Confirmations, reminders, reschedules, cancellations by the clinic, waitlist offers
    pub email: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Email>,
    pub email_notifications: Option<bool>,
    /// Present whenever `email` is.
    pub current_password: Option<Secret>,
    pub details: DetailsChange,
}

impl ProfileForm {
    pub fn validate(self) -> Result<ProfileChanges, ApiError> {
        let mut v = Validator::new();
        let first_name = v.optional("first_name", self.first_name, name);
        let last_name = v.optional("last_name", self.last_name, name);
        let email = v.optional("email", self.email, Email::parse);
        let notifications = v.optional("notifications", self.notifications, Ok::<_, String>);
        let current_password = match self.current_password {
            Field::Present(password) if !password.is_empty() => Some(Secret::new(password)),
            _ => None,
        };
        if matches!(email, Some(Some(_))) && current_password.is_none() {
            v.push("current_password", "is required to change the email");
        }
        let details = DetailFields {
            birth_date: self.birth_date,
            sex: self.sex,
            phone: self.phone,
        }
        .changes(&mut v);
        match (first_name, last_name, email, notifications, details) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(notifications),
                Some(details),
            ) => {
                v.finish()?;
                Ok(ProfileChanges {
                    first_name,
                    last_name,
                    email,
                    email_notifications: notifications.map(|n| n.email),
                    current_password,
                    details,
                })
            }
            _ => Err(v.into_error()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PasswordChangeForm {
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password)]
    pub current_password: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password, min_length = 8, max_length = 128)]
    pub new_password: Field<String>,
}

#[derive(Debug)]
pub struct PasswordChange {
    pub current: Secret,
    pub new: Secret,
}

impl PasswordChangeForm {
    pub fn validate(self) -> Result<PasswordChange, ApiError> {
        let mut v = Validator::new();
        let current = v.required("current_password", self.current_password, |raw: String| {
            if raw.is_empty() || raw.chars().count() > 128 {
                Err("must be 1 to 128 characters long".to_owned())
            } else {
                Ok(Secret::new(raw))
            }
        });
        let new = v.required("new_password", self.new_password, check_password);
        match (current, new) {
            (Some(current), Some(new)) => {
                v.finish()?;
                Ok(PasswordChange { current, new })
            }
            _ => Err(v.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_kept_as_typed() {
        let email = Email::parse("  Alice.Smith@Example.COM ".into()).unwrap();
        assert_eq!(email.as_str(), "Alice.Smith@Example.COM");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@.com",
            "a@example..com",
        ] {
            assert!(
                Email::parse(bad.into()).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn password_rules_name_every_missing_kind() {
        let message = check_password("short".into()).unwrap_err();
        assert!(message.contains("8 to 128"));
        assert!(message.contains("upper-case"));
        assert!(message.contains("digit"));
        assert!(check_password("Abcdefg1".into()).is_ok());
        assert!(check_password(format!("Ab1{}", "x".repeat(125))).is_ok());
        assert!(check_password(format!("Ab1{}", "x".repeat(126))).is_err());
    }
}

/// `PATCH /users/{id}` by an admin: disable or enable an account, change its role.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccessForm {
    /// A disabled account cannot log in or refresh, and its logins end
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub disabled: Field<bool>,
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    pub role: Field<String>,
    /// Vetting a doctor: true lets them publish a profile and prescribe; false withdraws
    /// it (their current tokens stop working, a new login carries the change)
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub approved: Field<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessChanges {
    pub disabled: Option<bool>,
    pub role: Option<Role>,
    pub approved: Option<bool>,
}

impl AccessChanges {
    /// Whether tokens issued before the change would claim more than the account now
    /// has, so they must stop working everywhere (a new login or refresh tells the truth).
    pub fn outdates_tokens(&self) -> bool {
        self.disabled == Some(true) || self.approved == Some(false) || self.role.is_some()
    }
}

impl AccessForm {
    pub fn validate(self) -> Result<AccessChanges, ApiError> {
        let mut v = Validator::new();
        let disabled = v.optional("disabled", self.disabled, Ok::<bool, String>);
        let role = v.optional("role", self.role, |raw: String| {
            raw.parse::<Role>().map_err(|e| e.to_string())
        });
        let approved = v.optional("approved", self.approved, Ok::<bool, String>);
        match (disabled, role, approved) {
            (Some(disabled), Some(role), Some(approved)) => {
                v.finish()?;
                Ok(AccessChanges {
                    disabled,
                    role,
                    approved,
                })
            }
            _ => Err(v.into_error()),
        }
    }
}

/// An admin may not lock themself out: disabling their own account or giving up the admin
/// role would leave nobody to undo it (409).
pub fn ensure_not_self_lockout(
    admin: common::UserId,
    target: common::UserId,
    changes: &AccessChanges,
) -> Result<(), ApiError> {
    let demotes = changes.role.is_some_and(|role| role != Role::Admin);
    if admin == target && (changes.disabled == Some(true) || demotes) {
        return Err(ApiError::Conflict(
            "an admin cannot disable or demote their own account".into(),
        ));
    }
    Ok(())
}
