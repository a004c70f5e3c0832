//! Processes killed, paused and stopped, and a database that refuses connections.

use resilience::api::{self, Visit};
use resilience::{Service, System};
use std::time::{Duration, Instant};

async fn visit(system: &System, days_ahead: i64) -> Visit {
    api::visit(
        &system.auth.url(),
        &system.appointment.url(),
        api::slot(days_ahead, 2),
    )
    .await
}

fn prescribe(system: &System, visit: &Visit) -> tokio::task::JoinHandle<(u16, serde_json::Value)> {
    let url = format!("{}/prescriptions", system.prescription.url());
    let token = visit.doctor.access_token.clone();
    let body = api::prescription_body(&visit.appointment_id);
    tokio::spawn(async move { api::post(&url, Some(&token), &body).await })
}

/// Lets a request reach the stage where it waits on a paused peer.
async fn until_in_flight(request: &tokio::task::JoinHandle<(u16, serde_json::Value)>) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!request.is_finished(), "the request should be waiting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appointment_service_killed_during_prescription_creation_gives_503_and_the_retry_works() {
    // A long upstream timeout: the failure must come from the kill, not from a timeout.
    let mut system = System::builder()
        .env(Some(Service::Prescription), "UPSTREAM_TIMEOUT_MS", "20000")
        .start()
        .await;
    let visit = visit(&system, 2).await;

    system.appointment.pause();
    let request = prescribe(&system, &visit);
    until_in_flight(&request).await;
    system.appointment.kill();
    let (status, body) = request.await.unwrap();

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], 503);
    assert_eq!(system.count(Service::Prescription, "prescriptions"), 0);
    assert_eq!(
        system.count(Service::Prescription, "prescription_versions"),
        0
    );

    system.appointment.start().await;
    let (status, body) = prescribe(&system, &visit).await.unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(system.count(Service::Prescription, "prescriptions"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_auth_service_down_issued_tokens_keep_working_on_the_other_services() {
    let mut system = System::start().await;
    let visit = visit(&system, 2).await;
    let newcomer = api::account(&system.auth.url(), "doctor").await;

    system.auth.kill();

    let (status, body) = api::book(
        &system.appointment.url(),
        &visit.patient,
        &visit.doctor,
        api::slot(2, 6),
    )
    .await;
    assert_eq!(status, 201, "booking: {body}");
    let (status, listed) = api::get(
        &format!("{}/appointments", system.appointment.url()),
        Some(&visit.patient.access_token),
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let (status, created) = prescribe(&system, &visit).await.unwrap();
    assert_eq!(status, 201, "prescribing: {created}");
    let (status, read) = api::get(
        &format!(
            "{}/prescriptions/{}",
            system.prescription.url(),
            created["id"].as_str().unwrap()
        ),
        Some(&visit.patient.access_token),
    )
    .await;
    assert_eq!(status, 200, "{read}");

    // What needs auth-service itself (a profile takes the doctor's name from it) says so.
    let (status, body) = api::post(
        &format!("{}/doctors/profile", system.appointment.url()),
        Some(&newcomer.access_token),
        &serde_json::json!({ "specialization": "Dermatology" }),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(system.count(Service::Appointment, "doctor_profiles"), 1);
}

async fn ready_status(url: &str) -> u16 {
    api::client()
        .get(format!("{url}/health/ready"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_that_refuses_connections_makes_the_service_unready_and_it_recovers_alone() {
    let mut system = System::start().await;
    let visit = visit(&system, 3).await;
    let database = system.database(Service::Appointment).name.clone();
    let pid = system.appointment.pid();
    let url = system.appointment.url();

    system.admin_sql(&format!(
        r#"ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false"#
    ));
    system.admin_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
    ));

    assert_eq!(
        ready_status(&url).await,
        503,
        "not ready without its database"
    );
    let (status, _) = api::get(&format!("{url}/health"), None).await;
    assert_eq!(status, 200, "but alive: nothing to restart");
    let (status, body) = api::book(&url, &visit.patient, &visit.doctor, api::slot(3, 8)).await;
    assert_eq!(status, 503, "writes are refused as unavailable: {body}");
    assert_eq!(body["status"], 503);
    let (status, _) = api::get(
        &format!("{url}/appointments"),
        Some(&visit.patient.access_token),
    )
    .await;
    assert_eq!(status, 503);

    system.admin_sql(&format!(
        r#"ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true"#
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    while ready_status(&url).await != 200 {
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = api::book(&url, &visit.patient, &visit.doctor, api::slot(3, 8)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        system.appointment.pid(),
        pid,
        "the same process, never restarted"
    );
    assert!(system.appointment.is_running());
    assert_eq!(system.count(Service::Appointment, "appointments"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_during_a_request_lets_it_complete_before_the_process_exits() {
    let mut system = System::builder()
        .env(Some(Service::Prescription), "UPSTREAM_TIMEOUT_MS", "20000")
        .start()
        .await;
    let visit = visit(&system, 2).await;

    // The request waits on a paused appointment-service while prescription-service is told
    // to stop.
    system.appointment.pause();
    let request = prescribe(&system, &visit);
    until_in_flight(&request).await;
    system.prescription.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        system.prescription.is_running(),
        "still finishing its request"
    );
    assert!(
        api::client()
            .get(format!("{}/health", system.prescription.url()))
            .send()
            .await
            .is_err(),
        "no new connections once stopping"
    );
    system.appointment.resume();

    let (status, body) = request.await.unwrap();
    assert_eq!(status, 201, "{body}");
    let exit = system.prescription.wait_exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "a clean exit: {exit}");
    assert_eq!(system.count(Service::Prescription, "prescriptions"), 1);
}
