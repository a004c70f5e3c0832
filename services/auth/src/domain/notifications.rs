//! The e-mails patients get, composed from an event and the names this service keeps.
//! What is in one: the date and time in the doctor's zone, the doctor's name, the location
//! (and an offer's expiry). What never is: notes, reasons, medicines or any free text.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use common::calendar::{Invitation, Method, VisitEvent, VisitStatus, invitation};
use common::contracts::events::AppointmentEventData;

/// A mail to send: its kind (for the log and the tests), subject and plain-text body,
/// and the calendar event it carries, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub calendar: Option<CalendarPart>,
}

/// A `text/calendar` part: the visit's event, so a mail client offers "add to calendar"
/// (`REQUEST`) or removes it (`CANCEL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPart {
    pub method: Method,
    pub ics: String,
}

impl Mail {
    pub fn with_calendar(mut self, calendar: Option<CalendarPart>) -> Self {
        self.calendar = calendar;
        self
    }
}

/// The calendar part of a mail about `visit`: the same event appointment-service serves
/// (its `UID` and `SEQUENCE` from the event), from the clinic (`organizer`) to the patient.
/// `None` from an appointment-service too old to name the event.
pub fn calendar_part(
    visit: &Visit,
    appointment: &AppointmentEventData,
    method: Method,
    organizer: &Invitation<'_>,
    changed_at: DateTime<Utc>,
) -> Option<CalendarPart> {
    let uid = appointment.calendar_uid.clone()?;
    let event = VisitEvent {
        uid,
        start: appointment.start,
        end: appointment.end,
        summary: format!("Appointment with {}", visit.doctor_name),
        location: visit.location.map(str::to_owned),
        status: match method {
            Method::Cancel => VisitStatus::Cancelled,
            Method::Request | Method::Publish => VisitStatus::Confirmed,
        },
        sequence: appointment.calendar_sequence,
        changed_at,
    };
    Some(CalendarPart {
        method,
        ics: invitation(&event, method, organizer),
    })
}

/// What a mail is about: one appointment (or offered slot) of one doctor.
#[derive(Debug, Clone)]
pub struct Visit<'a> {
    pub patient_first_name: &'a str,
    /// Where the mail goes: the attendee of its calendar event.
    pub patient_email: &'a str,
    pub doctor_name: &'a str,
    pub start: DateTime<Utc>,
    pub timezone: &'a str,
    pub location: Option<&'a str>,
}

impl Visit<'_> {
    /// `Monday 14 December 2026, 09:00 (America/New_York)`.
    fn when(&self, at: DateTime<Utc>) -> String {
        match self.timezone.parse::<Tz>() {
            Ok(zone) => format!(
                "{} ({})",
                at.with_timezone(&zone).format("%A %-d %B %Y, %H:%M"),
                self.timezone
            ),
            Err(_) => format!("{} (UTC)", at.format("%A %-d %B %Y, %H:%M")),
        }
    }

    fn day(&self) -> String {
        match self.timezone.parse::<Tz>() {
            Ok(zone) => self
                .start
                .with_timezone(&zone)
                .format("%-d %B %Y")
                .to_string(),
            Err(_) => self.start.format("%-d %B %Y").to_string(),
        }
    }

    fn place(&self) -> String {
        self.location
            .map(|l| format!(" at {l}"))
            .unwrap_or_default()
    }

    fn greeting(&self) -> String {
        format!("Dear {},\n\n", self.patient_first_name)
    }
}

/// Text someone else wrote (a doctor's name or location, a patient's first name), made
/// safe to put in a subject or a body: control characters (line breaks included) and
/// invisible formatting become spaces, runs of space one space, and MIME encoded-word
/// syntax (`=?UTF-8?B?...?=`) is broken up so no mail client decodes it into something
/// the clinic never wrote.
pub fn plain(text: &str) -> String {
    let visible: String = text
        .chars()
        .map(|c| {
            if c.is_control() || common::validation::is_invisible_formatting(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("=?", "= ?")
        .replace("?=", "? =")
}

const SIGNATURE: &str = "\n\nThis message was sent automatically; please do not reply.\n";

pub fn confirmation(visit: &Visit) -> Mail {
    Mail {
        kind: "confirmation",
        subject: format!(
            "Your appointment with {} on {}",
            visit.doctor_name,
            visit.day()
        ),
        body: format!(
            "{}your appointment with {} is booked for {}{}.{SIGNATURE}",
            visit.greeting(),
            visit.doctor_name,
            visit.when(visit.start),
            visit.place()
        ),
        calendar: None,
    }
}

pub fn reschedule(visit: &Visit, previous: Option<DateTime<Utc>>) -> Mail {
    let from = previous
        .map(|p| format!(" from {}", visit.when(p)))
        .unwrap_or_default();
    Mail {
        kind: "reschedule",
        subject: format!(
            "Your appointment with {} has moved to {}",
            visit.doctor_name,
            visit.day()
        ),
        body: format!(
            "{}your appointment with {} has moved{from} to {}{}.{SIGNATURE}",
            visit.greeting(),
            visit.doctor_name,
            visit.when(visit.start),
            visit.place()
        ),
        calendar: None,
    }
}

pub fn cancellation(visit: &Visit) -> Mail {
    Mail {
        kind: "cancellation",
        subject: format!("Your appointment on {} is cancelled", visit.day()),
        body: format!(
            "{}the clinic has cancelled your appointment with {} on {}{}. Please book another time.{SIGNATURE}",
            visit.greeting(),
            visit.doctor_name,
            visit.when(visit.start),
            visit.place()
        ),
        calendar: None,
    }
}

pub fn offer(visit: &Visit, expires: Option<DateTime<Utc>>) -> Mail {
    let until = expires
        .map(|e| {
            format!(
                " It is held for you until {}; confirm it in the app before then.",
                visit.when(e)
            )
        })
        .unwrap_or_default();
    Mail {
        kind: "offer",
        subject: format!(
            "An earlier appointment with {} is free: {}",
            visit.doctor_name,
            visit.day()
        ),
        body: format!(
            "{}a slot you were waiting for is free: {} with {}{}.{until}{SIGNATURE}",
            visit.greeting(),
            visit.when(visit.start),
            visit.doctor_name,
            visit.place()
        ),
        calendar: None,
    }
}

/// The link to choose a new password (the only place the token appears).
pub fn password_reset(first_name: &str, link: &str, valid_minutes: i64) -> Mail {
    Mail {
        kind: "password_reset",
        subject: "Reset your password".to_owned(),
        body: format!(
            "Dear {},\n\nsomeone asked to reset the password of your account. To choose a new \
             one, open this link within {valid_minutes} minutes; it works once:\n\n{link}\n\n\
             If it was not you, ignore this message: your password stays as it is.{SIGNATURE}",
            plain(first_name)
        ),
        calendar: None,
    }
}

/// The link that proves the address is the account owner's.
pub fn verify_email(first_name: &str, link: &str, valid_hours: i64) -> Mail {
    Mail {
        kind: "verify_email",
        subject: "Confirm your e-mail address".to_owned(),
        body: format!(
            "Dear {},\n\nplease confirm that this address is yours by opening this link within \
             {valid_hours} hours:\n\n{link}\n\nIf you did not sign up or change your address, \
             ignore this message.{SIGNATURE}",
            plain(first_name)
        ),
        calendar: None,
    }
}

/// To the address an account just left: it no longer receives the account's mail.
pub fn email_changed(first_name: &str) -> Mail {
    Mail {
        kind: "email_changed",
        subject: "The e-mail address of your account was changed".to_owned(),
        body: format!(
            "Dear {},\n\nthe e-mail address of your account was changed, so mail about it no \
             longer comes here. If this was not you, reset your password and tell the clinic.{SIGNATURE}",
            plain(first_name)
        ),
        calendar: None,
    }
}

/// After a reset: the owner hears of it, whoever did it.
pub fn password_changed(first_name: &str) -> Mail {
    Mail {
        kind: "password_changed",
        subject: "Your password was changed".to_owned(),
        body: format!(
            "Dear {},\n\nthe password of your account was just reset, and every device signed \
             in to it was signed out. If this was not you, reset it again at once and tell the \
             clinic.{SIGNATURE}",
            plain(first_name)
        ),
        calendar: None,
    }
}

/// The account's owner, when guessing on their account passed the hourly ceiling: a link
/// that lets them back in from a new address (the only place the token appears).
pub fn unlock(first_name: &str, link: &str) -> Mail {
    Mail {
        kind: "unlock",
        subject: "Sign-ins to your account are paused".to_owned(),
        body: format!(
            "Dear {},\n\nthere were many failed attempts to sign in to your account, so sign-ins from \
             new places are paused for up to an hour. Places you signed in from before still work. \
             If this was you and you want to sign in from somewhere new now, open this link once:\n\n\
             {link}\n\nIf it was not you, your password was not accepted; consider changing it.{SIGNATURE}",
            plain(first_name)
        ),
        calendar: None,
    }
}

pub fn reminder(visit: &Visit) -> Mail {
    Mail {
        kind: "reminder",
        subject: format!(
            "Reminder: your appointment with {} on {}",
            visit.doctor_name,
            visit.day()
        ),
        body: format!(
            "{}this is a reminder of your appointment with {} on {}{}.{SIGNATURE}",
            visit.greeting(),
            visit.doctor_name,
            visit.when(visit.start),
            visit.place()
        ),
        calendar: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit() -> Visit<'static> {
        Visit {
            patient_first_name: "Pat",
            patient_email: "pat@example.com",
            doctor_name: "Dr. Gregory House",
            start: "2031-01-13T14:00:00Z".parse().unwrap(),
            timezone: "America/New_York",
            location: Some("Princeton"),
        }
    }

    #[test]
    fn line_breaks_control_characters_and_encoded_words_never_reach_a_mail() {
        let forged = "Köln\r\nBcc: all@example.com =?UTF-8?B?RHIuIEV2aWw=?=\u{202E}";
        let cleaned = plain(forged);
        assert_eq!(
            cleaned,
            "Köln Bcc: all@example.com = ?UTF-8?B?RHIuIEV2aWw= ? ="
        );
        assert!(!cleaned.chars().any(|c| c.is_control()));
        assert_eq!(plain("Dr. Jürgen Müller"), "Dr. Jürgen Müller");
    }

    #[test]
    fn times_are_in_the_doctors_zone_and_only_a_reminder_says_reminder() {
        let mail = confirmation(&visit());
        assert!(
            mail.body
                .contains("Monday 13 January 2031, 09:00 (America/New_York)"),
            "{}",
            mail.body
        );
        assert!(mail.body.contains("Dr. Gregory House") && mail.body.contains("Princeton"));
        for other in [
            confirmation(&visit()),
            reschedule(&visit(), None),
            cancellation(&visit()),
            offer(&visit(), None),
        ] {
            assert!(
                !other.subject.to_lowercase().contains("reminder"),
                "{}",
                other.subject
            );
        }
        assert!(reminder(&visit()).subject.starts_with("Reminder:"));
    }
}
