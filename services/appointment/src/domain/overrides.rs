//! Date override input: one local date's hours instead of the weekly rule, either opening
//! a date (also a day the doctor does not usually work) or closing it.

use super::schedule::{DayOverride, Hours};
use common::ApiError;
use common::validation::{Field, Validator, time_of_day};
use serde::Deserialize;

/// `{available_from, available_to}` opens the date with those hours; `{closed: true}`
/// closes it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct HoursForm {
    /// HH:MM, the doctor's local time; with available_to
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "10:00")]
    pub available_from: Field<String>,
    /// Later than available_from
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "14:00")]
    pub available_to: Field<String>,
    /// true closes the date; not together with hours
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub closed: Field<bool>,
}

impl HoursForm {
    pub fn validate(self) -> Result<DayOverride, ApiError> {
        let mut v = Validator::new();
        let from = v.optional("available_from", self.available_from, time_of_day);
        let to = v.optional("available_to", self.available_to, time_of_day);
        let closed = v.optional("closed", self.closed, Ok::<_, String>);
        let (Some(from), Some(to), Some(closed)) = (from, to, closed) else {
            return Err(v.into_error());
        };
        let closed = closed.unwrap_or(false);
        match (from, to) {
            (None, None) if closed => return Ok(DayOverride::Closed),
            (None, None) => v.push(
                "available_from",
                "is required with available_to, or send {\"closed\": true}",
            ),
            _ if closed => v.push("closed", "cannot come with hours: send one or the other"),
            (Some(from), Some(to)) if from < to => {
                return Ok(DayOverride::Open(Hours { from, to }));
            }
            (Some(_), Some(_)) => v.push("available_to", "must be later than available_from"),
            (None, Some(_)) => v.push("available_from", "is required with available_to"),
            (Some(_), None) => v.push("available_to", "is required with available_from"),
        }
        Err(v.into_error())
    }
}
