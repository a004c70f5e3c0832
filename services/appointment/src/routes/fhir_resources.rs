//! appointment-service's records as FHIR R4 resources: an `Appointment`, a free slot as a
//! `Slot`, a doctor's calendar as their `Schedule` (its id the doctor's user id, as their
//! `Practitioner`'s is), and a directory entry as a `PractitionerRole` (its id the
//! profile's).

use crate::db::models::{Appointment as Stored, DoctorProfile};
use crate::domain::schedule::Slot as FreeSlot;
use chrono::{DateTime, Duration, Utc};
use common::UserId;
use common::fhir::references::ReferenceBases;
use common::fhir::{Meta, Reference, instant};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Text {
    text: String,
}

#[derive(Debug, Serialize)]
pub struct Appointment {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    meta: Meta,
    status: &'static str,
    /// R4 spells it with one l.
    #[serde(rename = "cancelationReason", skip_serializing_if = "Option::is_none")]
    cancelation_reason: Option<Text>,
    start: String,
    end: String,
    #[serde(rename = "minutesDuration")]
    minutes_duration: i64,
    created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    participant: [Participant; 2],
}

#[derive(Debug, Serialize)]
struct Participant {
    actor: Reference,
    required: &'static str,
    status: &'static str,
}

impl Appointment {
    pub fn of(stored: &Stored, references: &ReferenceBases) -> Self {
        let status = stored.status_now();
        let reason = match status {
            crate::domain::appointment::Status::Expired => Some("the hold lapsed".to_owned()),
            _ => stored.cancellation_reason.clone(),
        };
        let patient = references
            .to("Patient", stored.patient_id)
            .named(stored.patient_name());
        Self {
            resource_type: "Appointment",
            id: stored.id.to_string(),
            meta: Meta::updated(stored.updated_at),
            status: status.fhir_code(),
            cancelation_reason: reason.map(|text| Text { text }),
            start: instant(stored.appointment_time),
            end: instant(stored.end_time),
            minutes_duration: (stored.end_time - stored.appointment_time).num_minutes(),
            created: instant(stored.created_at),
            comment: stored.notes.clone(),
            participant: [
                Participant {
                    actor: patient,
                    required: "required",
                    status: "accepted",
                },
                Participant {
                    actor: references.to("Practitioner", stored.doctor_id),
                    required: "required",
                    status: "accepted",
                },
            ],
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Slot {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    schedule: Reference,
    status: &'static str,
    start: String,
    end: String,
}

impl Slot {
    /// A free slot of `doctor`'s; its id names the doctor and the start (a slot has no
    /// row of its own: it is time nobody has booked).
    pub fn free(doctor: UserId, slot: &FreeSlot) -> Self {
        Self {
            resource_type: "Slot",
            id: format!("{doctor}-{}", slot.start.timestamp()),
            schedule: Reference::to("Schedule", doctor),
            status: "free",
            start: instant(slot.start),
            end: instant(slot.end),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

fn doctor_name(profile: &DoctorProfile) -> Option<String> {
    Some(format!("{} {}", profile.first_name, profile.last_name))
}

#[derive(Debug, Serialize)]
pub struct Schedule {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    meta: Meta,
    active: bool,
    specialty: [Concept; 1],
    actor: [Reference; 1],
    #[serde(rename = "planningHorizon")]
    planning_horizon: Period,
    comment: String,
}

#[derive(Debug, Serialize)]
struct Concept {
    text: String,
}

#[derive(Debug, Serialize)]
struct Period {
    start: String,
    end: String,
}

impl Schedule {
    /// `profile`'s calendar as of `now`: bookable from now to the end of its horizon.
    pub fn of(profile: &DoctorProfile, now: DateTime<Utc>, references: &ReferenceBases) -> Self {
        let availability = profile.availability();
        let days: Vec<String> = availability
            .working_days
            .iter()
            .map(|d| weekday(*d).to_owned())
            .collect();
        let comment = format!(
            "{} {}-{} ({}), {}-minute slots; free slots: GET /fhir/Slot?schedule=Schedule/{}",
            days.join(", "),
            profile.available_from.format("%H:%M"),
            profile.available_to.format("%H:%M"),
            profile.timezone,
            profile.slot_minutes,
            profile.user_id,
        );
        Self {
            resource_type: "Schedule",
            id: profile.user_id.to_string(),
            meta: Meta::updated(profile.updated_at),
            active: true,
            specialty: [Concept {
                text: profile.specialization.clone(),
            }],
            actor: [references
                .to("Practitioner", profile.user_id)
                .named(doctor_name(profile))],
            planning_horizon: Period {
                start: instant(now),
                end: instant(now + Duration::days(i64::from(profile.booking_horizon_days))),
            },
            comment,
        }
    }
}

/// FHIR's `days-of-week` code for an ISO weekday (Monday = 1).
fn weekday(iso: u8) -> &'static str {
    match iso {
        1 => "mon",
        2 => "tue",
        3 => "wed",
        4 => "thu",
        5 => "fri",
        6 => "sat",
        _ => "sun",
    }
}

#[derive(Debug, Serialize)]
pub struct PractitionerRole {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    meta: Meta,
    active: bool,
    practitioner: Reference,
    specialty: [Concept; 1],
    /// The place, by name only (no Location resource is served).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    location: Vec<Display>,
    #[serde(rename = "availableTime")]
    available_time: [AvailableTime; 1],
}

#[derive(Debug, Serialize)]
struct Display {
    display: String,
}

#[derive(Debug, Serialize)]
struct AvailableTime {
    #[serde(rename = "daysOfWeek")]
    days_of_week: Vec<&'static str>,
    /// The doctor's local time (the profile's timezone).
    #[serde(rename = "availableStartTime")]
    available_start_time: String,
    #[serde(rename = "availableEndTime")]
    available_end_time: String,
}

impl PractitionerRole {
    pub fn of(profile: &DoctorProfile, references: &ReferenceBases) -> Self {
        let availability = profile.availability();
        Self {
            resource_type: "PractitionerRole",
            id: profile.id.to_string(),
            meta: Meta::updated(profile.updated_at),
            active: true,
            practitioner: references
                .to("Practitioner", profile.user_id)
                .named(doctor_name(profile)),
            specialty: [Concept {
                text: profile.specialization.clone(),
            }],
            location: profile
                .location
                .iter()
                .map(|place| Display {
                    display: place.clone(),
                })
                .collect(),
            available_time: [AvailableTime {
                days_of_week: availability
                    .working_days
                    .iter()
                    .map(|d| weekday(*d))
                    .collect(),
                available_start_time: profile.available_from.format("%H:%M:%S").to_string(),
                available_end_time: profile.available_to.format("%H:%M:%S").to_string(),
            }],
        }
    }
}
