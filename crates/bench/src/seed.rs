//! Realistic data, created through the public API: 20 doctors with profiles, 50 patients
//! with 10 appointments each, prescriptions for some, and the appointments that the
//! prescribing workload will need (each prescription needs its own appointment).

use crate::services::{ADMIN_EMAIL, ADMIN_PASSWORD, Urls};
use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};

pub const DOCTORS: usize = 20;
pub const PATIENTS: usize = 50;
pub const APPOINTMENTS_PER_PATIENT: usize = 10;
pub const PRESCRIBED: usize = 100;
/// Patients whose appointments feed `POST /prescriptions`, so the 50 listed patients keep
/// their 10 appointments each.
pub const EXTRA_PATIENTS: usize = 100;
/// Appointments held back for `POST /prescriptions` (one per request).
pub const PRESCRIBABLE: usize = 20_000;
/// Distinct free slots for `POST /appointments` (one per request).
pub const BOOKABLE: usize = 60_000;
pub const PASSWORD: &str = "Bench-Pass-1";
const CONCURRENCY: usize = 48;

#[derive(Clone)]
pub struct Account {
    pub id: String,
    pub token: String,
    pub email: String,
}

pub struct Seeded {
    pub doctors: Vec<Account>,
    pub patients: Vec<Account>,
    pub prescription_id: String,
    pub prescription_patient: Account,
    /// (doctor token, appointment id) never prescribed yet.
    pub prescribable: Vec<(String, String)>,
    /// The first start time of the free slots the booking workload uses.
    pub bookable_from: DateTime<Utc>,
    pub slots_date: String,
    /// The last day of a two-week slots range from `slots_date`.
    pub slots_until: String,
    pub appointments: usize,
    pub prescriptions: usize,
}

impl Seeded {
    pub fn summary(&self) -> String {
        format!(
            "{} doctors, {} patients, {} appointments, {} prescriptions",
            self.doctors.len(),
            self.patients.len(),
            self.appointments,
            self.prescriptions
        )
    }
}

/// Bookable 15-minute slots a day: 00:00 to 23:30 starts, inside hours of 00:00-23:45.
const SLOTS_PER_DAY: usize = 95;

/// The `index`-th slot from `base` (a midnight): distinct start times mean no doctor or
/// patient is ever double-booked, whatever the pairing.
pub fn slot(base: DateTime<Utc>, index: usize) -> DateTime<Utc> {
    let day = i64::try_from(index / SLOTS_PER_DAY).unwrap_or(0);
    let minute = i64::try_from(15 * (index % SLOTS_PER_DAY)).unwrap_or(0);
    base + Duration::days(day) + Duration::minutes(minute)
}

pub async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut request = client.post(&url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("POST {url} answered {status}: {body}");
    }
    Ok(body)
}

pub async fn login(
    client: &reqwest::Client,
    urls: &Urls,
    email: &str,
    password: &str,
) -> anyhow::Result<Account> {
    let body = post(
        client,
        format!("{}/auth/login", urls.auth),
        None,
        &json!({ "email": email, "password": password }),
    )
    .await?;
    Ok(Account {
        id: body["user"]["id"].as_str().unwrap_or_default().to_owned(),
        token: body["access_token"].as_str().unwrap_or_default().to_owned(),
        email: email.to_owned(),
    })
}

/// `count` new accounts of `role`, logged in. Patients sign up; doctors are created by
/// `admin` (`POST /users/`), so they are vetted and may publish a profile at once.
async fn accounts(
    client: &reqwest::Client,
    urls: &Urls,
    admin: &Account,
    role: &str,
    count: usize,
) -> anyhow::Result<Vec<Account>> {
    let signs_up = role != "doctor";
    accounts_at(
        client,
        urls,
        admin,
        role,
        count,
        "bench.example.com",
        signs_up,
    )
    .await
}

/// `accounts` with emails at `domain`, all with the password `PASSWORD`; made by `admin`
/// unless `signs_up` (then each registers itself, within the sign-up limit).
pub async fn accounts_at(
    client: &reqwest::Client,
    urls: &Urls,
    admin: &Account,
    role: &str,
    count: usize,
    domain: &str,
    signs_up: bool,
) -> anyhow::Result<Vec<Account>> {
    let (path, token) = if signs_up {
        ("/auth/register", None)
    } else {
        ("/users/", Some(admin.token.as_str()))
    };
    let results: Vec<anyhow::Result<Account>> = stream::iter(0..count)
        .map(|i| async move {
            let email = format!(
                "{role}{i}-{}@{domain}",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            );
            let names = [
                "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan",
            ];
            post(
                client,
                format!("{}{path}", urls.auth),
                token,
                &json!({
                    "email": email, "password": PASSWORD, "first_name": names[i % names.len()],
                    "last_name": format!("{role}-{i}"), "role": role,
                }),
            )
            .await?;
            login(client, urls, &email, PASSWORD).await
        })
        .buffered(8)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Books every (patient, doctor, start); returns (patient, doctor, appointment id).
async fn book_all(
    client: &reqwest::Client,
    urls: &Urls,
    bookings: Vec<(Account, Account, DateTime<Utc>)>,
) -> anyhow::Result<Vec<(Account, Account, String)>> {
    let results: Vec<anyhow::Result<(Account, Account, String)>> = stream::iter(bookings)
        .map(|(patient, doctor, start)| async move {
            let body = post(client, format!("{}/appointments", urls.appointment), Some(&patient.token), &json!({
                "doctor_id": doctor.id, "appointment_time": start.to_rfc3339(), "notes": "bench visit",
            })).await?;
            Ok((patient, doctor, body["id"].as_str().unwrap_or_default().to_owned()))
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

fn next_midnight(after: DateTime<Utc>) -> DateTime<Utc> {
    (after + Duration::days(1))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

pub fn medicines() -> Value {
    json!([{ "name": "Amoxicillin", "dosage": "500 mg", "duration": "7 days", "frequency": "3x daily" }])
}

pub async fn seed(urls: &Urls) -> anyhow::Result<Seeded> {
    let client = reqwest::Client::new();
    let client = &client;
    let admin = login(client, urls, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .context("bootstrap admin")?;
    let doctors = accounts(client, urls, &admin, "doctor", DOCTORS).await?;
    let patients = accounts(client, urls, &admin, "patient", PATIENTS).await?;
    let specialties = [
        "Cardiology",
        "Dermatology",
        "Neurology",
        "Oncology",
        "Pediatrics",
    ];
    for (i, doctor) in doctors.iter().enumerate() {
        post(client, format!("{}/doctors/profile", urls.appointment), Some(&doctor.token), &json!({
            "specialization": specialties[i % specialties.len()], "location": "Springfield",
            "available_from": "00:00", "available_to": "23:45", "working_days": [1, 2, 3, 4, 5, 6, 7],
            "slot_minutes": 15, "timezone": "UTC",
            // The load books one slot after another for a few patients: as many a day as
            // the calendar has, as far ahead as it reaches, from the next minute on.
            "max_daily_bookings_per_patient": 48, "booking_horizon_days": 730, "min_notice_minutes": 0,
        })).await?;
    }

    let tomorrow = (Utc::now() + Duration::days(2))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let visits = PATIENTS * APPOINTMENTS_PER_PATIENT;
    let pairing = |index: usize, base: DateTime<Utc>| {
        (
            patients[index % PATIENTS].clone(),
            doctors[index % DOCTORS].clone(),
            slot(base, index),
        )
    };
    let booked = book_all(
        client,
        urls,
        (0..visits).map(|i| pairing(i, tomorrow)).collect(),
    )
    .await?;
    let mut prescription_id = String::new();
    let mut prescription_patient = patients[0].clone();
    for (patient, doctor, appointment) in booked.iter().take(PRESCRIBED) {
        let body = post(
            client,
            format!("{}/prescriptions", urls.prescription),
            Some(&doctor.token),
            &json!({
                "appointment_id": appointment, "notes": "after meals", "medicines": medicines(),
            }),
        )
        .await?;
        prescription_id = body["id"].as_str().unwrap_or_default().to_owned();
        prescription_patient = patient.clone();
    }

    let extra = accounts(client, urls, &admin, "patient", EXTRA_PATIENTS).await?;
    let held_back_from = next_midnight(slot(tomorrow, visits));
    let held_back = book_all(
        client,
        urls,
        (0..PRESCRIBABLE)
            .map(|i| {
                let patient = extra[i % EXTRA_PATIENTS].clone();
                (
                    patient,
                    doctors[i % DOCTORS].clone(),
                    slot(held_back_from, i),
                )
            })
            .collect(),
    )
    .await?;
    let prescribable = held_back
        .into_iter()
        .map(|(_, doctor, id)| (doctor.token, id))
        .collect();

    Ok(Seeded {
        slots_date: (tomorrow + Duration::days(1)).date_naive().to_string(),
        slots_until: (tomorrow + Duration::days(14)).date_naive().to_string(),
        bookable_from: next_midnight(slot(held_back_from, PRESCRIBABLE)),
        doctors,
        patients,
        prescription_id,
        prescription_patient,
        prescribable,
        appointments: visits + PRESCRIBABLE,
        prescriptions: PRESCRIBED,
    })
}
