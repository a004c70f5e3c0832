//! An admin's analytics over the running system: auth-service gathers appointment-service's
//! figures over HTTP, late cancellations and the no-show rate among them.

use resilience::api::{self, answer};
use resilience::system::{ADMIN_EMAIL, ADMIN_PASSWORD};
use resilience::{Service, System};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_count_a_late_cancellation_the_patient_could_not_make() {
    // No grace after booking: the cancellation below comes a moment after it.
    let system = System::builder()
        .env(
            Some(Service::Appointment),
            "CANCELLATION_GRACE_MINUTES",
            "0",
        )
        .start()
        .await;
    let (auth, appointment) = (system.auth.url(), system.appointment.url());
    let doctor = api::doctor(&auth, &appointment).await;
    let patient = api::account(&auth, "patient").await;
    // A week's notice: anything in the next seven days is late to cancel.
    let client = api::client();
    let (status, body) = answer(
        client
            .put(format!("{appointment}/doctors/profile"))
            .bearer_auth(&doctor.access_token)
            .json(&json!({ "cancellation_notice_hours": 168 }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, visit) = api::book(&appointment, &patient, &doctor, api::slot(2, 3)).await;
    assert_eq!(status, 201, "{visit}");
    let path = format!(
        "{appointment}/appointments/{}",
        visit["id"].as_str().unwrap()
    );
    let cancel = |token: &str| client.delete(&path).bearer_auth(token.to_owned()).send();

    let (by_patient, problem) = answer(cancel(&patient.access_token).await.unwrap()).await;
    let (by_doctor, cancelled) = answer(cancel(&doctor.access_token).await.unwrap()).await;

    assert_eq!(by_patient, 409);
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("late-cancellation"),
        "{problem}"
    );
    assert_eq!(by_doctor, 200, "{cancelled}");
    assert_eq!(cancelled["cancelled_by"], "doctor");
    let admin = api::login(&auth, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, analytics) = api::get(
        &format!("{auth}/admin/analytics"),
        Some(&admin.access_token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(analytics["degraded"], json!([]), "{analytics}");
    assert_eq!(analytics["appointments"]["cancelled"], 1);
    assert_eq!(analytics["appointments"]["late_cancellations"], 1);
    assert_eq!(analytics["appointments"]["no_show_rate"], 0.0);
}
