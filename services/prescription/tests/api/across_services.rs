//! All three services together: admin analytics follows real actions, a down service is
//! reported as degraded, and one request id runs through the calls between services.

use crate::helpers::*;
use common::Role;
use serde_json::Value;

/// auth-service for real, signing with the test key, with its analytics peers set.
async fn spawn_auth(appointments: &str, prescriptions: &str) -> test_peers::RealAuth {
    test_peers::start_auth_with(|settings| {
        settings.peers.appointment_url = appointments.into();
        settings.peers.prescription_url = prescriptions.into();
        settings.peers.timeout = std::time::Duration::from_millis(1000);
    })
    .await
}

async fn analytics(client: &reqwest::Client, auth: &test_peers::RealAuth, admin: &Caller) -> Value {
    let res = client
        .get(format!("{}/admin/analytics", auth.address))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn analytics_moves_exactly_with_actions_and_agrees_with_each_service() {
    let app = spawn_app().await;
    let auth = spawn_auth(&app.appointments_address, &app.address).await;
    let admin = caller(Role::Admin);
    let before = analytics(&app.client, &auth, &admin).await;

    let visit = app.visit().await;
    let cancelled = app.visit().await;
    app.client
        .delete(format!(
            "{}/appointments/{}",
            app.appointments_address, cancelled.appointment_id
        ))
        .bearer_auth(&cancelled.patient.token)
        .send()
        .await
        .unwrap();
    app.prescribed(&visit).await;
    let after = analytics(&app.client, &auth, &admin).await;

    assert_eq!(after["degraded"], serde_json::json!([]));
    let moved = |section: &str, field: &str| {
        after[section][field].as_i64().unwrap() - before[section][field].as_i64().unwrap()
    };
    assert_eq!(moved("appointments", "total_appointments"), 2);
    assert_eq!(moved("appointments", "booked"), 1);
    assert_eq!(moved("appointments", "cancelled"), 1);
    assert_eq!(moved("prescriptions", "total_prescriptions"), 1);
    let appointment_stats: Value = app
        .client
        .get(format!("{}/admin/stats", app.appointments_address))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let prescription_stats: Value = app.get("/admin/stats", &admin).await.json().await.unwrap();
    assert_eq!(after["appointments"], appointment_stats);
    assert_eq!(after["prescriptions"], prescription_stats);
}

#[tokio::test]
async fn a_stopped_service_is_named_in_degraded_and_analytics_still_answers() {
    let app = spawn_app().await;
    let auth = spawn_auth(&app.appointments_address, &app.address).await;
    app.appointments_handle.stop(true).await;

    let report = analytics(&app.client, &auth, &caller(Role::Admin)).await;

    assert_eq!(
        report["degraded"],
        serde_json::json!(["appointment-service"])
    );
    assert!(report["appointments"]["total_appointments"].is_null());
    assert_eq!(report["prescriptions"]["total_prescriptions"], 0);
}

#[tokio::test]
async fn one_request_id_and_trace_run_through_the_call_to_appointment_service() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    let res = app
        .client
        .post(app.url("/prescriptions"))
        .bearer_auth(&visit.doctor.token)
        .header("x-request-id", "rx-trace-42")
        .header("traceparent", traceparent)
        .json(&prescription_for(&visit.appointment_id))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["x-request-id"], "rx-trace-42");
    let ours = app.audit_events("?limit=200").await;
    assert!(
        ours.iter()
            .any(|e| e["action"] == "prescription.create" && e["request_id"] == "rx-trace-42")
    );
    // appointment-service audited the read prescription-service made for this request
    // (its buffer is written within about a second).
    let mut found = false;
    for _ in 0..30 {
        let events: Vec<Value> = app
            .client
            .get(format!(
                "{}/admin/audit?resource_id={}",
                app.appointments_address, visit.appointment_id
            ))
            .bearer_auth(&caller(Role::Admin).token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if events
            .iter()
            .any(|e| e["action"] == "appointment.read" && e["request_id"] == "rx-trace-42")
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        found,
        "the forwarded X-Request-Id reached appointment-service's audit trail"
    );
}
