//! `cargo xtask seed`'s seeder against the real system: it fills it through the public API
//! and prints logins that work.

use resilience::System;
use resilience::api;
use resilience::process::binary_dir;
use resilience::system::{ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_seed_fills_a_running_system_and_prints_logins_that_work() {
    let system = System::start().await;
    let mut command = std::process::Command::new(binary_dir().join("bench"));
    command
        .arg("seed")
        .env("AUTH_URL", system.auth.url())
        .env("APPOINTMENT_URL", system.appointment.url())
        .env("PRESCRIPTION_URL", system.prescription.url())
        .env("ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap_or_else(|e| panic!("joining the seeder: {e}"))
        .unwrap_or_else(|e| panic!("running target/debug/bench seed: {e}"));
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let (status, doctors) = api::get(
        &format!("{}/doctors/?limit=50", system.appointment.url()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let zones: std::collections::BTreeSet<&str> = doctors
        .as_array()
        .unwrap_or_else(|| panic!("a list: {doctors}"))
        .iter()
        .filter_map(|d| d["timezone"].as_str())
        .collect();
    assert!(zones.len() >= 3, "doctors in several time zones: {zones:?}");
    let admin = api::login(&system.auth.url(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, stats) = api::get(
        &format!("{}/admin/stats", system.appointment.url()),
        Some(&admin.access_token),
    )
    .await;
    assert!(stats["booked"].as_i64().unwrap_or(0) > 0, "{stats}");
    assert!(stats["cancelled"].as_i64().unwrap_or(0) > 0, "{stats}");
    let (_, prescriptions) = api::get(
        &format!("{}/admin/stats", system.prescription.url()),
        Some(&admin.access_token),
    )
    .await;
    assert!(
        prescriptions["total_prescriptions"].as_i64().unwrap_or(0) > 0,
        "{prescriptions}"
    );

    // The printed logins work, with the printed password.
    let patient = printed
        .lines()
        .find_map(|l| l.strip_prefix("patient: "))
        .unwrap_or_else(|| panic!("a patient login is printed:\n{printed}"));
    let (email, password) = patient
        .split_once(" / ")
        .unwrap_or_else(|| panic!("email / password: {patient}"));
    let (status, body): (u16, Value) = api::post(
        &format!("{}/auth/login", system.auth.url()),
        None,
        &json!({ "email": email, "password": password }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, appointments) = api::get(
        &format!("{}/appointments", system.appointment.url()),
        body["access_token"].as_str(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !appointments.as_array().is_none_or(Vec::is_empty),
        "the patient has visits"
    );
}
