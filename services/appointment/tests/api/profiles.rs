use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

async fn app_with_auth() -> (TestApp, RealAuth) {
    let auth = start_auth().await;
    let address = auth.address.clone();
    let app = spawn_app_with(|s| s.auth_service.url = address).await;
    (app, auth)
}

async fn create_profile(app: &TestApp, who: &Caller, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/doctors/profile"))
        .bearer_auth(&who.token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_profile_takes_the_defaults_and_the_name_from_auth_service() {
    let (app, auth) = app_with_auth().await;
    let doctor = auth.user("doctor", "Meredith", "Grey").await;

    let res = create_profile(&app, &doctor, &json!({ "specialization": "Surgery" })).await;

    assert_eq!(res.status(), 201);
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["user_id"], doctor.id.to_string());
    assert_eq!(profile["first_name"], "Meredith");
    assert_eq!(profile["last_name"], "Grey");
    assert_eq!(profile["specialization"], "Surgery");
    assert_eq!(profile["available_from"], "09:00");
    assert_eq!(profile["available_to"], "17:00");
    assert_eq!(profile["timezone"], "UTC");
    assert_eq!(profile["working_days"], json!([1, 2, 3, 4, 5]));
    assert_eq!(profile["slot_minutes"], 30);
    assert!(profile["location"].is_null());
    for field in ["id", "created_at", "updated_at"] {
        assert!(profile[field].is_string(), "{field}");
    }
}

#[tokio::test]
async fn a_second_profile_is_409() {
    let (app, auth) = app_with_auth().await;
    let doctor = auth.user("doctor", "Derek", "Shepherd").await;
    assert_eq!(
        create_profile(&app, &doctor, &json!({ "specialization": "Neurology" }))
            .await
            .status(),
        201
    );

    let again = create_profile(&app, &doctor, &json!({ "specialization": "Surgery" })).await;

    assert_problem(again, 409).await;
}

#[tokio::test]
async fn a_doctor_awaiting_approval_cannot_publish_or_change_a_profile() {
    let (app, auth) = app_with_auth().await;
    let unvetted = auth.unapproved_doctor().await;
    let body = json!({ "specialization": "Cardiology (Board certified)" });

    let created = create_profile(&app, &unvetted, &body).await;
    let updated = app.put("/doctors/profile", &unvetted, &body).await;

    let problem = assert_problem(created, 403).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("awaits approval"), "{problem}");
    assert!(
        detail.contains("refresh your token"),
        "says how an approval takes effect: {problem}"
    );
    assert_problem(updated, 403).await;
    let listed: Vec<Value> = app
        .client
        .get(app.url("/doctors/?q=house"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed.is_empty(),
        "nobody can find, so nobody can book, an unvetted doctor"
    );
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let slots = app
        .client
        .get(app.url(&format!("/doctors/{}/slots?date={tomorrow}", unvetted.id)))
        .send()
        .await
        .unwrap();
    assert_problem(slots, 404).await;
}

#[tokio::test]
async fn only_doctors_have_profiles() {
    let app = spawn_app().await;
    let body = json!({ "specialization": "Cardiology" });

    let patient = create_profile(&app, &caller(Role::Patient), &body).await;
    let admin = create_profile(&app, &caller(Role::Admin), &body).await;
    let anonymous = app
        .client
        .post(app.url("/doctors/profile"))
        .json(&body)
        .send()
        .await
        .unwrap();

    assert_problem(patient, 403).await;
    assert_problem(admin, 403).await;
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn each_invalid_field_is_named() {
    let app = spawn_app().await;
    let doctor = caller(Role::Doctor);
    let cases = [
        (
            json!({ "specialization": "X", "timezone": "Mars/Olympus" }),
            "timezone",
        ),
        (
            json!({ "specialization": "X", "available_from": "17:00", "available_to": "09:00" }),
            "available_to",
        ),
        (
            json!({ "specialization": "X", "available_from": "10:00", "available_to": "10:00" }),
            "available_to",
        ),
        (
            json!({ "specialization": "X", "slot_minutes": 4 }),
            "slot_minutes",
        ),
        (
            json!({ "specialization": "X", "slot_minutes": 241 }),
            "slot_minutes",
        ),
        (
            json!({ "specialization": "X", "working_days": [0, 1] }),
            "working_days",
        ),
        (
            json!({ "specialization": "X", "working_days": [8] }),
            "working_days",
        ),
        (
            json!({ "specialization": "X", "working_days": [] }),
            "working_days",
        ),
        (
            json!({ "specialization": "X", "available_from": "9am" }),
            "available_from",
        ),
        (json!({ "specialization": "" }), "specialization"),
        (json!({}), "specialization"),
    ];
    for (body, field) in cases {
        let res = create_profile(&app, &doctor, &body).await;
        assert_eq!(
            error_fields(&assert_problem(res, 422).await),
            [field],
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_doctor_reads_and_updates_their_profile_and_the_name_is_refreshed() {
    let (app, auth) = app_with_auth().await;
    let doctor = auth.user("doctor", "Miranda", "Bailey").await;
    assert_problem(app.get("/doctors/profile", &doctor).await, 404).await;
    create_profile(
        &app,
        &doctor,
        &json!({ "specialization": "Surgery", "location": "Seattle" }),
    )
    .await;
    auth.client
        .put(format!("{}/users/profile", auth.address))
        .bearer_auth(&doctor.token)
        .json(&json!({ "last_name": "Bailey-Warren" }))
        .send()
        .await
        .unwrap();

    let res = app
        .put(
            "/doctors/profile",
            &doctor,
            &json!({ "timezone": "Europe/Berlin", "working_days": [6, 1, 1], "slot_minutes": 20 }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["timezone"], "Europe/Berlin");
    assert_eq!(profile["working_days"], json!([1, 6]));
    assert_eq!(profile["slot_minutes"], 20);
    assert_eq!(
        profile["specialization"], "Surgery",
        "untouched fields stay"
    );
    assert_eq!(profile["location"], "Seattle");
    assert_eq!(profile["last_name"], "Bailey-Warren");
    let read: Value = app
        .get("/doctors/profile", &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, profile);
}

#[tokio::test]
async fn an_update_must_keep_the_hours_coherent() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());

    let res = app
        .put(
            "/doctors/profile",
            &doctor,
            &json!({ "available_from": "18:00" }),
        )
        .await;

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["available_to"]
    );
}

#[tokio::test]
async fn each_calendar_rule_out_of_bounds_is_named() {
    let app = spawn_app().await;
    let doctor = caller(Role::Doctor);
    let with = |extra: Value| {
        let mut body = json!({ "specialization": "X" });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (
            json!({ "breaks": [{ "from": "08:00", "to": "09:30" }] }),
            "breaks[0]",
        ),
        (
            json!({ "breaks": [{ "from": "16:30", "to": "17:30" }] }),
            "breaks[0]",
        ),
        (
            json!({ "breaks": [{ "from": "12:00", "to": "13:00" }, { "from": "12:30", "to": "14:00" }] }),
            "breaks[1]",
        ),
        (
            json!({ "breaks": [{ "from": "13:00", "to": "12:00" }] }),
            "breaks[0].to",
        ),
        (json!({ "breaks": [{ "to": "12:00" }] }), "breaks[0].from"),
        (
            json!({ "breaks": [{ "from": "noon", "to": "13:00" }] }),
            "breaks[0].from",
        ),
        (json!({ "breaks": ["12:00-13:00"] }), "breaks[0]"),
        (json!({ "breaks": "lunch" }), "breaks"),
        (json!({ "min_notice_minutes": -1 }), "min_notice_minutes"),
        (json!({ "min_notice_minutes": 10081 }), "min_notice_minutes"),
        (
            json!({ "min_notice_minutes": "soon" }),
            "min_notice_minutes",
        ),
        (json!({ "booking_horizon_days": 0 }), "booking_horizon_days"),
        (
            json!({ "booking_horizon_days": 731 }),
            "booking_horizon_days",
        ),
        (
            json!({ "cancellation_notice_hours": -1 }),
            "cancellation_notice_hours",
        ),
        (
            json!({ "cancellation_notice_hours": 169 }),
            "cancellation_notice_hours",
        ),
        (
            json!({ "max_daily_bookings_per_patient": 0 }),
            "max_daily_bookings_per_patient",
        ),
        (
            json!({ "max_daily_bookings_per_patient": 49 }),
            "max_daily_bookings_per_patient",
        ),
    ];
    for (extra, field) in cases {
        let body = with(extra);
        let res = create_profile(&app, &doctor, &body).await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn a_profile_keeps_its_calendar_rules_and_an_update_must_keep_breaks_inside_the_hours() {
    let (app, auth) = app_with_auth().await;
    let doctor = auth.user("doctor", "Cristina", "Yang").await;
    let defaults = create_profile(&app, &doctor, &json!({ "specialization": "Cardiology" })).await;
    let defaults: Value = defaults.json().await.unwrap();
    assert_eq!(defaults["breaks"], json!([]));
    assert_eq!(defaults["min_notice_minutes"], 60);
    assert_eq!(defaults["booking_horizon_days"], 180);
    assert_eq!(defaults["cancellation_notice_hours"], 24);
    assert_eq!(defaults["max_daily_bookings_per_patient"], 2);

    let rules = json!({
        "breaks": [{ "from": "15:00", "to": "15:15" }, { "from": "12:00", "to": "13:00" }],
        "min_notice_minutes": 0, "booking_horizon_days": 730,
        "cancellation_notice_hours": 168, "max_daily_bookings_per_patient": 48,
    });
    let res = app.put("/doctors/profile", &doctor, &rules).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(
        updated["breaks"],
        json!([{ "from": "12:00", "to": "13:00" }, { "from": "15:00", "to": "15:15" }]),
        "sorted"
    );
    assert_eq!(updated["min_notice_minutes"], 0);
    assert_eq!(updated["booking_horizon_days"], 730);
    assert_eq!(updated["cancellation_notice_hours"], 168);
    assert_eq!(updated["max_daily_bookings_per_patient"], 48);

    let shorter = app
        .put(
            "/doctors/profile",
            &doctor,
            &json!({ "available_to": "14:00" }),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(shorter, 422).await),
        ["breaks[1]"]
    );
    let cleared = app
        .put(
            "/doctors/profile",
            &doctor,
            &json!({ "available_to": "14:00", "breaks": null }),
        )
        .await;
    let cleared: Value = cleared.json().await.unwrap();
    assert_eq!(cleared["breaks"], json!([]));
    assert_eq!(
        cleared["booking_horizon_days"], 730,
        "what an update leaves out stays"
    );
    let public: Value = app
        .get(&format!("/doctors/{}", doctor.id), &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["max_daily_bookings_per_patient"], 48);
}
