//! Setting the scene through the public API, as a client app would: accounts, a doctor
//! who works every day, bookings and prescriptions.

use crate::system::{ADMIN_EMAIL, ADMIN_PASSWORD};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

pub const PASSWORD: &str = "Resilience-Pass-1";

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("http client: {e}"))
}

/// Status and JSON body (Null when the body is not JSON).
pub async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

pub async fn post(url: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    send(client().post(url).json(body), token, url).await
}

pub async fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    send(client().get(url), token, url).await
}

async fn send(request: reqwest::RequestBuilder, token: Option<&str>, url: &str) -> (u16, Value) {
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    answer(
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {}", error_chain(&e))),
    )
    .await
}

/// An error with its causes, so a transport failure says what failed (refused, reset, timeout).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(&format!(": {next}"));
        cause = next.source();
    }
    text
}

pub async fn login(auth_url: &str, email: &str, password: &str) -> Account {
    let (status, body) = post(
        &format!("{auth_url}/auth/login"),
        None,
        &json!({ "email": email, "password": password }),
    )
    .await;
    assert_eq!(status, 200, "login of {email}: {body}");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Account {
        id: text(&body["user"]["id"]),
        email: email.to_owned(),
        access_token: text(&body["access_token"]),
        refresh_token: text(&body["refresh_token"]),
    }
}

/// A new account of `role` ("patient" or "doctor"), logged in. Doctors go through the
/// vetting a clinic would do: they sign up, an admin approves them, they log in.
pub async fn account(auth_url: &str, role: &str) -> Account {
    let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
    let (status, body) = post(
        &format!("{auth_url}/auth/register"),
        None,
        &json!({
            "email": email, "password": PASSWORD, "first_name": "Sam",
            "last_name": format!("Tester {role}"), "role": role,
        }),
    )
    .await;
    assert_eq!(status, 201, "register {email}: {body}");
    if role == "doctor" {
        approve(auth_url, &body["id"]).await;
    }
    login(auth_url, &email, PASSWORD).await
}

/// The bootstrap admin's `PATCH /users/{id}` with `change`.
pub async fn change_access(auth_url: &str, user_id: &str, change: &Value) -> (u16, Value) {
    let admin = login(auth_url, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let url = format!("{auth_url}/users/{user_id}");
    let request = client().patch(&url).json(change);
    send(request, Some(&admin.access_token), &url).await
}

async fn approve(auth_url: &str, user_id: &Value) {
    let id = user_id.as_str().unwrap_or_default();
    let (status, body) = change_access(auth_url, id, &json!({ "approved": true })).await;
    assert_eq!(status, 200, "approve {user_id}: {body}");
    assert_eq!(body["approved"], true);
}

/// A doctor whose profile offers 30-minute slots from 08:00 to 18:00 UTC every day.
pub async fn doctor(auth_url: &str, appointment_url: &str) -> Account {
    let doctor = account(auth_url, "doctor").await;
    let (status, body) = post(
        &format!("{appointment_url}/doctors/profile"),
        Some(&doctor.access_token),
        &json!({
            "specialization": "Family medicine", "location": "Springfield",
            "available_from": "08:00", "available_to": "18:00",
            "working_days": [1, 2, 3, 4, 5, 6, 7], "slot_minutes": 30, "timezone": "UTC",
        }),
    )
    .await;
    assert_eq!(status, 201, "doctor profile: {body}");
    doctor
}

/// The `index`-th 30-minute slot (0..20) of the day `days_ahead` from today, in UTC.
pub fn slot(days_ahead: i64, index: i64) -> DateTime<Utc> {
    let day = (Utc::now() + Duration::days(days_ahead)).date_naive();
    day.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc() + Duration::minutes(30 * index)
}

pub async fn book(
    appointment_url: &str,
    patient: &Account,
    doctor: &Account,
    at: DateTime<Utc>,
) -> (u16, Value) {
    post(
        &format!("{appointment_url}/appointments"),
        Some(&patient.access_token),
        &json!({ "doctor_id": doctor.id, "appointment_time": at.to_rfc3339(), "notes": "check-up" }),
    )
    .await
}

/// A booking as a careful client makes it under load: with an `Idempotency-Key`, and
/// retried with that same key when the request fails in transport (a connection reset
/// on a starved machine), so a retry can never book twice: the service replays the first
/// answer or, if the first never arrived, books once.
pub async fn book_idempotently(
    appointment_url: &str,
    patient: &Account,
    doctor: &Account,
    at: DateTime<Utc>,
) -> (u16, Value) {
    let url = format!("{appointment_url}/appointments");
    let key = uuid::Uuid::new_v4().to_string();
    let body =
        json!({ "doctor_id": doctor.id, "appointment_time": at.to_rfc3339(), "notes": "check-up" });
    let mut attempt = 1;
    loop {
        let sent = client()
            .post(&url)
            .bearer_auth(&patient.access_token)
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(response) => return answer(response).await,
            Err(e) if attempt < 3 && !e.is_timeout() => {
                eprintln!(
                    "{url}: {}; retrying with the same Idempotency-Key",
                    error_chain(&e)
                );
                attempt += 1;
            }
            Err(e) => panic!("{url}: {}", error_chain(&e)),
        }
    }
}

/// A doctor, a patient and the appointment between them: where most scenes start.
pub struct Visit {
    pub doctor: Account,
    pub patient: Account,
    pub appointment_id: String,
}

pub async fn visit(auth_url: &str, appointment_url: &str, at: DateTime<Utc>) -> Visit {
    let doctor = doctor(auth_url, appointment_url).await;
    let patient = account(auth_url, "patient").await;
    let (status, body) = book(appointment_url, &patient, &doctor, at).await;
    assert_eq!(status, 201, "booking: {body}");
    Visit {
        doctor,
        patient,
        appointment_id: body["id"].as_str().unwrap_or_default().to_owned(),
    }
}

pub fn prescription_body(appointment_id: &str) -> Value {
    json!({
        "appointment_id": appointment_id,
        "notes": "after meals",
        "medicines": [{ "name": "Ibuprofen", "dosage": "400 mg", "duration": "5 days", "frequency": "3x daily" }],
    })
}
