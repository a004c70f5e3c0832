use crate::helpers::*;
use common::Role;
use serde_json::Value;

#[tokio::test]
async fn a_prescription_is_visible_to_its_patient_its_doctor_and_admins_only() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let stranger = app.visit().await;

    assert_eq!(app.get(&path, &visit.patient).await.status(), 200);
    assert_eq!(app.get(&path, &visit.doctor).await.status(), 200);
    assert_eq!(app.get(&path, &caller(Role::Admin)).await.status(), 200);
    let hidden = assert_problem(app.get(&path, &stranger.patient).await, 404).await;
    assert_problem(app.get(&path, &stranger.doctor).await, 404).await;
    let missing = app
        .get(
            &format!("/prescriptions/{}", uuid::Uuid::new_v4()),
            &visit.patient,
        )
        .await;
    assert_eq!(
        assert_problem(missing, 404).await,
        hidden,
        "indistinguishable from a missing id"
    );
    for versions in [&stranger.patient, &stranger.doctor] {
        assert_problem(app.get(&format!("{path}/versions"), versions).await, 404).await;
    }
}

#[tokio::test]
async fn lists_are_scoped_to_the_caller_and_paged() {
    let app = spawn_app().await;
    let first = app.visit().await;
    let second = app.visit().await;
    app.prescribed(&first).await;
    app.prescribed(&second).await;

    let list = |who: Caller, query: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("/prescriptions{query}"), &who).await;
            assert_eq!(res.status(), 200);
            let total = res.headers()["x-total-count"].to_str().unwrap().to_owned();
            (res.json::<Vec<Value>>().await.unwrap(), total)
        }
    };

    let (patients, _) = list(first.patient.clone(), "").await;
    let (doctors, _) = list(second.doctor.clone(), "").await;
    let (all, total) = list(caller(Role::Admin), "?limit=1").await;
    let (nothing, _) = list(caller(Role::Patient), "").await;

    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0]["patient_id"], first.patient.id.to_string());
    assert_eq!(doctors.len(), 1);
    assert_eq!(doctors[0]["doctor_id"], second.doctor.id.to_string());
    assert_eq!((all.len(), total.as_str()), (1, "2"));
    assert!(nothing.is_empty());
}

#[tokio::test]
async fn admins_see_stats_and_others_do_not() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    app.prescribed(&visit).await;

    let res = app.get("/admin/stats", &caller(Role::Admin)).await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        serde_json::json!({ "total_prescriptions": 1 })
    );
    assert_problem(app.get("/admin/stats", &visit.doctor).await, 403).await;
}
