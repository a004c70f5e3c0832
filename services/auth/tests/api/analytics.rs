use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn analytics_counts_users_and_names_unreachable_services_as_degraded() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.signed_in("patient").await;
    app.signed_in("patient").await;
    app.signed_in("doctor").await;

    let res = app.get("/admin/analytics", &admin.access_token).await;

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["users"]["total_patients"], 2);
    assert_eq!(body["users"]["total_doctors"], 1);
    assert_eq!(body["users"]["total_admins"], 1);
    assert_eq!(body["users"]["total_users"], 4);
    assert_eq!(
        body["degraded"],
        serde_json::json!(["appointment-service", "prescription-service"])
    );
    assert!(body["appointments"]["total_appointments"].is_null());
    assert!(body["prescriptions"]["total_prescriptions"].is_null());
    assert!(body["generated_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn analytics_is_for_admins_only() {
    let app = spawn_app().await;
    let doctor = app.signed_in("doctor").await;

    assert_problem(app.get("/admin/analytics", &doctor.access_token).await, 403).await;
}
