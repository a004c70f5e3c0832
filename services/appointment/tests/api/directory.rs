use crate::helpers::*;
use serde_json::Value;

fn names(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|p| p["last_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn directory(app: &TestApp, query: &str) -> (Vec<Value>, String) {
    let res = app
        .client
        .get(app.url(&format!("/doctors/{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let total = res.headers()["x-total-count"].to_str().unwrap().to_owned();
    (res.json().await.unwrap(), total)
}

#[tokio::test]
async fn the_directory_is_public_filtered_case_insensitively_and_paged() {
    let app = spawn_app().await;
    app.seed_doctor_named(
        Hours::default(),
        "Gregory",
        "House",
        "Diagnostic Medicine",
        Some("Princeton"),
    );
    app.seed_doctor_named(
        Hours::default(),
        "Lisa",
        "Cuddy",
        "Endocrinology",
        Some("Princeton"),
    );
    app.seed_doctor_named(
        Hours::default(),
        "James",
        "Wilson",
        "Oncology",
        Some("New Jersey"),
    );

    let (all, total) = directory(&app, "").await;
    assert_eq!(total, "3");
    assert_eq!(names(&all), ["Cuddy", "House", "Wilson"], "ordered by name");

    let (by_specialty, _) = directory(&app, "?specialization=ONCO").await;
    assert_eq!(names(&by_specialty), ["Wilson"]);
    let (by_location, total) = directory(&app, "?location=princeton").await;
    assert_eq!(
        (names(&by_location), total.as_str()),
        (vec!["Cuddy".to_owned(), "House".to_owned()], "2")
    );
    let (by_name, _) = directory(&app, "?q=greg").await;
    assert_eq!(names(&by_name), ["House"]);
    let (full_name, _) = directory(&app, "?q=lisa%20cuddy").await;
    assert_eq!(names(&full_name), ["Cuddy"]);
    let (page, total) = directory(&app, "?limit=1&offset=1").await;
    assert_eq!(
        (names(&page), total.as_str()),
        (vec!["House".to_owned()], "3")
    );
    let (wildcard, _) = directory(&app, "?q=%25").await;
    assert!(
        wildcard.is_empty(),
        "% is a literal character, not a wildcard"
    );
}

#[tokio::test]
async fn a_doctor_is_found_by_user_id_and_an_unknown_one_is_404() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());

    let found = app
        .client
        .get(app.url(&format!("/doctors/{}", doctor.id)))
        .send()
        .await
        .unwrap();
    let unknown = app
        .client
        .get(app.url(&format!("/doctors/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    let not_an_id = app
        .client
        .get(app.url("/doctors/not-a-uuid"))
        .send()
        .await
        .unwrap();

    assert_eq!(found.status(), 200);
    assert_eq!(
        found.json::<Value>().await.unwrap()["user_id"],
        doctor.id.to_string()
    );
    assert_problem(unknown, 404).await;
    assert_problem(not_an_id, 404).await;
}

#[tokio::test]
async fn bad_paging_is_422() {
    let app = spawn_app().await;

    let res = app
        .client
        .get(app.url("/doctors/?limit=0&offset=x"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["limit", "offset"]
    );
}

#[tokio::test]
async fn filters_with_a_nul_or_a_line_break_are_422_not_a_database_error() {
    let app = spawn_app().await;

    let res = app
        .client
        .get(app.url("/doctors/?q=ab%00c&location=x%0D%0Ay&specialization=%20&limit=5"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["location", "q"]
    );
}
