//! Hostile and malformed input against the real binaries: every answer a 4xx problem,
//! nothing written, nothing forged in the logs.

use resilience::api::{self, Account};
use resilience::{Service, System};
use serde_json::{Value, json};

/// Sends raw bytes as a JSON body; returns status, content type and body.
async fn send_raw(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (u16, String, Value) {
    let mut request = api::client()
        .request(method, url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (status, body) = api::answer(response).await;
    (status, content_type, body)
}

fn assert_problem(answer: &(u16, String, Value), expected: u16, what: &str) {
    let (status, content_type, body) = answer;
    assert_eq!(*status, expected, "{what}: {body}");
    assert_eq!(content_type, "application/problem+json", "{what}");
    assert_eq!(body["status"], expected, "{what}");
}

struct Scene {
    system: System,
    doctor: Account,
    patient: Account,
    appointment_id: String,
}

async fn scene() -> Scene {
    let system = System::start().await;
    let api::Visit {
        doctor,
        patient,
        appointment_id,
    } = api::visit(
        &system.auth.url(),
        &system.appointment.url(),
        api::slot(2, 0),
    )
    .await;
    Scene {
        system,
        doctor,
        patient,
        appointment_id,
    }
}

/// Rows of everything the bad requests below could have written.
fn written(system: &System) -> [i64; 4] {
    [
        system.count(Service::Auth, "users"),
        system.count(Service::Appointment, "appointments"),
        system.count(Service::Appointment, "doctor_profiles"),
        system.count(Service::Prescription, "prescriptions"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oversized_nested_and_invalid_bodies_are_refused_and_write_nothing() {
    let Scene {
        system,
        doctor,
        patient,
        appointment_id,
    } = scene().await;
    let before = written(&system);
    let appointments = format!("{}/appointments", system.appointment.url());
    let prescriptions = format!("{}/prescriptions", system.prescription.url());
    let register = format!("{}/auth/register", system.auth.url());
    let post = reqwest::Method::POST;

    // Two megabytes of notes: refused before the body is read.
    let huge = json!({ "doctor_id": doctor.id, "appointment_time": api::slot(2, 3).to_rfc3339(),
        "notes": "x".repeat(2 * 1024 * 1024) });
    let answer = send_raw(
        post.clone(),
        &appointments,
        Some(&patient.access_token),
        huge.to_string().into_bytes(),
    )
    .await;
    assert_problem(&answer, 413, "oversized booking");

    // Nesting far past what a parser should follow, under the size limit.
    let depth = 50_000;
    let nested = format!(
        r#"{{"appointment_id":"{appointment_id}","medicines":{}1{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let answer = send_raw(
        post.clone(),
        &prescriptions,
        Some(&doctor.access_token),
        nested.into_bytes(),
    )
    .await;
    assert_problem(&answer, 400, "deeply nested JSON");

    // Bytes that are not UTF-8 inside a JSON string.
    let mut invalid = br#"{"email":"x@example.com","password":"Aa345678","first_name":""#.to_vec();
    invalid.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    invalid.extend_from_slice(br#"","last_name":"Y","role":"patient"}"#);
    let answer = send_raw(post.clone(), &register, None, invalid).await;
    assert_problem(&answer, 400, "invalid UTF-8");

    // Many medicines: each is valid, but more than a prescription holds.
    let medicines: Vec<Value> = (0..5_000)
        .map(|i| json!({ "name": format!("M{i}"), "dosage": "1", "duration": "1 day" }))
        .collect();
    let many = json!({ "appointment_id": appointment_id, "medicines": medicines });
    let answer = send_raw(
        post,
        &prescriptions,
        Some(&doctor.access_token),
        many.to_string().into_bytes(),
    )
    .await;
    assert_problem(&answer, 422, "too many medicines");

    assert_eq!(written(&system), before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn absurd_limits_and_dates_are_refused_by_name() {
    let Scene {
        system,
        doctor,
        patient,
        ..
    } = scene().await;
    let before = written(&system);
    let appointment = system.appointment.url();
    let ten_years = (chrono::Utc::now() + chrono::Duration::days(3653)).date_naive();

    for url in [
        format!("{appointment}/appointments?limit=99999999999999999999999"),
        format!("{appointment}/appointments?limit=1000000"),
        format!("{appointment}/appointments?offset=-1"),
        format!("{}/prescriptions?limit=1000000", system.prescription.url()),
    ] {
        let (status, body) = api::get(&url, Some(&patient.access_token)).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert!(body["errors"].is_array(), "{url}: {body}");
    }
    let (status, body) = api::get(
        &format!("{appointment}/doctors/{}/slots?date={ten_years}", doctor.id),
        None,
    )
    .await;
    assert_eq!(status, 422, "slots ten years ahead: {body}");
    assert_eq!(body["errors"][0]["field"], "date");
    let (status, body) = api::get(
        &format!("{appointment}/doctors/{}/slots?date=99999-01-01", doctor.id),
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");

    let far = api::slot(3653, 2);
    let (status, body) = api::book(&appointment, &patient, &doctor, far).await;
    assert_eq!(status, 422, "booking ten years ahead: {body}");
    assert_eq!(body["errors"][0]["field"], "appointment_time");

    assert_eq!(written(&system), before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn line_breaks_in_names_are_refused_and_never_forge_a_log_line() {
    let Scene {
        system,
        doctor,
        appointment_id,
        ..
    } = scene().await;
    let before = written(&system);
    let forged = "FORGED level=INFO user=admin";

    let (status, body) = api::post(
        &format!("{}/auth/register", system.auth.url()),
        None,
        &json!({ "email": "crlf@example.com", "password": api::PASSWORD,
            "first_name": format!("Eve\r\n{forged}"), "last_name": "Smith", "role": "patient" }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "first_name");

    let (status, body) = api::post(
        &format!("{}/prescriptions", system.prescription.url()),
        Some(&doctor.access_token),
        &json!({ "appointment_id": appointment_id,
            "medicines": [{ "name": format!("Aspirin\n{forged}"), "dosage": "1", "duration": "1 day" }] }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "medicines[0].name");

    // A line break in a path reaches the log only percent-encoded.
    let (status, _) = api::get(
        &format!("{}/doctors/%0D%0A{}", system.appointment.url(), "FORGED"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // The access log is written after the response: give it a moment.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    assert_eq!(written(&system), before, "nothing was written");
    for process in [&system.auth, &system.appointment, &system.prescription] {
        let log = process.log_text();
        assert!(
            !log.lines().any(|line| line.starts_with("FORGED")),
            "a forged line in {}",
            process.log_path().display()
        );
    }
    assert!(
        system.appointment.log_text().contains("%0D%0AFORGED"),
        "the path is logged, encoded"
    );
}
