//! What a calendar shows of an appointment (contract part 3, section 15): who it is with,
//! where, when and whether it still stands; never notes. A doctor's feed names no patient
//! unless the clinic says so (`CALENDAR_FEED_PATIENT_NAMES`): a phone's calendar is read
//! by more eyes and apps than the clinic's systems.

use super::appointment::Status;
use common::calendar::VisitStatus;

#[derive(Debug, Clone)]
pub struct CalendarSettings {
    /// The host in every event's `UID` (`<appointment id>@<host>`): appointment-service's
    /// public host, the same for every replica and every copy of the event.
    pub uid_host: String,
    /// `CALENDAR_FEED_PATIENT_NAMES`: a doctor's feed names each visit's patient.
    pub feed_patient_names: bool,
}

/// A hold is tentative; a visit booked, held or missed stands; a cancelled or lapsed one
/// is gone from the calendar.
pub fn visit_status(status: Status) -> VisitStatus {
    match status {
        Status::Held => VisitStatus::Tentative,
        Status::Booked | Status::Completed | Status::NoShow => VisitStatus::Confirmed,
        Status::Cancelled | Status::Expired => VisitStatus::Cancelled,
    }
}

/// The summary a patient (or anyone reading one appointment) sees: the doctor by name.
pub fn with_doctor(first_name: &str, last_name: &str) -> String {
    format!("Appointment with Dr. {first_name} {last_name}")
}

/// The summary of a visit in its doctor's feed: the patient by name only when configured.
pub fn with_patient(patient_name: Option<String>, settings: &CalendarSettings) -> String {
    match patient_name.filter(|_| settings.feed_patient_names) {
        Some(name) => format!("Visit: {name}"),
        None => "Patient visit".to_owned(),
    }
}

/// How far back a feed reaches (then everything ahead).
pub const FEED_DAYS_BACK: i64 = 30;

/// At most this many events in one feed: years of a busy doctor's visits ahead would make
/// every calendar poll heavy, and nobody plans that far.
pub const FEED_MAX_EVENTS: i64 = 2000;

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(names: bool) -> CalendarSettings {
        CalendarSettings {
            uid_host: "clinic.example".into(),
            feed_patient_names: names,
        }
    }

    #[test]
    fn a_doctors_feed_names_the_patient_only_when_configured() {
        let name = Some("Anna Schäfer".to_owned());
        assert_eq!(
            with_patient(name.clone(), &settings(false)),
            "Patient visit"
        );
        assert_eq!(with_patient(name, &settings(true)), "Visit: Anna Schäfer");
        assert_eq!(with_patient(None, &settings(true)), "Patient visit");
    }
}
