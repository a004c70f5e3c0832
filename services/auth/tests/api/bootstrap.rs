use crate::helpers::*;
use test_support::db::TestDatabase;

#[tokio::test]
async fn the_bootstrap_admin_is_created_once_and_can_sign_in() {
    let app =
        spawn_app_with(|s| s.bootstrap_admin = bootstrap("Root@Example.com", "B00tstrapPass"))
            .await;

    let admin = app.session_of("root@example.com", "B00tstrapPass").await;

    assert_eq!(
        app.get("/users/?role=admin", &admin.access_token)
            .await
            .status(),
        200
    );
    let mut again = test_settings(&app.db);
    again.bootstrap_admin = bootstrap("root@example.com", "Different1Pass");
    auth_service::Application::build(again)
        .await
        .expect("a restart with the admin present");
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM users WHERE role = 'admin'"),
        1
    );
    assert_eq!(
        app.login("root@example.com", "B00tstrapPass")
            .await
            .status(),
        200,
        "password untouched"
    );
}

#[tokio::test]
async fn a_weak_bootstrap_password_stops_the_service_from_starting() {
    let db = TestDatabase::create(auth_service::MIGRATIONS);
    let mut settings = test_settings(&db);
    settings.bootstrap_admin = bootstrap("root@example.com", "password");

    let result = auth_service::Application::build(settings).await;

    assert!(result.is_err());
}
