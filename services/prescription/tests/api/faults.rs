//! appointment-service down or stalled: 503, nothing written, and the same request
//! succeeds once it is back.

use crate::helpers::*;
use std::time::{Duration, Instant};

#[tokio::test]
async fn appointment_service_down_is_503_and_the_retry_after_it_returns_is_201() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let port: u16 = app
        .appointments_address
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    app.appointments_handle.stop(true).await;
    let body = prescription_for(&visit.appointment_id);

    let down = app.prescribe(&visit.doctor, &body).await;

    assert_problem(down, 503).await;
    assert_eq!(app.count("prescriptions"), 0, "nothing written");
    start_appointments(&app.appointments_db, port).await;
    let retry = app.prescribe(&visit.doctor, &body).await;
    assert_eq!(
        retry.status(),
        201,
        "not 409: the failed attempt left nothing behind"
    );
}

#[tokio::test]
async fn a_stalled_appointment_service_is_503_within_the_timeout() {
    // Accepts connections and never answers.
    let stalled = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stalled_url = format!("http://{}", stalled.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = stalled.accept().await {
            held.push(socket);
        }
    });
    let app = spawn_app().await;
    let visit = app.visit().await;
    let timeout = Duration::from_millis(500);
    let stalled_app = start_prescriptions(&app.db, &stalled_url, timeout).await;

    let started = Instant::now();
    let res = app
        .client
        .post(format!("{stalled_app}/prescriptions"))
        .bearer_auth(&visit.doctor.token)
        .json(&prescription_for(&visit.appointment_id))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();

    assert_problem(res, 503).await;
    assert!(
        waited < timeout + Duration::from_millis(1500),
        "answered after {waited:?}"
    );
    assert_eq!(app.count("prescriptions"), 0);
}
