//! Patients' e-mail, end to end: appointment-service's events go to auth-service as signed
//! webhooks, and auth-service hands the mail to a real SMTP server started by the test.

use crate::helpers::*;
use chrono::{Utc, Weekday};
use common::Role;
use common::config::Secret;
use common::events::settings::NotifyTarget;
use serde_json::{Value, json};
use std::time::Duration as StdDuration;
use test_support::smtp_sink::{Mail, SmtpSink};

const SECRET: &str = "whsec_dGVzdCBub3RpZmljYXRpb25zIHNlY3JldCBvZiAzMiBieXRlcw==";

struct Clinic {
    smtp: SmtpSink,
    auth: RealAuth,
    app: TestApp,
    doctor: Caller,
    patient: Caller,
}

async fn clinic(smtp: SmtpSink, reminder_before: StdDuration) -> Clinic {
    clinic_in(smtp, reminder_before, "Princeton").await
}

/// A clinic whose doctor practises at `location`.
async fn clinic_in(smtp: SmtpSink, reminder_before: StdDuration, location: &str) -> Clinic {
    clinic_of(smtp, reminder_before, ("Gregory", "House"), location).await
}

/// A clinic whose doctor `(first, last)` practises at `location`.
async fn clinic_of(
    smtp: SmtpSink,
    reminder_before: StdDuration,
    (first, last): (&str, &str),
    location: &str,
) -> Clinic {
    let smtp_url = smtp.url();
    let auth = start_auth_with(|s| {
        s.notifications.smtp_url = Some(Secret::new(smtp_url));
        s.notifications.webhook_secret = Some(Secret::new(SECRET));
        s.notifications.retry = StdDuration::from_secs(1);
        s.notifications.reminder_before = reminder_before;
    })
    .await;
    let inbox = format!("{}/internal/events", auth.address);
    let app = spawn_app_with(|s| {
        // The operator's own target is reached even where API-made ones could not be.
        s.events.allow_private_urls = false;
        s.events.notifications = Some(NotifyTarget {
            url: inbox,
            secret: Secret::new(SECRET),
        });
    })
    .await;
    let doctor = auth.user("doctor", first, last).await;
    let hours = Hours {
        timezone: "America/New_York",
        ..Hours::default()
    };
    app.seed_profile_of(&doctor, hours, first, last, "Diagnostics", Some(location));
    let patient = auth.user("patient", "Pat", "Lee").await;
    Clinic {
        smtp,
        auth,
        app,
        doctor,
        patient,
    }
}

async fn mails_within(smtp: &SmtpSink, count: usize, within: StdDuration) -> Vec<Mail> {
    eventually(within, || async { smtp.mails().len() >= count }).await;
    smtp.mails()
}

/// Monday 15:00Z after next: 10:00 or 11:00 in New York, depending on the season.
fn monday_local(c: &Clinic) -> (chrono::DateTime<Utc>, String) {
    let start = at(next(Weekday::Mon), "15:00");
    let local = start
        .with_timezone(&chrono_tz::America::New_York)
        .format("%H:%M")
        .to_string();
    let _ = &c.doctor;
    (start, local)
}

#[tokio::test]
async fn confirmation_reschedule_and_a_clinic_cancellation_mail_the_patient_in_the_doctors_zone() {
    let c = clinic(SmtpSink::start().await, StdDuration::from_secs(3600)).await;
    let (start, local) = monday_local(&c);
    let body = json!({ "doctor_id": c.doctor.id, "appointment_time": rfc3339(start), "notes": "embarrassing rash" });
    let booked: Value = c
        .app
        .book_body(&c.patient, &body)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/appointments/{}", booked["id"].as_str().unwrap());

    let mails = mails_within(&c.smtp, 1, StdDuration::from_secs(8)).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let confirmation = &mails[0];
    assert!(
        confirmation
            .body
            .contains(&format!("{local} (America/New_York)")),
        "{}",
        confirmation.body
    );
    assert!(
        confirmation.body.contains("Dr. Gregory House") && confirmation.body.contains("Princeton")
    );
    assert!(!confirmation.body.contains("rash") && !confirmation.subject.contains("rash"));
    assert!(!confirmation.subject.to_lowercase().contains("reminder"));

    let later = start + chrono::Duration::hours(1);
    c.app
        .put(
            &path,
            &c.patient,
            &json!({ "appointment_time": rfc3339(later) }),
        )
        .await;
    let mails = mails_within(&c.smtp, 2, StdDuration::from_secs(8)).await;
    let moved = &mails[1];
    assert!(moved.subject.contains("moved"), "{}", moved.subject);
    let new_local = later
        .with_timezone(&chrono_tz::America::New_York)
        .format("%H:%M")
        .to_string();
    assert!(moved.body.contains(&new_local), "{}", moved.body);

    let res = c.client_cancel(&path, &c.doctor, "the doctor is ill").await;
    assert_eq!(res, 200);
    let mails = mails_within(&c.smtp, 3, StdDuration::from_secs(8)).await;
    assert!(
        mails[2].subject.contains("cancelled"),
        "{}",
        mails[2].subject
    );
    assert!(
        !mails[2].body.contains("ill"),
        "no free text: {}",
        mails[2].body
    );

    // A patient's own cancellation sends nothing: they know.
    let own: Value = c
        .app
        .book_body(
            &c.patient,
            &json!({ "doctor_id": c.doctor.id, "appointment_time": rfc3339(start) }),
        )
        .await
        .json()
        .await
        .unwrap();
    mails_within(&c.smtp, 4, StdDuration::from_secs(8)).await;
    c.app
        .delete(
            &format!("/appointments/{}", own["id"].as_str().unwrap()),
            &c.patient,
        )
        .await;
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    assert_eq!(c.smtp.mails().len(), 4);
}

impl Clinic {
    async fn client_cancel(&self, path: &str, who: &Caller, reason: &str) -> u16 {
        self.app
            .client
            .delete(self.app.url(path))
            .bearer_auth(&who.token)
            .json(&json!({ "reason": reason }))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

#[tokio::test]
async fn one_reminder_at_the_new_time_of_a_rescheduled_appointment_even_with_two_auth_instances() {
    let start = at(next(Weekday::Mon), "15:00");
    let later = start + chrono::Duration::hours(1);
    // Due three seconds after the reschedule for the new start; for the old start it was
    // already past at booking (no reminder for that one).
    let before = (later - Utc::now()).to_std().unwrap() - StdDuration::from_secs(4);
    let c = clinic(SmtpSink::start().await, before).await;
    let mut second = auth_service::Settings::for_tests(&c.auth.db.url);
    second.notifications = auth_like(&c);
    let replica = auth_service::Application::build(second).await.unwrap();
    tokio::spawn(replica.run_until_stopped());
    let booked: Value = c
        .app
        .book_body(
            &c.patient,
            &json!({ "doctor_id": c.doctor.id, "appointment_time": rfc3339(start) }),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/appointments/{}", booked["id"].as_str().unwrap());
    mails_within(&c.smtp, 1, StdDuration::from_secs(8)).await;

    c.app
        .put(
            &path,
            &c.patient,
            &json!({ "appointment_time": rfc3339(later) }),
        )
        .await;

    let reminded = eventually(StdDuration::from_secs(12), || async {
        c.smtp
            .mails()
            .iter()
            .any(|m| m.subject.starts_with("Reminder"))
    })
    .await;
    assert!(reminded, "{:?}", c.smtp.mails());
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    let reminders: Vec<Mail> = c
        .smtp
        .mails()
        .into_iter()
        .filter(|m| m.subject.starts_with("Reminder"))
        .collect();
    assert_eq!(reminders.len(), 1, "exactly one reminder");
    let new_local = later
        .with_timezone(&chrono_tz::America::New_York)
        .format("%H:%M")
        .to_string();
    assert!(
        reminders[0].body.contains(&new_local),
        "{}",
        reminders[0].body
    );
}

/// The same notification settings as the clinic's auth-service, for a replica of it.
fn auth_like(c: &Clinic) -> auth_service::notifications_config::NotificationSettings {
    let mut settings = auth_service::notifications_config::NotificationSettings::off();
    settings.smtp_url = Some(Secret::new(c.smtp.url()));
    settings.webhook_secret = Some(Secret::new(SECRET));
    settings
}

#[tokio::test]
async fn a_patient_who_opted_out_gets_no_mail() {
    let c = clinic(SmtpSink::start().await, StdDuration::from_secs(3600)).await;
    let res = c
        .auth
        .client
        .put(format!("{}/users/profile", c.auth.address))
        .bearer_auth(&c.patient.token)
        .json(&json!({ "notifications": { "email": false } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["notifications"],
        json!({ "email": false })
    );
    let (start, _) = monday_local(&c);

    let res = c.app.book(&c.patient, c.doctor.id, start).await;

    assert_eq!(res.status(), 201);
    tokio::time::sleep(StdDuration::from_secs(4)).await;
    assert!(c.smtp.mails().is_empty(), "{:?}", c.smtp.mails());
}

#[tokio::test]
async fn a_mail_server_down_at_booking_delays_the_mail_and_never_the_booking() {
    let probe = SmtpSink::start().await;
    let port = probe.port;
    let c = clinic(probe, StdDuration::from_secs(3600)).await;
    c.smtp.stop();
    let (start, _) = monday_local(&c);

    let res = c.app.book(&c.patient, c.doctor.id, start).await;

    assert_eq!(res.status(), 201);
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    let back = SmtpSink::on_port(port).await;
    let mails = mails_within(&back, 1, StdDuration::from_secs(10)).await;
    assert_eq!(mails.len(), 1, "the confirmation, once");
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(back.mails().len(), 1);
    let _ = Role::Patient;
}

#[tokio::test]
async fn a_mail_the_server_refuses_for_good_is_given_up_after_one_try() {
    let c = clinic(
        SmtpSink::refusing_recipients().await,
        StdDuration::from_secs(3600),
    )
    .await;
    let (start, _) = monday_local(&c);

    let res = c.app.book(&c.patient, c.doctor.id, start).await;

    assert_eq!(res.status(), 201);
    let given_up = "SELECT count(*) AS n FROM mail_outbox WHERE failed_at IS NOT NULL";
    assert!(
        eventually(StdDuration::from_secs(10), || async {
            c.auth.db.count(given_up) == 1
        })
        .await,
        "the mail was not given up"
    );
    // Retried every second otherwise: three seconds later it was still asked once.
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    assert_eq!(c.smtp.mails().len(), 1, "{:?}", c.smtp.mails());
    assert_eq!(
        c.auth
            .db
            .count("SELECT count(*) AS n FROM mail_outbox WHERE attempts = 1"),
        1
    );
}

#[tokio::test]
async fn a_location_written_as_a_mime_encoded_word_reaches_the_patient_as_plain_text() {
    let forged = "Princeton =?UTF-8?B?Q2FsbCArMSA1NTUgMDEwMCB0byBwYXk=?=";
    let c = clinic_in(
        SmtpSink::start().await,
        StdDuration::from_secs(3600),
        forged,
    )
    .await;
    let (start, _) = monday_local(&c);

    let res = c.app.book(&c.patient, c.doctor.id, start).await;

    assert_eq!(res.status(), 201);
    let mails = mails_within(&c.smtp, 1, StdDuration::from_secs(10)).await;
    assert_eq!(mails.len(), 1);
    let body = &mails[0].body;
    assert!(!body.contains("=?UTF-8?"), "{body}");
    assert!(
        body.contains("Princeton = ?UTF-8?B?"),
        "the text stays, inert: {body}"
    );
}

#[tokio::test]
async fn mail_is_mime_utf_8_so_juergen_mueller_in_koeln_sued_reads_as_written() {
    let c = clinic_of(
        SmtpSink::start().await,
        StdDuration::from_secs(3600),
        ("Jürgen", "Müller"),
        "Köln Süd",
    )
    .await;
    let (start, _) = monday_local(&c);

    let res = c.app.book(&c.patient, c.doctor.id, start).await;

    assert_eq!(res.status(), 201);
    let mails = mails_within(&c.smtp, 1, StdDuration::from_secs(10)).await;
    let mail = &mails[0];
    assert_eq!(
        mail.header("MIME-Version"),
        Some("1.0"),
        "{:?}",
        mail.headers
    );
    let text_part = mail
        .parts
        .iter()
        .find(|p| p.content_type.starts_with("text/plain"))
        .expect("a text part");
    assert!(
        text_part
            .content_type
            .to_ascii_lowercase()
            .contains("charset=utf-8"),
        "{}",
        text_part.content_type
    );
    let message_id = mail.header("Message-ID").expect("a Message-ID");
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@localhost>"),
        "under the sender's domain (MAIL_FROM's): {message_id}"
    );
    assert!(mail.header("Date").is_some());
    assert!(
        mail.subject.contains("Dr. Jürgen Müller"),
        "{}",
        mail.subject
    );
    assert!(
        mail.body.contains("Dr. Jürgen Müller") && mail.body.contains("Köln Süd"),
        "{}",
        mail.body
    );
    let read = test_support::ics::read_mail(&mail.raw).await;
    assert!(
        read["subject"]
            .as_str()
            .unwrap()
            .contains("Dr. Jürgen Müller"),
        "{read}"
    );
    let text = read["text"].as_str().unwrap();
    assert!(
        text.contains("Dr. Jürgen Müller") && text.contains("Köln Süd"),
        "{text}"
    );
    let calendar = test_support::ics::read_calendar(read["calendar"].as_str().unwrap()).await;
    let event = &calendar["events"][0];
    assert_eq!(event["summary"], "Appointment with Dr. Jürgen Müller");
    assert_eq!(event["location"], "Köln Süd");
}

/// What a mail client does with the event a mail carries, before and after a reschedule
/// and a cancellation by the clinic: one event (same UID as the appointment's own
/// calendar), updated in place by a growing SEQUENCE, then removed.
#[tokio::test]
async fn confirmation_reschedule_and_cancellation_mails_carry_the_event_a_calendar_updates() {
    let c = clinic(SmtpSink::start().await, StdDuration::from_secs(3600)).await;
    let (start, _) = monday_local(&c);
    let booked: Value = c
        .app
        .book_body(&c.patient, &json!({ "doctor_id": c.doctor.id, "appointment_time": rfc3339(start), "notes": "embarrassing rash" }))
        .await
        .json()
        .await
        .unwrap();
    let id = booked["id"].as_str().unwrap().to_owned();
    let path = format!("/appointments/{id}");
    let later = start + chrono::Duration::hours(1);

    let confirmed = calendar_of_mail(&c, 1).await;
    c.app
        .put(
            &path,
            &c.patient,
            &json!({ "appointment_time": rfc3339(later) }),
        )
        .await;
    let moved = calendar_of_mail(&c, 2).await;
    assert_eq!(c.client_cancel(&path, &c.doctor, "ill").await, 200);
    let cancelled = calendar_of_mail(&c, 3).await;

    let served = c
        .app
        .client
        .get(c.app.url(&format!("{path}/ics")))
        .bearer_auth(&c.patient.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let served = test_support::ics::read_calendar(&served).await;
    let (first, second, third) = (
        &confirmed.1["events"][0],
        &moved.1["events"][0],
        &cancelled.1["events"][0],
    );
    assert_eq!(
        (confirmed.0.as_str(), moved.0.as_str(), cancelled.0.as_str()),
        ("REQUEST", "REQUEST", "CANCEL")
    );
    assert_eq!(confirmed.1["method"], "REQUEST");
    assert_eq!(first["uid"], format!("{id}@localhost"));
    assert_eq!(second["uid"], first["uid"]);
    assert_eq!(third["uid"], first["uid"]);
    assert_eq!(served["events"][0]["uid"], first["uid"]);
    assert_eq!(first["start"], start.to_rfc3339());
    assert_eq!(second["start"], later.to_rfc3339());
    assert_eq!(first["summary"], "Appointment with Dr. Gregory House");
    assert_eq!(first["location"], "Princeton");
    assert_eq!(first["status"], "CONFIRMED");
    assert_eq!(third["status"], "CANCELLED");
    let sequences: Vec<i64> = [first, second, third]
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert!(
        sequences[0] < sequences[1] && sequences[1] < sequences[2],
        "{sequences:?}"
    );
    assert_eq!(served["events"][0]["sequence"], sequences[2]);
    assert!(first["organizer"].as_str().unwrap().starts_with("mailto:"));
    assert!(first["attendee"].as_str().unwrap().starts_with("mailto:"));
    for calendar in [&confirmed.1, &moved.1, &cancelled.1] {
        assert!(
            !calendar.to_string().contains("rash"),
            "no notes: {calendar}"
        );
    }
}

/// The `n`th mail's calendar part: its `method` parameter and the calendar as read.
async fn calendar_of_mail(c: &Clinic, n: usize) -> (String, Value) {
    let mails = mails_within(&c.smtp, n, StdDuration::from_secs(10)).await;
    let read = test_support::ics::read_mail(&mails[n - 1].raw).await;
    let method = read["calendar_method"]
        .as_str()
        .expect("a calendar part")
        .to_owned();
    let calendar = test_support::ics::read_calendar(read["calendar"].as_str().unwrap()).await;
    (method, calendar)
}
