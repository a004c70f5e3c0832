//! Serving as a role that owns nothing: the service works, and the role cannot rewrite the
//! audit trail or a prescription's history, not even by turning the triggers off.

use crate::helpers::*;
use common::config::Secret;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use test_support::db::TestDatabase;

#[tokio::test]
async fn the_serving_role_cannot_update_delete_truncate_or_untrigger_what_is_append_only() {
    let db = TestDatabase::create_empty();
    let role = db.serving_role();
    let owner_url = db.url.clone();
    let app = spawn_app_from(
        db,
        reqwest::Client::new(),
        |_| {},
        |settings| {
            settings.database.url = Secret::new(role.url.clone());
            settings.database.migration_url = Some(Secret::new(owner_url));
        },
    )
    .await;

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
