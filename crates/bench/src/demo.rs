//! `cargo xtask seed`: a living system for a newcomer or a front-end developer, made with
//! the bench's seeding code through the public API: doctors with profiles in three time
//! zones, patients, appointments over the coming week (some cancelled), prescriptions;
//! then the logins are printed. Visits that took place (completed, no-show) cannot be made
//! through the API, which books only the future.

use crate::seed::{self, Account, PASSWORD};
use crate::services::Urls;
use anyhow::Context;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

const DOCTORS: usize = 6;
const PATIENTS: usize = 12;
const BOOKINGS_PER_PATIENT: usize = 3;

/// (time zone, specialization, location) of each doctor in turn.
const PRACTICES: [(&str, &str, &str); 3] = [
    ("America/New_York", "Cardiology", "Boston"),
    ("Europe/Berlin", "Dermatology", "Berlin"),
    ("Asia/Tokyo", "Pediatrics", "Tokyo"),
];

pub struct Demo {
    pub admin_email: String,
    pub doctors: Vec<Account>,
    pub patients: Vec<Account>,
    pub appointments: usize,
    pub cancelled: usize,
    pub prescriptions: usize,
}

async fn status_of(request: reqwest::RequestBuilder) -> anyhow::Result<(u16, Value)> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// The free slots of `doctor` over the next week, in order (one request for the week).
async fn free_slots(client: &reqwest::Client, urls: &Urls, doctor: &Account) -> Vec<String> {
    let from = (Utc::now() + Duration::days(1)).date_naive();
    let to = from + Duration::days(6);
    let url = format!(
        "{}/doctors/{}/slots?from={from}&to={to}",
        urls.appointment, doctor.id
    );
    match status_of(client.get(&url)).await {
        Ok((200, Value::Array(week))) => week
            .iter()
            .filter_map(|s| s["start"].as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

pub async fn seed(urls: &Urls, admin_email: &str, admin_password: &str) -> anyhow::Result<Demo> {
    let client = reqwest::Client::new();
    let client = &client;
    let admin = seed::login(client, urls, admin_email, admin_password)
        .await
        .context("logging in as the development admin (is `cargo xtask up` running?)")?;
    let domain = "demo.example.com";
    // Made by the admin: a dozen sign-ups from one address would meet the sign-up limit.
    let doctors = seed::accounts_at(client, urls, &admin, "doctor", DOCTORS, domain, false).await?;
    let patients =
        seed::accounts_at(client, urls, &admin, "patient", PATIENTS, domain, false).await?;
    let mut calendars = Vec::new();
    for (i, doctor) in doctors.iter().enumerate() {
        let (timezone, specialization, location) = PRACTICES[i % PRACTICES.len()];
        seed::post(
            client,
            format!("{}/doctors/profile", urls.appointment),
            Some(&doctor.token),
            &json!({
                "specialization": specialization, "location": location, "timezone": timezone,
                "available_from": "08:00", "available_to": "17:00", "slot_minutes": 30,
                "breaks": [{ "from": "12:00", "to": "13:00" }],
            }),
        )
        .await?;
        calendars.push(free_slots(client, urls, doctor).await);
    }

    let (mut appointments, mut cancelled, mut prescriptions) = (0, 0, 0);
    for (p, patient) in patients.iter().enumerate() {
        for b in 0..BOOKINGS_PER_PATIENT {
            let d = (p + b) % DOCTORS;
            // Distinct slots for every (patient, booking), a day and a half apart for one
            // patient; the rare overlap across time zones is a 409, and skipped.
            let Some(start) = calendars[d].get(p + b * 30).cloned() else {
                continue;
            };
            let url = format!("{}/appointments", urls.appointment);
            let body = json!({ "doctor_id": doctors[d].id, "appointment_time": start, "notes": "demo visit" });
            let (status, booked) =
                status_of(client.post(&url).bearer_auth(&patient.token).json(&body)).await?;
            if status != 201 {
                continue;
            }
            appointments += 1;
            let id = booked["id"].as_str().unwrap_or_default();
            if b == 2 {
                let url = format!("{}/appointments/{id}", urls.appointment);
                if status_of(client.delete(&url).bearer_auth(&patient.token))
                    .await?
                    .0
                    == 200
                {
                    cancelled += 1;
                }
            } else if b == 1 {
                seed::post(client, format!("{}/prescriptions", urls.prescription), Some(&doctors[d].token), &json!({
                    "appointment_id": id, "notes": "after meals", "medicines": seed::medicines(),
                }))
                .await?;
                prescriptions += 1;
            }
        }
    }
    Ok(Demo {
        admin_email: admin_email.to_owned(),
        doctors,
        patients,
        appointments,
        cancelled,
        prescriptions,
    })
}

impl Demo {
    /// What a newcomer needs to log in and look around.
    pub fn logins(&self) -> String {
        let mut text = format!(
            "seeded {} doctors (New York, Berlin, Tokyo), {} patients, {} appointments ({} cancelled), {} prescriptions\n",
            self.doctors.len(),
            self.patients.len(),
            self.appointments,
            self.cancelled,
            self.prescriptions
        );
        text.push_str(&format!(
            "admin:   {} (the development admin)\n",
            self.admin_email
        ));
        for doctor in self.doctors.iter().take(3) {
            text.push_str(&format!("doctor:  {} / {PASSWORD}\n", doctor.email));
        }
        for patient in self.patients.iter().take(3) {
            text.push_str(&format!("patient: {} / {PASSWORD}\n", patient.email));
        }
        text.push_str("(every seeded account has the password above)\n");
        text
    }
}
