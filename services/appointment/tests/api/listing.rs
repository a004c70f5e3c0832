use crate::helpers::*;
use chrono::Weekday;
use common::Role;
use serde_json::Value;

struct World {
    app: TestApp,
    doctor: Caller,
    other_doctor: Caller,
    patient: Caller,
    other_patient: Caller,
    monday: chrono::NaiveDate,
}

async fn world() -> World {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let other_doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let other_patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    app.booked(&patient, doctor.id, at(monday, "15:00")).await;
    app.booked(&patient, other_doctor.id, at(monday, "09:00"))
        .await;
    app.booked(&other_patient, doctor.id, at(monday, "10:00"))
        .await;
    World {
        app,
        doctor,
        other_doctor,
        patient,
        other_patient,
        monday,
    }
}

async fn list(app: &TestApp, who: &Caller, query: &str) -> (Vec<Value>, String) {
    let res = app.get(&format!("/appointments{query}"), who).await;
    assert_eq!(res.status(), 200);
    let total = res.headers()["x-total-count"].to_str().unwrap().to_owned();
    (res.json().await.unwrap(), total)
}

fn times(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|a| a["appointment_time"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

#[tokio::test]
async fn each_role_sees_its_own_appointments_in_time_order() {
    let w = world().await;

    let (mine, total) = list(&w.app, &w.patient, "").await;
    let (doctors, _) = list(&w.app, &w.doctor, "").await;
    let (all, all_total) = list(&w.app, &caller(Role::Admin), "").await;
    let (stranger, _) = list(&w.app, &caller(Role::Patient), "").await;

    assert_eq!(
        (times(&mine), total.as_str()),
        (vec!["09:00".to_owned(), "15:00".to_owned()], "2")
    );
    assert_eq!(times(&doctors), ["10:00", "15:00"]);
    assert_eq!((times(&all).len(), all_total.as_str()), (3, "3"));
    assert!(stranger.is_empty());
    let _ = (&w.other_doctor, &w.other_patient);
}

#[tokio::test]
async fn status_and_time_filters_narrow_the_list() {
    let w = world().await;
    let (mine, _) = list(&w.app, &w.patient, "").await;
    let first = mine[0]["id"].as_str().unwrap();
    w.app
        .delete(&format!("/appointments/{first}"), &w.patient)
        .await;

    let (booked, _) = list(&w.app, &w.patient, "?status=booked").await;
    let (cancelled, _) = list(&w.app, &w.patient, "?status=cancelled").await;
    let window = format!(
        "?from={}&to={}",
        rfc3339(at(w.monday, "12:00")),
        rfc3339(at(w.monday, "16:00"))
    );
    let (afternoon, _) = list(&w.app, &caller(Role::Admin), &window).await;

    assert_eq!(times(&booked), ["15:00"]);
    assert_eq!(times(&cancelled), ["09:00"]);
    assert_eq!(times(&afternoon), ["15:00"]);
}

#[tokio::test]
async fn bad_filters_are_422() {
    let w = world().await;

    let res = w
        .app
        .get(
            "/appointments?status=done&from=yesterday&limit=201",
            &w.patient,
        )
        .await;

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["from", "limit", "status"]
    );
}

#[tokio::test]
async fn an_appointment_is_visible_to_its_patient_its_doctor_and_admins_only() {
    let w = world().await;
    let (mine, _) = list(&w.app, &w.patient, "?limit=1").await;
    let path = format!("/appointments/{}", mine[0]["id"].as_str().unwrap());
    let path_of_doctors = {
        let (items, _) = list(&w.app, &w.doctor, "").await;
        format!("/appointments/{}", items[1]["id"].as_str().unwrap())
    };

    assert_eq!(w.app.get(&path, &w.patient).await.status(), 200);
    assert_eq!(
        w.app.get(&path, &w.other_doctor).await.status(),
        200,
        "09:00 is with other_doctor"
    );
    assert_eq!(w.app.get(&path, &caller(Role::Admin)).await.status(), 200);
    assert_problem(w.app.get(&path, &w.other_patient).await, 404).await;
    assert_problem(w.app.get(&path, &w.doctor).await, 404).await;
    assert_problem(
        w.app.get(&path_of_doctors, &caller(Role::Doctor)).await,
        404,
    )
    .await;
    let missing = w
        .app
        .get(
            &format!("/appointments/{}", uuid::Uuid::new_v4()),
            &w.patient,
        )
        .await;
    let invisible = assert_problem(w.app.get(&path, &w.other_patient).await, 404).await;
    assert_eq!(
        assert_problem(missing, 404).await,
        invisible,
        "indistinguishable from a missing id"
    );
}

#[tokio::test]
async fn admins_see_stats_and_others_do_not() {
    let w = world().await;
    let (mine, _) = list(&w.app, &w.patient, "?limit=1").await;
    w.app
        .delete(
            &format!("/appointments/{}", mine[0]["id"].as_str().unwrap()),
            &w.patient,
        )
        .await;

    let res = w.app.get("/admin/stats", &caller(Role::Admin)).await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        serde_json::json!({
            "total_appointments": 3, "booked": 2, "completed": 0, "cancelled": 1, "no_show": 0,
            "late_cancellations": 0, "no_show_rate": 0.0
        })
    );
    assert_problem(w.app.get("/admin/stats", &w.doctor).await, 403).await;
}
