//! What an event from appointment-service means for the patient's mail: a confirmation,
//! a reschedule, a cancellation by the clinic or a waitlist offer to send now, and the
//! reminder to schedule, move or drop. Each event is acted on once (a redelivery changes
//! nothing), in one transaction with the mail it queues.

use crate::db::notifications::{self as store, Reminder};
use crate::domain::notifications::{self as mails, Mail, Visit};
use crate::notifications_config::NotificationSettings;
use chrono::{DateTime, Utc};
use common::calendar::{Invitation, Method};
use common::contracts::events::{AppointmentEventData, OfferEventData};
use common::events::{Event, EventType};
use common::{ApiError, UserId};
use diesel::{Connection, PgConnection};

pub fn receive(
    conn: &mut PgConnection,
    event: &Event,
    settings: &NotificationSettings,
) -> Result<(), ApiError> {
    let Some(kind) = EventType::parse(&event.kind) else {
        return Ok(());
    };
    conn.transaction(|conn| {
        if !store::first_receipt(conn, event.id, &event.kind)? {
            return Ok(());
        }
        match kind {
            EventType::WaitlistOffered => offered(conn, &parse(event)?),
            kind => appointment(conn, kind, event.occurred_at, &parse(event)?, settings),
        }
    })
}

fn parse<T: serde::de::DeserializeOwned>(event: &Event) -> Result<T, ApiError> {
    serde_json::from_value(event.data.clone())
        .map_err(|e| ApiError::validation("data", format!("is not a {} event: {e}", event.kind)))
}

fn appointment(
    conn: &mut PgConnection,
    kind: EventType,
    occurred_at: DateTime<Utc>,
    data: &AppointmentEventData,
    settings: &NotificationSettings,
) -> Result<(), ApiError> {
    let clinic = Clinic::of(settings);
    let calendar = |v: &Visit, method| {
        let organizer = clinic.inviting(v.patient_email);
        mails::calendar_part(v, data, method, &organizer, occurred_at)
    };
    let mail = match kind {
        EventType::AppointmentBooked | EventType::AppointmentConfirmed => {
            schedule(conn, data, occurred_at, settings)?;
            Some(compose(
                conn,
                data.patient_id,
                data.doctor_id,
                data.start,
                data,
                |v| mails::confirmation(v).with_calendar(calendar(v, Method::Request)),
            )?)
        }
        EventType::AppointmentRescheduled => {
            schedule(conn, data, occurred_at, settings)?;
            let previous = data.previous_start;
            Some(compose(
                conn,
                data.patient_id,
                data.doctor_id,
                data.start,
                data,
                |v| mails::reschedule(v, previous).with_calendar(calendar(v, Method::Request)),
            )?)
        }
        EventType::AppointmentCancelled | EventType::AppointmentExpired => {
            store::drop_reminder(conn, data.appointment_id.as_uuid())?;
            // The patient knows what they cancelled; a hold that lapsed was never a visit.
            let by_clinic = kind == EventType::AppointmentCancelled
                && data.cancelled_by.as_deref() != Some("patient");
            if by_clinic {
                Some(compose(
                    conn,
                    data.patient_id,
                    data.doctor_id,
                    data.start,
                    data,
                    |v| mails::cancellation(v).with_calendar(calendar(v, Method::Cancel)),
                )?)
            } else {
                None
            }
        }
        _ => None,
    };
    if let Some(Some(mail)) = mail {
        store::queue_mail(conn, data.patient_id, &mail)?;
    }
    Ok(())
}

/// The clinic as the organizer of the events its mails carry: `MAIL_FROM`'s name and
/// address (validated at start; a bare address names the clinic by it).
struct Clinic {
    name: String,
    email: String,
}

impl Clinic {
    fn of(settings: &NotificationSettings) -> Self {
        let mailbox = settings.mail_from.parse::<lettre::message::Mailbox>().ok();
        let email = mailbox
            .as_ref()
            .map_or_else(|| settings.mail_from.clone(), |m| m.email.to_string());
        let name = mailbox
            .and_then(|m| m.name)
            .unwrap_or_else(|| email.clone());
        Self { name, email }
    }

    fn inviting<'a>(&'a self, attendee_email: &'a str) -> Invitation<'a> {
        Invitation {
            organizer_name: &self.name,
            organizer_email: &self.email,
            attendee_email,
        }
    }
}

/// The reminder of this appointment at its start, unless that is already inside the
/// reminder window (the confirmation just sent says the same).
fn schedule(
    conn: &mut PgConnection,
    data: &AppointmentEventData,
    occurred_at: DateTime<Utc>,
    settings: &NotificationSettings,
) -> Result<(), ApiError> {
    let before = chrono::Duration::from_std(settings.reminder_before).unwrap_or_default();
    let send_at = data.start - before;
    if send_at <= occurred_at {
        store::drop_reminder(conn, data.appointment_id.as_uuid())?;
        return Ok(());
    }
    store::schedule_reminder(
        conn,
        &Reminder {
            appointment_id: data.appointment_id.as_uuid(),
            patient_id: data.patient_id,
            doctor_id: data.doctor_id,
            starts_at: data.start,
            timezone: &data.timezone,
            location: data.location.as_deref(),
            send_at,
            as_of: occurred_at,
        },
    )?;
    Ok(())
}

fn offered(conn: &mut PgConnection, data: &OfferEventData) -> Result<(), ApiError> {
    let expires = data.hold_expires_at;
    let place = AppointmentLike {
        timezone: &data.timezone,
        location: data.location.as_deref(),
    };
    if let Some(mail) = compose(
        conn,
        data.patient_id,
        data.doctor_id,
        data.start,
        &place,
        |v| mails::offer(v, expires),
    )? {
        store::queue_mail(conn, data.patient_id, &mail)?;
    }
    Ok(())
}

/// Where a visit is: what `compose` reads from either event.
pub trait Place {
    fn timezone(&self) -> &str;
    fn location(&self) -> Option<&str>;
}

impl Place for AppointmentEventData {
    fn timezone(&self) -> &str {
        &self.timezone
    }
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

struct AppointmentLike<'a> {
    timezone: &'a str,
    location: Option<&'a str>,
}

impl Place for AppointmentLike<'_> {
    fn timezone(&self) -> &str {
        self.timezone
    }
    fn location(&self) -> Option<&str> {
        self.location
    }
}

/// The mail for `patient`, or `None` when they do not want mail (or are unknown here).
pub fn compose(
    conn: &mut PgConnection,
    patient: UserId,
    doctor: UserId,
    start: DateTime<Utc>,
    place: &impl Place,
    write: impl FnOnce(&Visit) -> Mail,
) -> Result<Option<Mail>, ApiError> {
    let Some((first_name, email)) = store::recipient(conn, patient)? else {
        return Ok(None);
    };
    // Names and the location are other people's text: made plain before they go out.
    let first_name = mails::plain(&first_name);
    let doctor_name = mails::plain(&store::doctor_name(conn, doctor)?);
    let location = place.location().map(mails::plain);
    Ok(Some(write(&Visit {
        patient_first_name: &first_name,
        patient_email: &email,
        doctor_name: &doctor_name,
        start,
        timezone: place.timezone(),
        location: location.as_deref(),
    })))
}
