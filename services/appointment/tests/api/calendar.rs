//! The rules of a doctor's calendar beyond the weekly hours: breaks, notice, horizon, the
//! daily limit per patient, and slots over a range of days.

use crate::helpers::*;
use chrono::{Datelike, Duration, DurationRound, NaiveDate, Timelike, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};

const LUNCH: &str = r#"[{"from": "12:00", "to": "13:00"}]"#;

#[tokio::test]
async fn a_break_removes_its_slots_and_a_booking_in_it_is_422_naming_the_break() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        breaks: LUNCH,
        ..Hours::default()
    });
    let monday = next(Weekday::Mon);

    let starts: Vec<Value> = app
        .slots(doctor.id, monday)
        .await
        .into_iter()
        .map(|s| s["start"].clone())
        .collect();
    assert_eq!(starts.len(), 14);
    assert!(!starts.contains(&json!(rfc3339(at(monday, "12:00")))));
    assert!(!starts.contains(&json!(rfc3339(at(monday, "12:30")))));
    assert!(starts.contains(&json!(rfc3339(at(monday, "13:00")))));

    let res = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "12:45"))
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(error_fields(&problem), ["appointment_time"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("break"),
        "{problem}"
    );
    let res = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "11:45"))
        .await;
    assert_problem(res, 422).await;
    assert_eq!(app.count_appointments(), 0);
}

#[tokio::test]
async fn a_lunch_break_holds_at_local_noon_on_the_day_the_clocks_change() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        timezone: "Europe/Berlin",
        working_days: vec![1, 2, 3, 4, 5, 6, 7],
        breaks: LUNCH,
        booking_horizon_days: 730,
        ..Hours::default()
    });
    // The last Sunday of March: Berlin moves from UTC+1 to UTC+2 at 02:00.
    let mut change = NaiveDate::from_ymd_opt(Utc::now().year() + 1, 3, 31).unwrap();
    while change.weekday() != Weekday::Sun {
        change -= Duration::days(1);
    }

    let before = app.slots(doctor.id, change - Duration::days(1)).await;
    let after = app.slots(doctor.id, change).await;

    let starts = |slots: &[Value]| {
        slots
            .iter()
            .map(|s| s["start"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(before.len(), 14);
    assert_eq!(after.len(), 14);
    // 11:30 and 13:00 local: 10:30Z and 12:00Z in winter time, 09:30Z and 11:00Z in summer.
    assert!(starts(&before).contains(&format!("{}T10:30:00Z", change - Duration::days(1))));
    assert!(starts(&before).contains(&format!("{}T12:00:00Z", change - Duration::days(1))));
    assert!(!starts(&before).contains(&format!("{}T11:00:00Z", change - Duration::days(1))));
    assert!(starts(&after).contains(&format!("{change}T09:30:00Z")));
    assert!(starts(&after).contains(&format!("{change}T11:00:00Z")));
    assert!(!starts(&after).contains(&format!("{change}T10:00:00Z")));
}

/// An `Etc/GMT` zone where it is about noon now, so a test booking minutes or a day ahead
/// never crosses the doctor's local midnight.
fn zone_at_noon() -> &'static str {
    let offset = (12 - i64::from(Utc::now().hour()) + 24) % 24;
    let offset = if offset > 12 { offset - 24 } else { offset };
    // Etc/GMT-3 is three hours ahead of UTC: the sign is POSIX's, the opposite of ISO's.
    let name = match offset {
        0 => "Etc/GMT".to_owned(),
        ahead if ahead > 0 => format!("Etc/GMT-{ahead}"),
        behind => format!("Etc/GMT+{}", -behind),
    };
    Box::leak(name.into_boxed_str())
}

#[tokio::test]
async fn notice_and_horizon_hold_to_the_minute() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        from: "00:00",
        to: "23:59",
        timezone: zone_at_noon(),
        working_days: vec![1, 2, 3, 4, 5, 6, 7],
        slot_minutes: 5,
        min_notice_minutes: 60,
        booking_horizon_days: 1,
        ..Hours::default()
    });
    let now = Utc::now().duration_trunc(Duration::minutes(1)).unwrap();
    let patients: Vec<Caller> = (0..4).map(|_| caller(Role::Patient)).collect();
    let book = |minutes: i64, who: usize| {
        app.book(&patients[who], doctor.id, now + Duration::minutes(minutes))
    };

    let too_soon = assert_problem(book(59, 0).await, 422).await;
    assert!(
        too_soon["detail"].as_str().unwrap().contains("notice"),
        "{too_soon}"
    );
    assert_eq!(book(61, 1).await.status(), 201);
    let day = 24 * 60;
    assert_eq!(book(day - 1, 2).await.status(), 201);
    let too_far = assert_problem(book(day + 1, 3).await, 422).await;
    assert!(
        too_far["detail"].as_str().unwrap().contains("horizon"),
        "{too_far}"
    );
    assert_eq!(app.count_appointments(), 2);
}

#[tokio::test]
async fn slots_honour_the_notice() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        from: "00:00",
        to: "23:59",
        timezone: zone_at_noon(),
        working_days: vec![1, 2, 3, 4, 5, 6, 7],
        min_notice_minutes: 180,
        ..Hours::default()
    });
    let today = Utc::now()
        .with_timezone(&zone_at_noon().parse::<chrono_tz::Tz>().unwrap())
        .date_naive();

    let slots = app.slots(doctor.id, today).await;

    let first: chrono::DateTime<Utc> = slots[0]["start"].as_str().unwrap().parse().unwrap();
    assert!(first >= Utc::now() + Duration::minutes(179));
    assert!(
        first <= Utc::now() + Duration::minutes(180 + 30),
        "the next slot of the grid"
    );
}

#[tokio::test]
async fn the_third_booking_of_a_patient_with_one_doctor_on_one_day_is_409() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    app.booked(&patient, doctor.id, at(monday, "09:00")).await;
    app.booked(&patient, doctor.id, at(monday, "10:00")).await;

    let problem = assert_problem(
        app.book(&patient, doctor.id, at(monday, "11:00")).await,
        409,
    )
    .await;

    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("daily-booking-limit"),
        "{problem}"
    );
    // Another day, or another patient the same day, still books.
    app.booked(&patient, doctor.id, at(monday + Duration::days(1), "11:00"))
        .await;
    app.booked(&caller(Role::Patient), doctor.id, at(monday, "11:00"))
        .await;
}

#[tokio::test]
async fn racing_bookings_of_one_patient_on_one_day_over_two_instances_book_two() {
    let app = spawn_app().await;
    let replica = start(
        test_settings(&app.db),
        test_support::db::TestDatabase::create_empty(),
    )
    .await;
    let instances = [&app, &replica];
    let monday = next(Weekday::Mon);
    for _ in 0..3 {
        let doctor = app.seed_doctor(Hours::default());
        let patient = caller(Role::Patient);

        let statuses: Vec<u16> = futures_util::future::join_all((0..10).map(|i| {
            let start = at(monday, "09:00") + Duration::minutes(30 * i);
            instances[usize::try_from(i).unwrap() % 2].book(&patient, doctor.id, start)
        }))
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            2,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            8,
            "{statuses:?}"
        );
        let booked = format!(
            "SELECT count(*) AS n FROM appointments WHERE patient_id = '{}'",
            patient.id
        );
        assert_eq!(app.db.count(&booked), 2);
    }
}

async fn slots_between(
    app: &TestApp,
    doctor: common::UserId,
    from: NaiveDate,
    to: NaiveDate,
) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/doctors/{doctor}/slots?from={from}&to={to}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn fourteen_days_of_slots_in_one_request_equal_the_fourteen_single_days() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        timezone: "America/New_York",
        breaks: LUNCH,
        ..Hours::default()
    });
    let first = next(Weekday::Wed);
    let last = first + Duration::days(13);
    app.booked(
        &caller(Role::Patient),
        doctor.id,
        at(first + Duration::days(5), "15:00"),
    )
    .await;
    let time_off = app
        .post(
            "/doctors/profile/time-off",
            &doctor,
            &json!({ "start": rfc3339(at(first + Duration::days(2), "00:00")), "end": rfc3339(at(first + Duration::days(3), "00:00")) }),
        )
        .await;
    assert_eq!(time_off.status(), 201);

    let res = slots_between(&app, doctor.id, first, last).await;

    assert_eq!(res.status(), 200);
    let range: Vec<Value> = res.json().await.unwrap();
    let mut singles = Vec::new();
    for offset in 0..14 {
        singles.extend(app.slots(doctor.id, first + Duration::days(offset)).await);
    }
    assert_eq!(range, singles);
    assert!(
        range.len() > 100,
        "ten working days of 14 slots, less the booked and time off"
    );
}

#[tokio::test]
async fn a_slot_range_over_31_days_or_backwards_is_422() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let first = next(Weekday::Mon);

    let ok = slots_between(&app, doctor.id, first, first + Duration::days(30)).await;
    let long = slots_between(&app, doctor.id, first, first + Duration::days(31)).await;
    let backwards = slots_between(&app, doctor.id, first, first - Duration::days(1)).await;
    let half = app
        .client
        .get(app.url(&format!("/doctors/{}/slots?from={first}", doctor.id)))
        .send()
        .await
        .unwrap();

    assert_eq!(ok.status(), 200);
    assert_eq!(error_fields(&assert_problem(long, 422).await), ["to"]);
    assert_eq!(error_fields(&assert_problem(backwards, 422).await), ["to"]);
    assert_eq!(error_fields(&assert_problem(half, 422).await), ["to"]);
}
