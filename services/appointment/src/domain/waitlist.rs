//! The waitlist: a patient asks for any slot of a doctor inside a window; a slot freed in
//! it is offered to the oldest waiting entry that fits (`usecases::offers`).

use chrono::{DateTime, Duration, Utc};
use common::validation::{Field, Validator, timestamp};
use common::{ApiError, UserId};
use serde::{Deserialize, Serialize};

/// A window wider than a month is not waiting for an earlier date; it is no date at all.
pub const MAX_WINDOW_DAYS: i64 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitlistStatus {
    Waiting,
    /// A hold on a freed slot is waiting for the patient's confirmation.
    Offered,
    /// The patient confirmed an offer: booked.
    Fulfilled,
    Withdrawn,
}

impl WaitlistStatus {
    pub const ALL: [WaitlistStatus; 4] = [
        Self::Waiting,
        Self::Offered,
        Self::Fulfilled,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Offered => "offered",
            Self::Fulfilled => "fulfilled",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Result<WaitlistStatus, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "must be one of waiting, offered, fulfilled, withdrawn".to_owned())
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct WaitlistForm {
    /// The doctor's user id or profile id
    #[serde(default)]
    #[schema(value_type = uuid::Uuid, required = true)]
    pub doctor_id: Field<String>,
    /// RFC 3339: the earliest start the patient would take
    #[serde(default)]
    #[schema(value_type = chrono::DateTime<chrono::Utc>, required = true)]
    pub earliest: Field<String>,
    /// RFC 3339: the latest end; in the future, at most 31 days after earliest
    #[serde(default)]
    #[schema(value_type = chrono::DateTime<chrono::Utc>, required = true)]
    pub latest: Field<String>,
}

#[derive(Debug, Clone)]
pub struct WaitlistRequest {
    pub doctor_id: UserId,
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

impl WaitlistForm {
    pub fn validate(self, now: DateTime<Utc>) -> Result<WaitlistRequest, ApiError> {
        let mut v = Validator::new();
        let doctor_id = v.required("doctor_id", self.doctor_id, |raw: String| {
            raw.trim()
                .parse::<UserId>()
                .map_err(|_| "must be a UUID".to_owned())
        });
        let earliest = v.required("earliest", self.earliest, timestamp);
        let latest = v.required("latest", self.latest, timestamp);
        let (Some(doctor_id), Some(earliest), Some(latest)) = (doctor_id, earliest, latest) else {
            return Err(v.into_error());
        };
        if latest <= earliest {
            v.push("latest", "must be later than earliest");
        } else if latest - earliest > Duration::days(MAX_WINDOW_DAYS) {
            v.push(
                "latest",
                format!("must be at most {MAX_WINDOW_DAYS} days after earliest"),
            );
        } else if latest <= now {
            v.push("latest", "must be in the future");
        }
        v.finish()?;
        Ok(WaitlistRequest {
            doctor_id,
            earliest,
            latest,
        })
    }
}
