//! The waitlist: entries, and the offer of a freed slot to the oldest entry that fits.

use crate::helpers::*;
use chrono::{DateTime, Duration, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};
use std::time::Duration as StdDuration;

fn window(doctor: common::UserId, earliest: DateTime<Utc>, latest: DateTime<Utc>) -> Value {
    json!({ "doctor_id": doctor, "earliest": rfc3339(earliest), "latest": rfc3339(latest) })
}

async fn join(app: &TestApp, patient: &Caller, body: &Value) -> Value {
    let res = app.post("/waitlist", patient, body).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn entry(app: &TestApp, who: &Caller, id: &Value) -> Value {
    let all: Vec<Value> = app.get("/waitlist", who).await.json().await.unwrap();
    all.into_iter()
        .find(|e| e["id"] == *id)
        .expect("entry visible")
}

#[tokio::test]
async fn waitlist_entries_are_created_scoped_filtered_and_withdrawn() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let other_doctor = app.seed_doctor(Hours::default());
    let (patient, stranger, admin) = (
        caller(Role::Patient),
        caller(Role::Patient),
        caller(Role::Admin),
    );
    let monday = next(Weekday::Mon);
    let body = window(
        doctor.id,
        at(monday, "09:00"),
        at(monday + Duration::days(2), "17:00"),
    );

    let created = join(&app, &patient, &body).await;

    assert_eq!(created["status"], "waiting");
    assert_eq!(created["doctor_id"], doctor.id.to_string());
    assert_eq!(created["patient_id"], patient.id.to_string());
    assert!(created["appointment_id"].is_null());
    let id = created["id"].as_str().unwrap();
    let count = |who: &Caller, query: &str| {
        let (app, who, query) = (&app, who.clone(), query.to_owned());
        async move {
            app.get(&format!("/waitlist{query}"), &who)
                .await
                .json::<Vec<Value>>()
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(&patient, "").await, 1);
    assert_eq!(count(&stranger, "").await, 0);
    assert_eq!(count(&doctor, "").await, 1);
    assert_eq!(count(&other_doctor, "").await, 0);
    assert_eq!(count(&admin, "").await, 1);
    assert_eq!(count(&patient, "?status=waiting").await, 1);
    assert_eq!(count(&patient, "?status=offered").await, 0);
    assert_problem(app.get("/waitlist?status=maybe", &patient).await, 422).await;
    assert_problem(app.get("/waitlist?limit=0", &patient).await, 422).await;
    let second = join(&app, &patient, &body).await;
    let page = app.get("/waitlist?limit=1&offset=1", &patient).await;
    assert_eq!(page.headers()["x-total-count"], "2");
    let page: Vec<Value> = page.json().await.unwrap();
    assert_eq!(
        page.iter().map(|e| e["id"].clone()).collect::<Vec<_>>(),
        [second["id"].clone()]
    );
    assert_eq!(
        app.delete(
            &format!("/waitlist/{}", second["id"].as_str().unwrap()),
            &patient
        )
        .await
        .status(),
        204
    );
    assert_problem(app.post("/waitlist", &doctor, &body).await, 403).await;

    assert_problem(app.delete(&format!("/waitlist/{id}"), &stranger).await, 404).await;
    assert_problem(app.delete(&format!("/waitlist/{id}"), &doctor).await, 403).await;
    assert_eq!(
        app.delete(&format!("/waitlist/{id}"), &patient)
            .await
            .status(),
        204
    );
    assert_eq!(
        entry(&app, &patient, &created["id"]).await["status"],
        "withdrawn"
    );
    assert_problem(app.delete(&format!("/waitlist/{id}"), &patient).await, 409).await;
    let by_admin = join(&app, &patient, &body).await;
    assert_eq!(
        app.delete(
            &format!("/waitlist/{}", by_admin["id"].as_str().unwrap()),
            &admin
        )
        .await
        .status(),
        204
    );
}

#[tokio::test]
async fn bad_waitlist_entries_are_422_or_404() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let now = Utc::now();
    let cases = [
        (
            window(doctor.id, now + Duration::days(1), now + Duration::days(33)),
            "latest",
        ),
        (
            window(doctor.id, now - Duration::days(3), now - Duration::days(1)),
            "latest",
        ),
        (
            window(doctor.id, now + Duration::days(2), now + Duration::days(1)),
            "latest",
        ),
        (
            json!({ "doctor_id": "nope", "earliest": rfc3339(now), "latest": rfc3339(now + Duration::days(1)) }),
            "doctor_id",
        ),
        (
            json!({ "doctor_id": doctor.id, "latest": rfc3339(now + Duration::days(1)) }),
            "earliest",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(app.post("/waitlist", &patient, &body).await, 422).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    let unknown = window(common::UserId::new(), now, now + Duration::days(1));
    assert_problem(app.post("/waitlist", &patient, &unknown).await, 404).await;
    assert_eq!(app.db.count_rows("waitlist_entries"), 0);
}

/// A doctor with one booked Monday slot, three patients waiting for that Monday, and the
/// first of them (the oldest entry) busy elsewhere at that time.
struct Queue {
    app: TestApp,
    doctor: Caller,
    booker: Caller,
    booked: String,
    start: DateTime<Utc>,
    busy: (Caller, Value),
    second: (Caller, Value),
    third: (Caller, Value),
}

async fn queue(app: TestApp) -> Queue {
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let start = at(monday, "10:00");
    let booker = caller(Role::Patient);
    let booked = app.booked(&booker, doctor.id, start).await;
    let body = window(doctor.id, at(monday, "00:00"), at(monday, "23:00"));
    let mut entries = Vec::new();
    for _ in 0..3 {
        let patient = caller(Role::Patient);
        let created = join(&app, &patient, &body).await;
        entries.push((patient, created));
    }
    let elsewhere = app.seed_doctor(Hours::default());
    app.seed_appointment(entries[0].0.id, elsewhere.id, start, "booked");
    let mut entries = entries.into_iter();
    Queue {
        busy: entries.next().unwrap(),
        second: entries.next().unwrap(),
        third: entries.next().unwrap(),
        app,
        doctor,
        booker,
        booked,
        start,
    }
}

async fn offered(app: &TestApp, who: &Caller, created: &Value) -> bool {
    entry(app, who, &created["id"]).await["status"] == "offered"
}

#[tokio::test]
async fn a_cancellation_offers_its_slot_to_the_oldest_fitting_entry_and_confirming_fulfils_it() {
    let q = queue(spawn_app().await).await;

    q.app
        .delete(&format!("/appointments/{}", q.booked), &q.booker)
        .await;

    let (patient, created) = &q.second;
    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &q.app, patient, created
        ))
        .await
    );
    let offer = entry(&q.app, patient, &created["id"]).await;
    let hold_id = offer["appointment_id"].as_str().unwrap().to_owned();
    let hold: Value = q
        .app
        .get(&format!("/appointments/{hold_id}"), patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hold["status"], "held");
    assert_eq!(hold["appointment_time"], rfc3339(q.start));
    assert_eq!(hold["patient_id"], patient.id.to_string());
    let expires: DateTime<Utc> = hold["hold_expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        (expires - Utc::now()).num_seconds() > 800,
        "WAITLIST_OFFER_TTL_SECONDS (900)"
    );
    assert_eq!(
        entry(&q.app, &q.busy.0, &q.busy.1["id"]).await["status"],
        "waiting",
        "busy then: skipped"
    );
    assert_eq!(
        entry(&q.app, &q.third.0, &q.third.1["id"]).await["status"],
        "waiting"
    );

    assert_eq!(q.app.confirm(patient, &hold_id).await.status(), 200);
    assert_eq!(
        entry(&q.app, patient, &created["id"]).await["status"],
        "fulfilled"
    );
    let offers = q
        .app
        .db
        .count("SELECT count(*) AS n FROM appointments WHERE status IN ('held', 'booked')");
    assert_eq!(
        offers, 2,
        "the confirmed offer and the busy patient's other visit"
    );
    let _ = &q.doctor;
}

#[tokio::test]
async fn a_lapsed_offer_moves_to_the_next_entry() {
    let app = spawn_app_with(|s| s.holds.offer_ttl = StdDuration::from_secs(1)).await;
    let q = queue(app).await;

    q.app
        .delete(&format!("/appointments/{}", q.booked), &q.booker)
        .await;

    let (second, third) = (&q.second, &q.third);
    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &q.app, &second.0, &second.1
        ))
        .await
    );
    assert!(
        eventually(StdDuration::from_secs(8), || offered(
            &q.app, &third.0, &third.1
        ))
        .await
    );
    assert_eq!(
        entry(&q.app, &second.0, &second.1["id"]).await["status"],
        "waiting"
    );
    let held = q
        .app
        .db
        .count("SELECT count(*) AS n FROM appointments WHERE status = 'held'");
    assert_eq!(held, 1, "one offer on the slot at a time");
}

#[tokio::test]
async fn two_instances_make_exactly_one_offer_for_a_cancellation() {
    let app = spawn_app().await;
    let replica = start(
        test_settings(&app.db),
        test_support::db::TestDatabase::create_empty(),
    )
    .await;
    let q = queue(app).await;

    replica
        .delete(&format!("/appointments/{}", q.booked), &q.booker)
        .await;

    let (second, third) = (&q.second, &q.third);
    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &q.app, &second.0, &second.1
        ))
        .await
    );
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(
        entry(&q.app, &third.0, &third.1["id"]).await["status"],
        "waiting"
    );
    let holds = q
        .app
        .db
        .count("SELECT count(*) AS n FROM appointments WHERE status = 'held'");
    assert_eq!(holds, 1);
    assert_eq!(q.app.db.count_rows("waitlist_offers"), 1);
    assert_eq!(q.app.db.count_rows("freed_time"), 0);
}

#[tokio::test]
async fn a_restart_between_a_cancellation_and_its_offer_loses_nothing() {
    let app = spawn_app_with(|s| s.holds.offer_ttl = StdDuration::from_secs(2)).await;
    let q = queue(app).await;
    q.app
        .delete(&format!("/appointments/{}", q.booked), &q.booker)
        .await;
    // Down at once: the offer may or may not have been made before it stopped.
    q.app.stop();
    let mut settings = test_settings(&q.app.db);
    settings.holds.offer_ttl = StdDuration::from_secs(2);
    let restarted = start(settings, test_support::db::TestDatabase::create_empty()).await;

    let (second, third) = (&q.second, &q.third);
    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &restarted, &second.0, &second.1
        ))
        .await
    );
    // And an offer pending across the restart still lapses to the next entry.
    assert!(
        eventually(StdDuration::from_secs(8), || offered(
            &restarted, &third.0, &third.1
        ))
        .await
    );
    assert_eq!(q.app.db.count_rows("waitlist_offers"), 2);
}

/// A doctor with one booked Monday 10:00 slot, and `patients` joining the waitlist for
/// that Monday in order; the booking is then cancelled, freeing the slot.
async fn freed_monday_slot(app: &TestApp, hours: Hours, patients: &[&Caller]) -> Vec<Value> {
    let doctor = app.seed_doctor(hours);
    let monday = next(Weekday::Mon);
    let booker = caller(Role::Patient);
    let booked = app.booked(&booker, doctor.id, at(monday, "10:00")).await;
    let body = window(doctor.id, at(monday, "00:00"), at(monday, "23:00"));
    let mut entries = Vec::new();
    for patient in patients {
        entries.push(join(app, patient, &body).await);
    }
    app.delete(&format!("/appointments/{booked}"), &booker)
        .await;
    entries
}

#[tokio::test]
async fn an_offer_passes_over_a_patient_at_the_doctors_daily_limit() {
    let app = spawn_app().await;
    let (regular, next_in_line) = (caller(Role::Patient), caller(Role::Patient));
    let hours = Hours {
        max_daily_bookings_per_patient: 1,
        ..Hours::default()
    };
    let doctor = app.seed_doctor(hours);
    let monday = next(Weekday::Mon);
    app.seed_appointment(regular.id, doctor.id, at(monday, "09:00"), "booked");
    let booker = caller(Role::Patient);
    let booked = app.booked(&booker, doctor.id, at(monday, "10:00")).await;
    let body = window(doctor.id, at(monday, "00:00"), at(monday, "23:00"));
    let first = join(&app, &regular, &body).await;
    let second = join(&app, &next_in_line, &body).await;

    app.delete(&format!("/appointments/{booked}"), &booker)
        .await;

    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &app,
            &next_in_line,
            &second
        ))
        .await
    );
    assert_eq!(
        entry(&app, &regular, &first["id"]).await["status"],
        "waiting"
    );
}

#[tokio::test]
async fn an_offer_passes_over_a_patient_holding_their_most_slots() {
    let app = spawn_app_with(|s| s.holds.max_per_patient = 1).await;
    let (holder, next_in_line) = (caller(Role::Patient), caller(Role::Patient));
    let elsewhere = app.seed_doctor(Hours::default());
    let res = app
        .hold(&holder, elsewhere.id, at(next(Weekday::Tue), "11:00"))
        .await;
    assert_eq!(res.status(), 201);

    let entries = freed_monday_slot(&app, Hours::default(), &[&holder, &next_in_line]).await;

    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &app,
            &next_in_line,
            &entries[1]
        ))
        .await
    );
    assert_eq!(
        entry(&app, &holder, &entries[0]["id"]).await["status"],
        "waiting"
    );
    let holds = app.db.count(&format!(
        "SELECT count(*) AS n FROM appointments WHERE status = 'held' AND patient_id = '{}'",
        holder.id
    ));
    assert_eq!(holds, 1, "still only the hold of their own");
}

#[tokio::test]
async fn a_declined_slot_is_not_offered_again_to_the_same_patients_other_entry() {
    let app = spawn_app().await;
    let (twice, next_in_line) = (caller(Role::Patient), caller(Role::Patient));
    let entries = freed_monday_slot(&app, Hours::default(), &[&twice, &twice, &next_in_line]).await;
    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &app,
            &twice,
            &entries[0]
        ))
        .await
    );
    let hold = entry(&app, &twice, &entries[0]["id"]).await["appointment_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The patient declines: the slot is free again.
    let res = app.delete(&format!("/appointments/{hold}"), &twice).await;
    assert_eq!(res.status(), 200);

    assert!(
        eventually(StdDuration::from_secs(5), || offered(
            &app,
            &next_in_line,
            &entries[2]
        ))
        .await
    );
    assert_eq!(
        entry(&app, &twice, &entries[1]["id"]).await["status"],
        "waiting"
    );
}

#[tokio::test]
async fn a_patient_keeps_at_most_max_waitlist_entries_at_once() {
    let app = spawn_app_with(|s| s.holds.max_waitlist_entries_per_patient = 2).await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let body = window(doctor.id, at(monday, "09:00"), at(monday, "17:00"));
    let first = join(&app, &patient, &body).await;
    join(&app, &patient, &body).await;

    assert_problem(app.post("/waitlist", &patient, &body).await, 409).await;

    let withdrawn = app
        .delete(
            &format!("/waitlist/{}", first["id"].as_str().unwrap()),
            &patient,
        )
        .await;
    assert_eq!(withdrawn.status(), 204);
    assert_eq!(app.post("/waitlist", &patient, &body).await.status(), 201);
    assert_eq!(
        app.post("/waitlist", &caller(Role::Patient), &body)
            .await
            .status(),
        201,
        "another patient has their own allowance"
    );
}
