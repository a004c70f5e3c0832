//! The keyed audit chain and its checkpoints against someone who can write the tables (a
//! superuser, triggers off) but does not hold `AUDIT_KEY_FILE`.

use crate::helpers::*;
use common::audit::{AuditKey, AuditKeySource, Chain};
use common::config::Secret;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

/// A few events, sealed and verified once.
async fn verified_trail(app: &TestApp) -> (Session, Value) {
    let admin = app.admin().await;
    for _ in 0..3 {
        let patient = app.signed_in("patient").await;
        app.get("/users/profile", &patient.access_token).await;
    }
    app.flush_audit().await;
    let verified = verify(app, &admin).await;
    assert_eq!(verified["valid"], true, "{verified}");
    (admin, verified)
}

async fn verify(app: &TestApp, admin: &Session) -> Value {
    verify_at(app, &app.address, admin).await
}

async fn verify_at(app: &TestApp, address: &str, admin: &Session) -> Value {
    let res = app
        .client
        .get(format!("{address}/admin/audit/verify"))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Another instance on the same database and key that has seen no checkpoint yet, as
/// after a restart: what it finds, it finds from the database alone.
async fn fresh_instance(app: &TestApp) -> String {
    let built = auth_service::Application::build(test_settings(&app.db))
        .await
        .expect("build a second instance");
    let address = format!("http://127.0.0.1:{}", built.port());
    tokio::spawn(built.run_until_stopped());
    address
}

/// SQL as a superuser with the append-only triggers off, in one transaction.
fn tamper(app: &TestApp, sql: &str) {
    let mut conn = app.db.connect();
    conn.batch_execute(&format!(
        "BEGIN; SET LOCAL session_replication_role = replica; {sql}; COMMIT;"
    ))
    .unwrap();
}

#[tokio::test]
async fn verify_signs_a_checkpoint_of_the_head_and_reports_it() {
    let app = spawn_app().await;
    let (_, verified) = verified_trail(&app).await;

    let checkpoint = &verified["checkpoint"];
    assert_eq!(checkpoint["events"], verified["events"], "{verified}");
    assert!(checkpoint["id"].as_i64().unwrap() > 0);
    assert!(checkpoint["at"].is_string());
    assert!(verified["checkpoints"].as_i64().unwrap() >= 2, "{verified}");
    assert!(verified["failure"].is_null());
    let reasons = app.db.count(
        "SELECT count(DISTINCT reason) AS n FROM audit_checkpoints WHERE reason IN ('seal', 'verify')",
    );
    assert_eq!(reasons, 2, "seal passes and verifications both checkpoint");
    let mut conn = app.db.connect();
    let checkpoints_fixed = diesel::sql_query("DELETE FROM audit_checkpoints").execute(&mut conn);
    assert!(checkpoints_fixed.is_err(), "checkpoints are append-only");
}

#[tokio::test]
async fn an_edit_resealed_without_the_key_is_found_even_by_an_instance_that_saw_nothing() {
    let app = spawn_app().await;
    let (admin, _) = verified_trail(&app).await;

    // The attacker edits an event, throws the chain and its checkpoints away and seals
    // everything again, correctly, but with a key of their own.
    let mut conn = app.db.connect();
    conn.batch_execute(
        "BEGIN; SET LOCAL session_replication_role = replica; \
         UPDATE audit_log SET action = 'nothing.happened' WHERE id = (SELECT min(id) FROM audit_log); \
         DELETE FROM audit_checkpoints; DELETE FROM audit_chain;",
    )
    .unwrap();
    let forged = AuditKey::load(&AuditKeySource::Inline(Secret::new(
        "a key the attacker made up, long enough to pass",
    )))
    .unwrap();
    assert!(Chain::new(forged).seal_pending(&mut conn).unwrap() > 0);
    conn.batch_execute("COMMIT").unwrap();
    let restarted = fresh_instance(&app).await;

    let seen_by_a_restart = verify_at(&app, &restarted, &admin).await;
    let seen_by_the_witness = verify(&app, &admin).await;

    assert_eq!(seen_by_a_restart["valid"], false, "{seen_by_a_restart}");
    assert!(
        seen_by_a_restart["failure"]
            .as_str()
            .unwrap()
            .contains("link 1 does not match"),
        "the first link already fails under the real key: {seen_by_a_restart}"
    );
    assert_eq!(seen_by_the_witness["valid"], false, "{seen_by_the_witness}");
}

#[tokio::test]
async fn events_removed_below_a_checkpoint_are_found_by_an_instance_that_saw_nothing() {
    let app = spawn_app().await;
    let (admin, verified) = verified_trail(&app).await;
    let checked = verified["events"].as_i64().unwrap();

    tamper(
        &app,
        &format!(
            "DELETE FROM audit_chain WHERE seq > {keep}; \
             DELETE FROM audit_log WHERE id NOT IN (SELECT event_id FROM audit_chain)",
            keep = checked - 2
        ),
    );
    let restarted = fresh_instance(&app).await;
    let after = verify_at(&app, &restarted, &admin).await;

    assert_eq!(after["valid"], false, "{after}");
    assert!(
        after["failure"]
            .as_str()
            .unwrap()
            .contains("events were removed"),
        "{after}"
    );
    let trusted = after["checkpoint"]["events"].as_i64().unwrap_or(0);
    assert!(
        trusted <= checked - 2,
        "the trail is trusted only up to a checkpoint before the cut: {after}"
    );
}

#[tokio::test]
async fn a_tail_removed_with_its_checkpoints_is_found_by_the_instance_that_saw_them() {
    let app = spawn_app().await;
    let (admin, verified) = verified_trail(&app).await;
    let checked = verified["events"].as_i64().unwrap();

    tamper(
        &app,
        &format!(
            "DELETE FROM audit_checkpoints WHERE links > {keep}; \
             DELETE FROM audit_chain WHERE seq > {keep}; \
             DELETE FROM audit_log WHERE id NOT IN (SELECT event_id FROM audit_chain)",
            keep = checked - 2
        ),
    );
    // The instance's own sealer checkpoints the shortened chain meanwhile; it must not
    // take that as the new truth.
    let patient = app.signed_in("patient").await;
    app.get("/users/profile", &patient.access_token).await;
    app.flush_audit().await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let after = verify(&app, &admin).await;
    let again = verify(&app, &admin).await;

    assert_eq!(after["valid"], false, "{after}");
    assert!(
        after["failure"].as_str().unwrap().contains("is gone"),
        "{after}"
    );
    assert_eq!(
        again["valid"], false,
        "the finding stays until a restart: {again}"
    );
}

#[tokio::test]
async fn an_event_inserted_with_a_backdated_time_is_stamped_by_the_database_and_flagged() {
    let app = spawn_app().await;
    let (admin, _) = verified_trail(&app).await;

    // What the serving role could do: a plain INSERT (the triggers stay on), claiming a
    // login of yesterday and trying to choose the database's stamp as well.
    let mut conn = app.db.connect();
    conn.batch_execute(
        "INSERT INTO audit_log (occurred_at, action, resource_type, outcome, recorded_at) \
         VALUES (now() - interval '1 day', 'auth.login', 'session', 'success', now() - interval '1 day')",
    )
    .unwrap();

    let verified = verify(&app, &admin).await;

    assert_eq!(verified["valid"], false, "{verified}");
    let failure = verified["failure"].as_str().unwrap();
    assert!(failure.contains("backdated"), "{failure}");
    let stamped_now = app.db.count(
        "SELECT count(*) AS n FROM audit_log \
         WHERE occurred_at < now() - interval '12 hours' AND recorded_at > now() - interval '1 minute'",
    );
    assert_eq!(
        stamped_now, 1,
        "the database chose the stamp, not the inserter"
    );
    let honest = app
        .db
        .count("SELECT count(*) AS n FROM audit_log WHERE recorded_at IS NULL");
    assert_eq!(honest, 0, "every event of the service is stamped");
}
