use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn a_doctor_prescribes_for_their_visit_and_the_patient_comes_from_the_appointment() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let mut body = prescription_for(&visit.appointment_id);
    body["patient_id"] = json!(uuid::Uuid::new_v4());
    body["doctor_id"] = json!(uuid::Uuid::new_v4());

    let res = app.prescribe(&visit.doctor, &body).await;

    assert_eq!(res.status(), 201);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["appointment_id"], visit.appointment_id.as_str());
    assert_eq!(
        p["patient_id"],
        visit.patient.id.to_string(),
        "never from the body"
    );
    assert_eq!(p["doctor_id"], visit.doctor.id.to_string());
    assert_eq!(p["version"], 1);
    assert_eq!(p["status"], "active");
    assert_eq!(p["notes"], "take with food");
    assert_eq!(p["medicines"][0]["name"], "Amoxicillin");
    assert_eq!(p["medicines"][0]["frequency"], "twice a day");
    for field in ["id", "created_at", "updated_at"] {
        assert!(p[field].is_string(), "{field}");
    }
}

#[tokio::test]
async fn patients_and_admins_cannot_prescribe() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let body = prescription_for(&visit.appointment_id);

    assert_problem(app.prescribe(&visit.patient, &body).await, 403).await;
    assert_problem(app.prescribe(&caller(Role::Admin), &body).await, 403).await;
    assert_eq!(app.count("prescriptions"), 0);
}

#[tokio::test]
async fn a_doctor_awaiting_approval_cannot_prescribe_even_for_their_own_visit() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let unvetted = Caller {
        id: visit.doctor.id,
        token: test_support::jwt::unapproved_doctor_token(visit.doctor.id),
    };

    let res = app
        .prescribe(&unvetted, &prescription_for(&visit.appointment_id))
        .await;

    let problem = assert_problem(res, 403).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("awaits approval"),
        "{problem}"
    );
    assert_eq!(app.count("prescriptions"), 0);
}

#[tokio::test]
async fn another_doctors_appointment_or_an_unknown_one_is_404() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let other_doctor = app.visit().await.doctor;

    let foreign = app
        .prescribe(&other_doctor, &prescription_for(&visit.appointment_id))
        .await;
    let unknown = app
        .prescribe(
            &visit.doctor,
            &prescription_for(&uuid::Uuid::new_v4().to_string()),
        )
        .await;

    assert_problem(foreign, 404).await;
    assert_problem(unknown, 404).await;
    assert_eq!(app.count("prescriptions"), 0);
}

#[tokio::test]
async fn a_cancelled_or_missed_visit_is_409() {
    let app = spawn_app().await;
    let cancelled = app.visit().await;
    let missed = app.visit().await;
    app.set_appointment_status(&cancelled.appointment_id, "cancelled");
    app.set_appointment_status(&missed.appointment_id, "no_show");

    assert_problem(
        app.prescribe(
            &cancelled.doctor,
            &prescription_for(&cancelled.appointment_id),
        )
        .await,
        409,
    )
    .await;
    assert_problem(
        app.prescribe(&missed.doctor, &prescription_for(&missed.appointment_id))
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_second_prescription_for_one_appointment_is_409() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    app.prescribed(&visit).await;

    let again = app
        .prescribe(&visit.doctor, &prescription_for(&visit.appointment_id))
        .await;

    assert_problem(again, 409).await;
    assert_eq!(app.count("prescriptions"), 1);
}

#[tokio::test]
async fn medicines_are_validated_and_every_bad_field_is_named() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let with = |medicines: Value| json!({ "appointment_id": visit.appointment_id, "medicines": medicines });
    let fifty_one: Vec<Value> = (0..51).map(|i| medicine(&format!("m{i}"))).collect();
    let cases = [
        (with(json!([])), vec!["medicines"]),
        (with(json!(fifty_one)), vec!["medicines"]),
        (
            with(json!([{ "name": "Ibuprofen", "duration": "3 days" }])),
            vec!["medicines[0].dosage"],
        ),
        (
            with(json!([{ "name": "x".repeat(201), "dosage": "1", "duration": "1 day" }])),
            vec!["medicines[0].name"],
        ),
        (
            with(
                json!([medicine("ok"), { "name": "", "dosage": " ", "duration": "1 day", "instructions": 5 }]),
            ),
            vec![
                "medicines[1].dosage",
                "medicines[1].instructions",
                "medicines[1].name",
            ],
        ),
        (with(json!("aspirin")), vec!["medicines"]),
        (
            json!({ "medicines": [medicine("ok")] }),
            vec!["appointment_id"],
        ),
        (
            json!({ "appointment_id": "nope" }),
            vec!["appointment_id", "medicines"],
        ),
    ];
    for (body, fields) in cases {
        let res = app.prescribe(&visit.doctor, &body).await;
        assert_eq!(
            error_fields(&assert_problem(res, 422).await),
            fields,
            "{body}"
        );
    }
    assert_eq!(
        app.prescribe(&visit.doctor, &with(json!(vec![medicine("x"); 50])))
            .await
            .status(),
        201,
        "50 is fine"
    );
}

#[tokio::test]
async fn an_idempotent_retry_replays_and_another_body_is_422() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let send = |body: Value| {
        app.client
            .post(app.url("/prescriptions"))
            .bearer_auth(&visit.doctor.token)
            .header("Idempotency-Key", "rx-1")
            .json(&body)
            .send()
    };

    let first = send(prescription_for(&visit.appointment_id)).await.unwrap();
    let first_body: Value = first.json().await.unwrap();
    let retry = send(prescription_for(&visit.appointment_id)).await.unwrap();
    let mut other = prescription_for(&visit.appointment_id);
    other["notes"] = json!("different");
    let mismatch = send(other).await.unwrap();

    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(
        error_fields(&assert_problem(mismatch, 422).await),
        ["Idempotency-Key"]
    );
    assert_eq!(app.count("prescriptions"), 1);
}
