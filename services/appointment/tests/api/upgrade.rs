//! Migrations are additive: a database of the previous release upgrades in place, its
//! rows intact, and the new rules start from their defaults.

use crate::helpers::*;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use diesel::RunQueryDsl;
use serde_json::Value;
use test_support::db::TestDatabase;

#[tokio::test]
async fn a_database_of_the_previous_release_keeps_its_rows_and_takes_the_calendar_defaults() {
    let db = TestDatabase::create_before(appointment_service::MIGRATIONS, "2026-12-01-100008");
    let doctor = caller(Role::Doctor);
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let mut conn = db.connect();
    diesel::sql_query(format!(
        "INSERT INTO doctor_profiles (id, user_id, first_name, last_name, specialization, \
         available_from, available_to, timezone, working_days, slot_minutes) \
         VALUES (gen_random_uuid(), '{}', 'Gregory', 'House', 'Diagnostics', '09:00', '17:00', \
         'UTC', '{{1,2,3,4,5}}', 30)",
        doctor.id
    ))
    .execute(&mut conn)
    .unwrap();
    let booked = uuid::Uuid::now_v7();
    let cancelled = uuid::Uuid::now_v7();
    diesel::sql_query(format!(
        "INSERT INTO appointments (id, patient_id, doctor_id, appointment_time, end_time, status, notes) VALUES \
         ('{booked}', '{p}', '{d}', '{monday} 10:00+00', '{monday} 10:30+00', 'booked', 'kept'), \
         ('{cancelled}', '{p}', '{d}', '{past}', '{past_end}', 'cancelled', NULL)",
        p = patient.id,
        d = doctor.id,
        past = (Utc::now() - Duration::days(3)).to_rfc3339(),
        past_end = (Utc::now() - Duration::days(3) + Duration::minutes(30)).to_rfc3339(),
    ))
    .execute(&mut conn)
    .unwrap();

    let app = start(test_settings(&db), db).await;

    let profile: Value = app
        .get(&format!("/doctors/{}", doctor.id), &patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["breaks"], serde_json::json!([]));
    assert_eq!(profile["min_notice_minutes"], 60);
    assert_eq!(profile["booking_horizon_days"], 180);
    assert_eq!(profile["cancellation_notice_hours"], 24);
    assert_eq!(profile["max_daily_bookings_per_patient"], 2);
    let kept: Value = app
        .get(&format!("/appointments/{booked}"), &patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept["status"], "booked");
    assert_eq!(kept["notes"], "kept");
    assert_eq!(kept["appointment_time"], rfc3339(at(monday, "10:00")));
    assert!(kept["cancelled_by"].is_null());
    let old: Value = app
        .get(&format!("/appointments/{cancelled}"), &patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old["status"], "cancelled");
    assert_eq!(
        app.slots(doctor.id, monday).await.len(),
        15,
        "the kept booking still takes its slot"
    );
}
