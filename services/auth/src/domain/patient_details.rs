//! What a clinic needs to tell two John Smiths apart (contract part 3, section 11): a birth
//! date, the administrative sex FHIR calls `gender`, and a phone number, all optional.

use chrono::NaiveDate;
use common::validation::{Field, Validator};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// FHIR's administrative gender (`AdministrativeGender`), as the record keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "female" => Ok(Self::Female),
            "male" => Ok(Self::Male),
            "other" => Ok(Self::Other),
            "unknown" => Ok(Self::Unknown),
            _ => Err("must be female, male, other or unknown".to_owned()),
        }
    }
}

/// The earliest birth date taken: older is a typing error, not a patient.
const EARLIEST_BIRTH: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");

/// `YYYY-MM-DD`, from 1900-01-01 to today.
pub fn birth_date(raw: String) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date, YYYY-MM-DD".to_owned())?;
    if date < EARLIEST_BIRTH {
        return Err("must not be before 1900-01-01".to_owned());
    }
    if date > chrono::Utc::now().date_naive() {
        return Err("must not be in the future".to_owned());
    }
    Ok(date)
}

/// E.164: `+`, a country code that does not start with 0, 7 to 15 digits in all
/// (`+4930123456`); spaces, dashes and parentheses are not stored, so write none.
pub fn phone(raw: String) -> Result<String, String> {
    let raw = raw.trim();
    let digits = raw.strip_prefix('+').unwrap_or_default();
    let valid = (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(raw.to_owned())
    } else {
        Err("must be an E.164 number: + and 7 to 15 digits, e.g. +4930123456".to_owned())
    }
}

fn sex(raw: String) -> Result<Sex, String> {
    Sex::parse(raw.trim())
}

/// The details as a new account gives them (each may be left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientDetails {
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
}

/// What a profile update does with one detail: nothing (left out), remove it (`null`),
/// or set it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    /// The column's new value, `None` when it stays.
    pub fn column(&self) -> Option<Option<&T>> {
        match self {
            Self::Keep => None,
            Self::Clear => Some(None),
            Self::Set(value) => Some(Some(value)),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailsChange {
    pub birth_date: Change<NaiveDate>,
    pub sex: Change<Sex>,
    pub phone: Change<String>,
}

/// The three fields of a form, as they arrived.
pub struct DetailFields {
    pub birth_date: Field<String>,
    pub sex: Field<String>,
    pub phone: Field<String>,
}

impl DetailFields {
    /// At registration: each optional (`null` as left out). Every field is checked
    /// before any is given up on, so a 422 names them all.
    pub fn new_details(self, v: &mut Validator) -> Option<PatientDetails> {
        let birth_date = v.optional("birth_date", self.birth_date, birth_date);
        let sex = v.optional("sex", self.sex, sex);
        let phone = v.optional("phone", self.phone, phone);
        Some(PatientDetails {
            birth_date: birth_date?,
            sex: sex?,
            phone: phone?,
        })
    }

    /// On a profile update: left out keeps, `null` clears.
    pub fn changes(self, v: &mut Validator) -> Option<DetailsChange> {
        let birth_date = change(v, "birth_date", self.birth_date, birth_date);
        let sex = change(v, "sex", self.sex, sex);
        let phone = change(v, "phone", self.phone, phone);
        Some(DetailsChange {
            birth_date: birth_date?,
            sex: sex?,
            phone: phone?,
        })
    }
}

fn change<T>(
    v: &mut Validator,
    name: &str,
    field: Field<String>,
    parse: impl FnOnce(String) -> Result<T, String>,
) -> Option<Change<T>> {
    match field {
        Field::Missing => Some(Change::Keep),
        Field::Null => Some(Change::Clear),
        other => v.optional(name, other, parse).map(|value| match value {
            Some(value) => Change::Set(value),
            None => Change::Keep,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_from_1900_to_today_and_e164_phones_only() {
        assert!(birth_date("1984-02-29".into()).is_ok());
        assert!(birth_date("1899-12-31".into()).is_err());
        assert!(birth_date("2999-01-01".into()).is_err());
        assert!(birth_date("29/02/1984".into()).is_err());
        assert!(phone("+4930123456".into()).is_ok());
        for bad in [
            "4930123456",
            "+0301234567",
            "+49 30 123456",
            "+12345",
            "+1234567890123456",
        ] {
            assert!(phone(bad.into()).is_err(), "{bad}");
        }
    }
}
