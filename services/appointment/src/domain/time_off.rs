//! Time off input: a range of instants a doctor does not work, e.g. a holiday or a sick
//! afternoon; it may have begun already (sick since this morning) but not ended.

use chrono::{DateTime, Duration, Utc};
use common::ApiError;
use common::validation::{Field, Validator, text, timestamp};
use serde::Deserialize;

/// Longer than this is a sabbatical, not time off: close the calendar instead.
pub const MAX_TIME_OFF_DAYS: i64 = 366;

/// The reason given to appointments that a time off cancels.
pub const DOCTOR_UNAVAILABLE: &str = "doctor unavailable";

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TimeOffForm {
    /// RFC 3339
    #[serde(default)]
    #[schema(value_type = chrono::DateTime<chrono::Utc>, required = true)]
    pub start: Field<String>,
    /// RFC 3339; after start, in the future, at most 366 days after start
    #[serde(default)]
    #[schema(value_type = chrono::DateTime<chrono::Utc>, required = true)]
    pub end: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub reason: Field<String>,
    /// Cancel the booked appointments inside (reason "doctor unavailable") instead of
    /// answering 409 with them (default false)
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub cancel_appointments: Field<bool>,
}

#[derive(Debug, Clone)]
pub struct TimeOffRequest {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub reason: Option<String>,
    pub cancel_appointments: bool,
}

impl TimeOffForm {
    pub fn validate(self, now: DateTime<Utc>) -> Result<TimeOffRequest, ApiError> {
        let mut v = Validator::new();
        let start = v.required("start", self.start, timestamp);
        let end = v.required("end", self.end, timestamp);
        let reason = v.optional("reason", self.reason, text(1, 200));
        let cancel = v.optional(
            "cancel_appointments",
            self.cancel_appointments,
            Ok::<_, String>,
        );
        let (Some(start), Some(end), Some(reason), Some(cancel)) = (start, end, reason, cancel)
        else {
            return Err(v.into_error());
        };
        if end <= start {
            v.push("end", "must be later than start");
        } else if end - start > Duration::days(MAX_TIME_OFF_DAYS) {
            v.push(
                "end",
                format!("must be at most {MAX_TIME_OFF_DAYS} days after start"),
            );
        } else if end <= now {
            v.push("end", "must be in the future");
        }
        v.finish()?;
        Ok(TimeOffRequest {
            start,
            end,
            reason,
            cancel_appointments: cancel.unwrap_or(false),
        })
    }
}
