//! The booking patient's name, kept from their token and shown on the appointment (a
//! doctor used to see only an id); null for a token without the name claims.

use crate::helpers::*;
use chrono::Weekday;
use common::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn the_doctor_and_admins_see_the_name_the_booking_token_stated() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = named_caller(Role::Patient, "Lisa", "Cuddy");
    let monday = next(Weekday::Mon);
    let id = app.booked(&patient, doctor.id, at(monday, "09:00")).await;

    for viewer in [&doctor, &caller(Role::Admin), &patient] {
        let shown: Value = app
            .get(&format!("/appointments/{id}"), viewer)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            shown["patient"],
            json!({ "first_name": "Lisa", "last_name": "Cuddy" })
        );
    }
    let listed: Vec<Value> = app
        .get("/appointments", &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["patient"]["last_name"], "Cuddy");

    // A token from before the claims: the booking works, the name is null.
    let unnamed = caller(Role::Patient);
    let other = app.booked(&unnamed, doctor.id, at(monday, "10:00")).await;
    let shown: Value = app
        .get(&format!("/appointments/{other}"), &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert!(shown["patient"].is_null(), "{shown}");
}

/// A patient whose token states a birth date and sex (OIDC `birthdate`, `gender`).
fn described_patient() -> Caller {
    let key = test_support::jwt::test_key();
    let id = common::UserId::new();
    let mut claims = test_support::jwt::claims_for(id, Role::Patient);
    claims["given_name"] = json!("John");
    claims["family_name"] = json!("Smith");
    claims["birthdate"] = json!("1961-07-04");
    claims["gender"] = json!("male");
    Caller {
        id,
        token: key.sign(&key.header(), &claims),
    }
}

#[tokio::test]
async fn the_doctor_tells_two_john_smiths_apart_by_birth_date_and_sex() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = described_patient();
    let monday = next(Weekday::Mon);
    let booked = app.booked(&patient, doctor.id, at(monday, "09:00")).await;
    let waiting = app
        .post(
            "/waitlist",
            &patient,
            &json!({ "doctor_id": doctor.id, "earliest": rfc3339(at(monday, "08:00")), "latest": rfc3339(at(monday, "17:00")) }),
        )
        .await;
    assert_eq!(waiting.status(), 201);

    let shown: Value = app
        .get(&format!("/appointments/{booked}"), &doctor)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(shown["patient"]["last_name"], "Smith");
    assert_eq!(shown["patient_birth_date"], "1961-07-04");
    assert_eq!(shown["patient_sex"], "male");
    let kept: (Option<chrono::NaiveDate>, Option<String>) = {
        use diesel::prelude::*;
        use diesel::sql_types::{Date, Nullable, Text};
        #[derive(QueryableByName)]
        struct Kept {
            #[diesel(sql_type = Nullable<Date>)]
            patient_birth_date: Option<chrono::NaiveDate>,
            #[diesel(sql_type = Nullable<Text>)]
            patient_sex: Option<String>,
        }
        let kept: Kept = diesel::sql_query(
            "SELECT patient_birth_date, patient_sex FROM waitlist_entries LIMIT 1",
        )
        .get_result(&mut app.db.connect())
        .unwrap();
        (kept.patient_birth_date, kept.patient_sex)
    };
    assert_eq!(
        kept,
        (
            chrono::NaiveDate::from_ymd_opt(1961, 7, 4),
            Some("male".to_owned())
        ),
        "the waitlist keeps them for the hold it may offer"
    );
}

/// A patient whose token says their address is not verified (OIDC `email_verified`).
fn unverified_patient() -> Caller {
    let key = test_support::jwt::test_key();
    let id = common::UserId::new();
    let mut claims = test_support::jwt::claims_for(id, Role::Patient);
    claims["email_verified"] = json!(false);
    Caller {
        id,
        token: key.sign(&key.header(), &claims),
    }
}

#[tokio::test]
async fn with_email_verification_required_an_unverified_patient_may_not_book_or_wait() {
    let strict = spawn_app_with(|s| s.email_verification.required = true).await;
    let lenient = spawn_app().await;
    let monday = next(Weekday::Mon);
    let unverified = unverified_patient();

    let doctor = strict.seed_doctor(Hours::default());
    let booking =
        json!({ "doctor_id": doctor.id, "appointment_time": rfc3339(at(monday, "09:00")) });
    let refused = strict.book_body(&unverified, &booking).await;
    let waitlist = json!({ "doctor_id": doctor.id, "earliest": rfc3339(at(monday, "08:00")), "latest": rfc3339(at(monday, "17:00")) });
    let waiting = strict.post("/waitlist", &unverified, &waitlist).await;
    let verified = strict.book_body(&caller(Role::Patient), &booking).await;
    let listed = strict.get("/appointments", &unverified).await;

    let problem = assert_problem(refused, 403).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("email-unverified"),
        "{problem}"
    );
    assert!(
        assert_problem(waiting, 403).await["type"]
            .as_str()
            .unwrap()
            .ends_with("email-unverified")
    );
    assert_eq!(verified.status(), 201);
    assert_eq!(listed.status(), 200, "everything else works");
    let doctor = lenient.seed_doctor(Hours::default());
    let booking =
        json!({ "doctor_id": doctor.id, "appointment_time": rfc3339(at(monday, "09:00")) });
    assert_eq!(
        lenient.book_body(&unverified, &booking).await.status(),
        201,
        "off by default"
    );
}
