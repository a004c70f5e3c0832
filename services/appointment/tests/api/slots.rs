use crate::helpers::*;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use common::Role;
use serde_json::Value;

fn starts(slots: &[Value]) -> Vec<String> {
    slots
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

fn next_year(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(Utc::now().year() + 1, month, day).unwrap()
}

/// Every day in `timezone`, bookable as far ahead as any doctor allows (next year's dates).
fn every_day_in(timezone: &'static str) -> Hours {
    Hours {
        timezone,
        working_days: vec![1, 2, 3, 4, 5, 6, 7],
        booking_horizon_days: 730,
        ..Hours::default()
    }
}

#[tokio::test]
async fn a_working_day_offers_every_whole_slot_in_order_in_utc() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);

    let slots = app.slots(doctor.id, monday).await;

    assert_eq!(slots.len(), 16, "09:00-17:00 in 30-minute slots");
    assert_eq!(slots[0]["start"], format!("{monday}T09:00:00Z"));
    assert_eq!(slots[0]["end"], format!("{monday}T09:30:00Z"));
    assert_eq!(slots[15]["start"], format!("{monday}T16:30:00Z"));
    let mut sorted = starts(&slots);
    sorted.sort();
    assert_eq!(sorted, starts(&slots));
}

#[tokio::test]
async fn a_day_off_has_no_slots() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());

    assert!(app.slots(doctor.id, next(Weekday::Sat)).await.is_empty());
}

#[tokio::test]
async fn new_york_nine_oclock_is_14z_in_january_and_13z_in_july() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(every_day_in("America/New_York"));
    let january = next_year(1, 15);
    let july = next_year(7, 15);

    let winter = app.slots(doctor.id, january).await;
    let summer = app.slots(doctor.id, july).await;

    assert_eq!(winter[0]["start"], format!("{january}T14:00:00Z"));
    assert_eq!(summer[0]["start"], format!("{july}T13:00:00Z"));
    assert_eq!(winter.len(), 16);
}

#[tokio::test]
async fn a_local_time_skipped_by_spring_forward_is_never_offered() {
    let app = spawn_app().await;
    let hours = Hours {
        from: "00:00",
        to: "04:00",
        slot_minutes: 60,
        ..every_day_in("America/New_York")
    };
    let doctor = app.seed_doctor(hours);
    // The second Sunday of March: 02:00 local does not exist in New York.
    let mut day = next_year(3, 8);
    while day.weekday() != Weekday::Sun {
        day += Duration::days(1);
    }

    let slots = app.slots(doctor.id, day).await;

    assert_eq!(
        starts(&slots),
        [
            format!("{day}T05:00:00Z"),
            format!("{day}T06:00:00Z"),
            format!("{day}T07:00:00Z")
        ],
        "00:00 EST, 01:00 EST, 03:00 EDT; no 02:00"
    );
}

#[tokio::test]
async fn a_booked_slot_disappears_and_a_cancelled_one_returns() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let id = app.booked(&patient, doctor.id, at(monday, "10:00")).await;

    let after_booking = starts(&app.slots(doctor.id, monday).await);
    app.delete(&format!("/appointments/{id}"), &patient).await;
    let after_cancel = starts(&app.slots(doctor.id, monday).await);

    assert_eq!(after_booking.len(), 15);
    assert!(!after_booking.contains(&format!("{monday}T10:00:00Z")));
    assert!(after_cancel.contains(&format!("{monday}T10:00:00Z")));
}

#[tokio::test]
async fn slots_need_a_valid_date_and_a_known_doctor() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());

    let missing = app
        .client
        .get(app.url(&format!("/doctors/{}/slots", doctor.id)))
        .send()
        .await
        .unwrap();
    let bad = app
        .client
        .get(app.url(&format!("/doctors/{}/slots?date=31-01-2030", doctor.id)))
        .send()
        .await
        .unwrap();
    let unknown = app
        .client
        .get(app.url(&format!(
            "/doctors/{}/slots?date={}",
            uuid::Uuid::new_v4(),
            (chrono::Utc::now() + chrono::Duration::days(7)).date_naive()
        )))
        .send()
        .await
        .unwrap();

    assert_eq!(error_fields(&assert_problem(missing, 422).await), ["date"]);
    assert_eq!(error_fields(&assert_problem(bad, 422).await), ["date"]);
    assert_problem(unknown, 404).await;
}
