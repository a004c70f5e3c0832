//! Serving as a role that owns nothing: the service works, and the role cannot rewrite the
//! audit trail or a prescription's history, not even by turning the triggers off.

use crate::helpers::*;
use common::config::Secret;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use test_support::db::TestDatabase;

#[tokio::test]
async fn the_serving_role_cannot_update_delete_truncate_or_untrigger_what_is_append_only() {
    test_support::init_tracing();
    let appointments_db = TestDatabase::create(appointment_service::MIGRATIONS);
    let (appointments_address, appointments_handle) = start_appointments(&appointments_db, 0).await;
    let db = TestDatabase::create_empty();
    let role = db.serving_role();
    let mut settings = prescription_service::Settings::for_tests(&role.url);
    settings.database.migration_url = Some(Secret::new(db.url.clone()));
    settings.tokens = common::auth::VerifierSettings::trusting(test_support::jwt::jwks());
    settings.appointment_service.url = appointments_address.clone();
    let built = prescription_service::Application::build(settings)
        .await
        .expect("build prescription-service serving as the unprivileged role");
    let address = format!("http://127.0.0.1:{}", built.port());
    let platform = built.platform();
    tokio::spawn(built.run_until_stopped());
    let app = TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        appointments_db,
        appointments_address,
        appointments_handle,
        platform,
    };

    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let amended = app
        .put(
            &path,
            &visit.doctor,
            &serde_json::json!({ "notes": "changed" }),
        )
        .await;
    assert_eq!(amended.status(), 200, "amending works as the serving role");
    app.get(&path, &visit.patient).await;
    app.flush_audit().await;
    let verified = app.audit_verification().await;
    assert_eq!(
        verified["valid"], true,
        "sealing and checkpoints work: {verified}"
    );

    let mut conn = role.connect();
    for (table, column) in [
        ("audit_log", "id"),
        ("audit_chain", "seq"),
        ("audit_checkpoints", "id"),
        ("prescription_versions", "version"),
    ] {
        for attack in [
            format!("UPDATE {table} SET {column} = {column}"),
            format!("DELETE FROM {table}"),
            format!("TRUNCATE {table} CASCADE"),
            format!("ALTER TABLE {table} DISABLE TRIGGER ALL"),
            format!("DROP TABLE {table} CASCADE"),
        ] {
            // Refused by privileges, not by the triggers a table's owner could turn off.
            let refused = conn.batch_execute(&attack).expect_err(&attack).to_string();
            assert!(
                refused.contains("permission denied") || refused.contains("must be owner"),
                "{attack}: {refused}"
            );
        }
    }
    assert!(
        conn.batch_execute("SET session_replication_role = replica")
            .is_err()
    );
    assert!(
        conn.batch_execute("DELETE FROM __diesel_schema_migrations")
            .is_err()
    );
    let rows: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM prescription_versions)",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(rows, 2, "it still reads what it wrote");
}
