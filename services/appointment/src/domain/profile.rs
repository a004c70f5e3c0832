//! Doctor profile input: created with defaults, updated field by field, always coherent
//! (opening before closing, a known IANA zone, ISO weekdays, a sane slot length, breaks
//! inside the hours and apart, booking rules within their bounds).

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
    /// Local times inside the hours, sorted, not overlapping; every working day has them.
    pub breaks: Vec<Break>,
}

/// A daily pause in the doctor's local time, `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Break {
    #[serde(with = "local_time")]
    #[schema(value_type = String, example = "12:00")]
    pub from: NaiveTime,
    #[serde(with = "local_time")]
    #[schema(value_type = String, example = "13:00")]
    pub to: NaiveTime,
}

/// `HH:MM` on the wire and in the stored JSON, as the hours are.
mod local_time {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        common::validation::time_of_day(raw).map_err(serde::de::Error::custom)
    }
}

/// How far ahead and how late patients may book and cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingPolicy {
    pub min_notice_minutes: u32,
    pub booking_horizon_days: u32,
    pub cancellation_notice_hours: u32,
    pub max_daily_bookings_per_patient: u32,
}

impl Default for BookingPolicy {
    fn default() -> Self {
        Self {
            min_notice_minutes: 60,
            booking_horizon_days: 180,
            cancellation_notice_hours: 24,
            max_daily_bookings_per_patient: 2,
        }
    }
}

impl Default for Availability {
    fn default() -> Self {
        Self {
            available_from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            available_to: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            timezone: Tz::UTC,
            working_days: vec![1, 2, 3, 4, 5],
            slot_minutes: 30,
            breaks: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileFields {
    pub specialization: String,
    pub location: Option<String>,
    pub availability: Availability,
    pub policy: BookingPolicy,
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
    /// Daily pauses in local time, inside the hours and not overlapping (default []; null
    /// clears them)
    #[serde(default)]
    #[schema(value_type = Option<Vec<Break>>, example = json!([{"from": "12:00", "to": "13:00"}]))]
    pub breaks: Field<Vec<serde_json::Value>>,
    /// No booking or reschedule that starts sooner (default 60)
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10080)]
    pub min_notice_minutes: Field<i64>,
    /// No booking that starts later (default 180)
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 730)]
    pub booking_horizon_days: Field<i64>,
    /// A patient may not cancel or reschedule an appointment starting sooner (default 24)
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 168)]
    pub cancellation_notice_hours: Field<i64>,
    /// Booked or held appointments one patient may have with this doctor on one local day
    /// (default 2)
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 48)]
    pub max_daily_bookings_per_patient: Field<i64>,
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

fn bounded(min: u32, max: u32, unit: &'static str) -> impl FnOnce(i64) -> Result<u32, String> {
    move |raw| {
        u32::try_from(raw)
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("must be from {min} to {max} {unit}"))
    }
}

/// Each break an object `{from, to}` of times of day, `from` before `to`; errors by path
/// (`breaks[1].to`). Whether they fit the hours is decided once the hours are known.
fn parse_breaks(v: &mut Validator, raw: Vec<serde_json::Value>) -> Option<Vec<Break>> {
    if raw.len() > MAX_BREAKS {
        v.push("breaks", format!("must hold at most {MAX_BREAKS} breaks"));
        return None;
    }
    let mut breaks = Vec::with_capacity(raw.len());
    for (i, item) in raw.into_iter().enumerate() {
        let time = |v: &mut Validator, name: &str| {
            let field = format!("breaks[{i}].{name}");
            match item.get(name).and_then(serde_json::Value::as_str) {
                Some(raw) => v.check(&field, time_of_day(raw.to_owned())),
                None => {
                    v.push(&field, "is required, a time of day HH:MM");
                    None
                }
            }
        };
        if !item.is_object() {
            v.push(&format!("breaks[{i}]"), "must be an object {from, to}");
            continue;
        }
        let (Some(from), Some(to)) = (time(v, "from"), time(v, "to")) else {
            continue;
        };
        if from >= to {
            v.push(&format!("breaks[{i}].to"), "must be later than from");
            continue;
        }
        breaks.push(Break { from, to });
    }
    v.is_valid().then_some(breaks)
}

/// More pauses than this in one day is a mistake, not a calendar.
const MAX_BREAKS: usize = 12;

/// Breaks inside the hours, none overlapping another; sorted.
fn check_breaks(v: &mut Validator, hours: &Availability) -> Vec<Break> {
    let mut indexed: Vec<(usize, Break)> = hours.breaks.iter().copied().enumerate().collect();
    indexed.sort_by_key(|(_, b)| b.from);
    for (i, b) in &indexed {
        if b.from < hours.available_from || b.to > hours.available_to {
            v.push(
                &format!("breaks[{i}]"),
                format!(
                    "must lie within the hours {}-{}",
                    format_time(hours.available_from),
                    format_time(hours.available_to)
                ),
            );
        }
    }
    for pair in indexed.windows(2) {
        let ((_, earlier), (i, later)) = (pair[0], pair[1]);
        if later.from < earlier.to {
            v.push(
                &format!("breaks[{i}]"),
                format!(
                    "overlaps the break {}-{}",
                    format_time(earlier.from),
                    format_time(earlier.to)
                ),
            );
        }
    }
    indexed.into_iter().map(|(_, b)| b).collect()
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
            policy: BookingPolicy::default(),
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
        let breaks = match self.breaks {
            Field::Null => Some(Some(Vec::new())),
            Field::Missing => Some(None),
            Field::Present(raw) => parse_breaks(&mut v, raw).map(Some),
            Field::Invalid(_) => {
                v.push("breaks", "must be an array of {from, to}");
                None
            }
        };
        let policy = policy(
            &mut v,
            &base.policy,
            [
                self.min_notice_minutes,
                self.booking_horizon_days,
                self.cancellation_notice_hours,
                self.max_daily_bookings_per_patient,
            ],
        );
        let (
            Some(specialization),
            Some(location),
            Some(from),
            Some(to),
            Some(zone),
            Some(days),
            Some(slot),
            Some(breaks),
            Some(policy),
        ) = (
            specialization,
            location,
            from,
            to,
            zone,
            days,
            slot,
            breaks,
            policy,
        )
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
            breaks: breaks.unwrap_or_else(|| base_hours.breaks.clone()),
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
        let availability = Availability {
            breaks: check_breaks(&mut v, &availability),
            ..availability
        };
        v.finish()?;
        Ok(ProfileFields {
            specialization,
            location,
            availability,
            policy,
        })
    }
}

/// The booking rules over `base`, from the form's `[min_notice_minutes,
/// booking_horizon_days, cancellation_notice_hours, max_daily_bookings_per_patient]`;
/// `None` when one was invalid (pushed to `v`).
fn policy(
    v: &mut Validator,
    base: &BookingPolicy,
    fields: [Field<i64>; 4],
) -> Option<BookingPolicy> {
    let [notice, horizon, cancellation, daily] = fields;
    let mut take = |field: &str, value, min, max, unit, current| {
        v.optional(field, value, bounded(min, max, unit))
            .map(|n| n.unwrap_or(current))
    };
    let notice = take(
        "min_notice_minutes",
        notice,
        0,
        10080,
        "minutes",
        base.min_notice_minutes,
    );
    let horizon = take(
        "booking_horizon_days",
        horizon,
        1,
        730,
        "days",
        base.booking_horizon_days,
    );
    let cancellation = take(
        "cancellation_notice_hours",
        cancellation,
        0,
        168,
        "hours",
        base.cancellation_notice_hours,
    );
    let daily = take(
        "max_daily_bookings_per_patient",
        daily,
        1,
        48,
        "bookings",
        base.max_daily_bookings_per_patient,
    );
    Some(BookingPolicy {
        min_notice_minutes: notice?,
        booking_horizon_days: horizon?,
        cancellation_notice_hours: cancellation?,
        max_daily_bookings_per_patient: daily?,
    })
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
