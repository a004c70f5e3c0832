//! Doctor profile input: created with defaults, updated field by field, always coherent
//! (opening before closing, a known IANA zone, ISO weekdays, a sane slot length).

use chrono::NaiveTime;
use chrono_tz::Tz;
use common::ApiError;
use common::validation::{Field, Validator, text, time_of_day};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    pub available_from: NaiveTime,
    pub available_to: NaiveTime,
    pub timezone: Tz,
    /// ISO weekdays (Monday = 1), sorted, no duplicates.
    pub working_days: Vec<u8>,
    pub slot_minutes: u32,
}

impl Default for Availability {
    fn default() -> Self {
        Self {
            available_from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            available_to: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            timezone: Tz::UTC,
            working_days: vec![1, 2, 3, 4, 5],
            slot_minutes: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileFields {
    pub specialization: String,
    pub location: Option<String>,
    pub availability: Availability,
}

/// On create `specialization` is required and the rest default (09:00-17:00, UTC,
/// Monday-Friday, 30-minute slots); on update every field is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProfileForm {
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub specialization: Field<String>,
    #[serde(default)]
    /// HH:MM or HH:MM:SS, the doctor's local time
    #[schema(value_type = Option<String>, example = "09:00")]
    pub available_from: Field<String>,
    #[serde(default)]
    /// Later than available_from
    #[schema(value_type = Option<String>, example = "17:00")]
    pub available_to: Field<String>,
    #[serde(default)]
    /// null clears it
    #[schema(value_type = Option<String>, max_length = 200)]
    pub location: Field<String>,
    #[serde(default)]
    /// IANA zone, e.g. Europe/Berlin
    #[schema(value_type = Option<String>, example = "UTC")]
    pub timezone: Field<String>,
    #[serde(default)]
    /// ISO weekdays, Monday = 1
    #[schema(value_type = Option<Vec<i64>>, example = json!([1, 2, 3, 4, 5]))]
    pub working_days: Field<Vec<i64>>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 5, maximum = 240)]
    pub slot_minutes: Field<i64>,
}

fn timezone(raw: String) -> Result<Tz, String> {
    raw.trim()
        .parse::<Tz>()
        .map_err(|_| "must be an IANA time zone such as Europe/Berlin or UTC".to_owned())
}

fn working_days(raw: Vec<i64>) -> Result<Vec<u8>, String> {
    let mut days = raw
        .into_iter()
        .map(|d| u8::try_from(d).ok().filter(|d| (1..=7).contains(d)))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| "must list ISO weekdays from 1 (Monday) to 7 (Sunday)".to_owned())?;
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Err("must name at least one working day".to_owned());
    }
    Ok(days)
}

fn slot_minutes(raw: i64) -> Result<u32, String> {
    u32::try_from(raw)
        .ok()
        .filter(|m| (5..=240).contains(m))
        .ok_or_else(|| "must be from 5 to 240 minutes".to_owned())
}

fn location(raw: String) -> Result<String, String> {
    text(1, 200)(raw)
}

impl ProfileForm {
    /// Applies the form over `current` (the defaults when creating). On create,
    /// `specialization` is required; on update every field is optional. `location: null`
    /// clears the location.
    pub fn apply(self, current: Option<&ProfileFields>) -> Result<ProfileFields, ApiError> {
        let mut v = Validator::new();
        let defaults = ProfileFields {
            specialization: String::new(),
            location: None,
            availability: Availability::default(),
        };
        let base = current.unwrap_or(&defaults);
        let specialization = if current.is_some() {
            v.optional("specialization", self.specialization, text(1, 100))
                .map(|s| s.unwrap_or_else(|| base.specialization.clone()))
        } else {
            v.required("specialization", self.specialization, text(1, 100))
        };
        let location = match self.location {
            Field::Null => Some(None),
            Field::Missing => Some(base.location.clone()),
            other => v
                .optional("location", other, location)
                .map(|l| l.or(base.location.clone())),
        };
        let from = v.optional("available_from", self.available_from, time_of_day);
        let to = v.optional("available_to", self.available_to, time_of_day);
        let zone = v.optional("timezone", self.timezone, timezone);
        let days = v.optional("working_days", self.working_days, working_days);
        let slot = v.optional("slot_minutes", self.slot_minutes, slot_minutes);
        let (
            Some(specialization),
            Some(location),
            Some(from),
            Some(to),
            Some(zone),
            Some(days),
            Some(slot),
        ) = (specialization, location, from, to, zone, days, slot)
        else {
            return Err(v.into_error());
        };
        let base_hours = &base.availability;
        let availability = Availability {
            available_from: from.unwrap_or(base_hours.available_from),
            available_to: to.unwrap_or(base_hours.available_to),
            timezone: zone.unwrap_or(base_hours.timezone),
            working_days: days.unwrap_or_else(|| base_hours.working_days.clone()),
            slot_minutes: slot.unwrap_or(base_hours.slot_minutes),
        };
        if availability.available_from >= availability.available_to {
            v.push("available_to", "must be later than available_from");
        } else {
            let open_minutes =
                (availability.available_to - availability.available_from).num_minutes();
            if i64::from(availability.slot_minutes) > open_minutes {
                v.push("slot_minutes", "must fit within the working hours");
            }
        }
        v.finish()?;
        Ok(ProfileFields {
            specialization,
            location,
            availability,
        })
    }
}

/// `HH:MM`, or `HH:MM:SS` when seconds matter.
pub fn format_time(time: NaiveTime) -> String {
    use chrono::Timelike;
    if time.second() == 0 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    }
}
