//! Appointments: booking and change requests, and the status state machine
//! (`booked -> completed | no_show` by the doctor or an admin once the start has passed,
//! `booked -> cancelled` by any party; `held -> booked` when its patient confirms,
//! `held -> cancelled` by any party, `held -> expired` at `hold_expires_at`; the other
//! states are final).

use chrono::{DateTime, Duration, Utc};
use common::error::ConflictRule;
use common::validation::{Field, Validator, multiline_text, timestamp};
use common::{ApiError, Role, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Booked,
    /// Kept for its patient until `hold_expires_at`, then `expired`.
    Held,
    Completed,
    Cancelled,
    NoShow,
    /// A hold nobody confirmed in time.
    Expired,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Self::Booked,
        Self::Held,
        Self::Completed,
        Self::Cancelled,
        Self::NoShow,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Held => "held",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Result<Status, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                "must be one of booked, held, completed, cancelled, no_show, expired".to_owned()
            })
    }

    /// FHIR's `appointmentstatus` for it: a hold is `pending` (not yet the patient's
    /// for good), a lapsed hold `cancelled`, a visit that happened `fulfilled`.
    pub fn fhir_code(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Held => "pending",
            Self::Completed => "fulfilled",
            Self::Cancelled | Self::Expired => "cancelled",
            Self::NoShow => "noshow",
        }
    }

    /// The statuses a FHIR status search value stands for (`cancelled` is both ways of
    /// ending unbooked); the native spelling is taken too.
    pub fn from_fhir_code(raw: &str) -> Result<Vec<Status>, String> {
        let matching: Vec<Status> = Self::ALL
            .into_iter()
            .filter(|s| s.fhir_code() == raw || s.as_str() == raw)
            .collect();
        if matching.is_empty() {
            return Err("must be one of booked, pending, fulfilled, cancelled, noshow".to_owned());
        }
        Ok(matching)
    }

    /// The status as of `now`: a hold past its expiry is `expired` from that instant, on
    /// every replica, whether or not the expiry pass has written it yet.
    pub fn as_of(self, hold_expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Status {
        match (self, hold_expires_at) {
            (Self::Held, Some(expiry)) if expiry <= now => Self::Expired,
            (status, _) => status,
        }
    }

    /// Whether the appointment takes its time in the calendars (the exclusion constraints'
    /// predicate, less lapsed holds).
    pub fn takes_time(self) -> bool {
        matches!(self, Self::Booked | Self::Held)
    }
}

/// Confirming a hold (its patient): only an unexpired hold becomes `booked`.
pub fn confirm(current: Status) -> Result<Status, ApiError> {
    match current {
        Status::Held => Ok(Status::Booked),
        Status::Expired => Err(ApiError::Conflict(
            "the hold has expired: the slot is no longer kept".into(),
        )),
        other => Err(ApiError::Conflict(format!(
            "only a held appointment can be confirmed (this one is {})",
            other.as_str()
        ))),
    }
}

/// Who cancelled an appointment, as the appointment shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Patient,
    Doctor,
    Admin,
}

impl CancelledBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patient => "patient",
            Self::Doctor => "doctor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<CancelledBy, String> {
        [Self::Patient, Self::Doctor, Self::Admin]
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| format!("unknown canceller {raw:?}"))
    }
}

impl From<Role> for CancelledBy {
    fn from(role: Role) -> Self {
        match role {
            Role::Patient => Self::Patient,
            Role::Doctor => Self::Doctor,
            // A pharmacist sees no appointment, so never cancels one; were one to, it
            // would be staff of the clinic, as an admin is.
            Role::Admin | Role::Pharmacist => Self::Admin,
        }
    }
}

/// Whether an appointment starting at `start` is inside the doctor's cancellation notice.
pub fn is_late(start: DateTime<Utc>, now: DateTime<Utc>, notice_hours: u32) -> bool {
    start - now < Duration::hours(i64::from(notice_hours))
}

/// How long after making a booking a patient may still undo or move it inside the
/// cancellation notice (`CANCELLATION_GRACE_MINUTES`): a visit booked for tomorrow by
/// mistake a second ago takes nobody's slot yet (contract part 3, section 16).
#[derive(Debug, Clone, Copy)]
pub struct CancellationGrace(pub Duration);

/// A patient may not cancel or move an appointment inside the doctor's cancellation
/// notice (the slot could no longer be given to anyone) once the grace after booking it
/// has passed; the doctor and admins may.
pub fn ensure_not_late(
    caller: Role,
    (start, booked_at): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    notice_hours: u32,
    grace: CancellationGrace,
) -> Result<(), ApiError> {
    let in_grace = now - booked_at < grace.0;
    if caller == Role::Patient && is_late(start, now, notice_hours) && !in_grace {
        return Err(ApiError::ConflictBy {
            rule: ConflictRule::LateCancellation,
            detail: format!(
                "the appointment starts within the doctor's cancellation notice of \
                 {notice_hours} hours and was booked more than {} minutes ago: a patient can \
                 no longer cancel or move it; ask the clinic",
                grace.0.num_minutes()
            ),
            conflicts: Vec::new(),
        });
    }
    Ok(())
}

/// The status an appointment moves to when a doctor or an admin sets `target`, or why it
/// may not.
pub fn transition(
    current: Status,
    target: Status,
    caller: Role,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Status, ApiError> {
    if caller == Role::Patient {
        return Err(ApiError::Forbidden(
            "patients may not set the status; cancel with DELETE",
        ));
    }
    step(current, target, start, now)
}

/// The state machine's edges, whoever asks.
fn step(
    current: Status,
    target: Status,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Status, ApiError> {
    match (current, target) {
        (Status::Booked, Status::Booked) => Ok(Status::Booked),
        (Status::Booked | Status::Held, Status::Cancelled) => Ok(Status::Cancelled),
        (Status::Held, Status::Held) => Ok(Status::Held),
        (Status::Held, Status::Booked) => Err(ApiError::Conflict(
            "a hold is confirmed by its patient with POST /appointments/{id}/confirm".into(),
        )),
        (Status::Booked, Status::Completed | Status::NoShow) if start <= now => Ok(target),
        (Status::Booked, Status::Completed | Status::NoShow) => Err(ApiError::Conflict(format!(
            "an appointment cannot be marked {} before it starts",
            target.as_str()
        ))),
        (current, target) => Err(ApiError::Conflict(format!(
            "a {} appointment cannot become {}",
            current.as_str(),
            target.as_str()
        ))),
    }
}

/// Cancelling (`DELETE`, any party who may see it): the `booked | held -> cancelled` edge.
pub fn cancel(
    current: Status,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Status, ApiError> {
    step(current, Status::Cancelled, start, now).map_err(|_| {
        ApiError::Conflict(format!(
            "a {} appointment cannot be cancelled",
            current.as_str()
        ))
    })
}

/// A new time is possible only while the appointment is booked and has not started.
pub fn ensure_reschedulable(
    current: Status,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if current != Status::Booked {
        return Err(ApiError::Conflict(
            "only a booked appointment can be rescheduled".into(),
        ));
    }
    if start <= now {
        return Err(ApiError::Conflict(
            "an appointment that has started cannot be rescheduled".into(),
        ));
    }
    Ok(())
}

/// What a change records in the audit trail: a new time wins over a status change.
pub fn change_action(rescheduled: bool, status_changed: bool) -> common::audit::Action {
    use common::audit::Action;
    match (rescheduled, status_changed) {
        (true, _) => Action::AppointmentReschedule,
        (false, true) => Action::AppointmentStatusChange,
        (false, false) => Action::AppointmentUpdate,
    }
}

fn notes(raw: String) -> Result<String, String> {
    multiline_text(0, 2000)(raw)
}

fn user_id(raw: String) -> Result<UserId, String> {
    raw.trim()
        .parse::<UserId>()
        .map_err(|_| "must be a UUID".to_owned())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct BookingForm {
    /// The doctor's user id or their profile's id (either names the doctor; the
    /// appointment keeps the user id)
    #[serde(default)]
    #[schema(value_type = uuid::Uuid, required = true)]
    pub doctor_id: Field<String>,
    /// RFC 3339; without an offset it is read as UTC
    #[serde(default)]
    #[schema(value_type = chrono::DateTime<chrono::Utc>, required = true)]
    pub appointment_time: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Field<String>,
    /// true keeps the slot for HOLD_TTL_SECONDS as `held` until confirmed with
    /// POST /appointments/{id}/confirm (default false: booked at once)
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub hold: Field<bool>,
}

#[derive(Debug, Clone)]
pub struct Booking {
    pub doctor_id: UserId,
    pub start: DateTime<Utc>,
    pub notes: Option<String>,
    pub hold: bool,
}

impl BookingForm {
    pub fn validate(self) -> Result<Booking, ApiError> {
        let mut v = Validator::new();
        let doctor_id = v.required("doctor_id", self.doctor_id, user_id);
        let start = v.required("appointment_time", self.appointment_time, timestamp);
        let notes = v.optional("notes", self.notes, notes);
        let hold = v.optional("hold", self.hold, Ok::<_, String>);
        match (doctor_id, start, notes, hold) {
            (Some(doctor_id), Some(start), Some(notes), Some(hold)) => {
                v.finish()?;
                Ok(Booking {
                    doctor_id,
                    start,
                    notes,
                    hold: hold.unwrap_or(false),
                })
            }
            _ => Err(v.into_error()),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ChangeForm {
    /// Reschedule (only while booked and not started); the appointment keeps its length
    #[serde(default)]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub appointment_time: Field<String>,
    /// null clears them
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Field<String>,
    /// Doctors and admins only
    #[serde(default)]
    #[schema(value_type = Option<Status>)]
    pub status: Field<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Change {
    pub new_start: Option<DateTime<Utc>>,
    /// `Some(None)` clears the notes.
    pub notes: Option<Option<String>>,
    pub status: Option<Status>,
}

impl ChangeForm {
    pub fn validate(self) -> Result<Change, ApiError> {
        let mut v = Validator::new();
        let new_start = v.optional("appointment_time", self.appointment_time, timestamp);
        let notes = match self.notes {
            Field::Missing => Some(None),
            Field::Null => Some(Some(None)),
            other => v.optional("notes", other, notes).map(|n| n.map(Some)),
        };
        let status = v.optional("status", self.status, |raw: String| Status::parse(&raw));
        let (Some(new_start), Some(notes), Some(status)) = (new_start, notes, status) else {
            return Err(v.into_error());
        };
        if new_start.is_some() && status.is_some_and(|s| s != Status::Booked) {
            v.push("status", "cannot change together with appointment_time");
        }
        v.finish()?;
        Ok(Change {
            new_start,
            notes,
            status,
        })
    }
}

/// `DELETE /appointments/{id}`'s optional body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CancelForm {
    /// Why, shown on the appointment as `cancellation_reason`
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub reason: Field<String>,
}

impl CancelForm {
    /// The reason, if one was given.
    pub fn validate(self) -> Result<Option<String>, ApiError> {
        let mut v = Validator::new();
        let reason = v.optional("reason", self.reason, multiline_text(1, 500));
        v.finish()?;
        Ok(reason.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_state_machine_allows_only_its_edges() {
        let start = at("2031-01-01T10:00:00Z");
        let before = at("2031-01-01T09:00:00Z");
        let after = at("2031-01-01T11:00:00Z");
        assert_eq!(
            transition(
                Status::Booked,
                Status::Completed,
                Role::Doctor,
                start,
                after
            )
            .unwrap(),
            Status::Completed
        );
        assert_eq!(
            transition(Status::Booked, Status::NoShow, Role::Admin, start, after).unwrap(),
            Status::NoShow
        );
        assert!(matches!(
            transition(
                Status::Booked,
                Status::Completed,
                Role::Doctor,
                start,
                before
            ),
            Err(ApiError::Conflict(_))
        ));
        assert!(matches!(
            transition(
                Status::Cancelled,
                Status::Booked,
                Role::Admin,
                start,
                before
            ),
            Err(ApiError::Conflict(_))
        ));
        assert!(matches!(
            transition(
                Status::Completed,
                Status::Cancelled,
                Role::Doctor,
                start,
                after
            ),
            Err(ApiError::Conflict(_))
        ));
        assert!(matches!(
            transition(
                Status::Booked,
                Status::Completed,
                Role::Patient,
                start,
                after
            ),
            Err(ApiError::Forbidden(_))
        ));
    }
}
