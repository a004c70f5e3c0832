//! The audit trail of auth-service: reads, writes, denials and sign-ins are recorded,
//! never with passwords, tokens or the email typed at login; the hash chain exposes
//! tampering, even by someone who bypasses the append-only triggers.

use crate::helpers::*;
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

fn find<'a>(events: &'a [Value], action: &str) -> Option<&'a Value> {
    events.iter().find(|e| e["action"] == action)
}

#[tokio::test]
async fn a_read_of_a_profile_is_audited_with_actor_request_and_address() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let patient = app.signed_in("patient").await;

    app.client
        .get(app.url("/users/profile"))
        .bearer_auth(&patient.access_token)
        .header("x-request-id", "read-trace-1")
        .send()
        .await
        .unwrap();

    let events = app
        .audit_events_as(&admin, &format!("?actor_id={}", patient.id))
        .await;
    let read = find(&events, "user_profile.read").expect("read event");
    assert_eq!(read["outcome"], "success");
    assert_eq!(read["actor_role"], "patient");
    assert_eq!(read["patient_id"], patient.id.as_str());
    assert_eq!(read["request_id"], "read-trace-1");
    assert_eq!(read["client_address"], "127.0.0.1");
    assert_eq!(read["status"], 200);
    assert!(read["occurred_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_write_is_audited_in_its_own_transaction() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let patient = app.signed_in("patient").await;

    app.client
        .put(app.url("/users/profile"))
        .bearer_auth(&patient.access_token)
        .json(&json!({ "first_name": "Renamed" }))
        .send()
        .await
        .unwrap();

    let res = app
        .get(
            &format!("/admin/audit?resource_id={}", patient.id),
            &admin.access_token,
        )
        .await;
    let events: Vec<Value> = res.json().await.unwrap();
    let update =
        find(&events, "user_profile.update").expect("written with the update, no flush needed");
    assert_eq!(update["outcome"], "success");
    assert!(find(&events, "user.create").is_some(), "registration too");
    assert!(find(&events, "auth.login").is_some(), "and the sign-in");
}

#[tokio::test]
async fn a_denied_attempt_is_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let patient = app.signed_in("patient").await;

    app.get("/users/", &patient.access_token).await;

    let events = app
        .audit_events_as(&admin, &format!("?actor_id={}", patient.id))
        .await;
    let denied = find(&events, "user.read").expect("denied event");
    assert_eq!(denied["outcome"], "denied");
    assert_eq!(denied["status"], 403);
}

#[tokio::test]
async fn a_failed_login_is_audited_without_email_or_password() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let patient = app.signed_in("patient").await;

    app.login(&patient.email, "Wrong1Secret").await;
    app.login("nobody-at-all@example.com", "Wrong2Secret").await;

    let events = app.audit_events_as(&admin, "?limit=200").await;
    let failures: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "auth.login" && e["outcome"] == "failure")
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(
        failures
            .iter()
            .any(|e| e["resource_id"] == patient.id.as_str())
    );
    let everything = serde_json::to_string(&events).unwrap();
    for secret in [
        patient.email.as_str(),
        "Wrong1Secret",
        "nobody-at-all",
        PASSWORD,
        patient.refresh_token.as_str(),
    ] {
        assert!(!everything.contains(secret), "audit must not hold {secret}");
    }
}

#[tokio::test]
async fn the_chain_verifies_and_exposes_an_edit_made_behind_the_triggers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let patient = app.signed_in("patient").await;
    app.get("/users/profile", &patient.access_token).await;
    app.flush_audit().await;

    let before: Value = app
        .get("/admin/audit/verify", &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    let mut conn = app.db.connect();
    let blocked =
        diesel::sql_query("UPDATE audit_log SET action = 'nothing.happened'").execute(&mut conn);
    let undeletable = diesel::sql_query("DELETE FROM audit_log").execute(&mut conn);
    let untruncatable = diesel::sql_query("TRUNCATE audit_log CASCADE").execute(&mut conn);
    let chain_fixed = diesel::sql_query("DELETE FROM audit_chain").execute(&mut conn);
    diesel::sql_query("SET session_replication_role = replica")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("UPDATE audit_log SET action = 'nothing.happened' WHERE id = (SELECT min(id) FROM audit_log)")
        .execute(&mut conn)
        .unwrap();
    let after: Value = app
        .get("/admin/audit/verify", &admin.access_token)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(before["valid"], true);
    assert!(before["events"].as_i64().unwrap() >= 3);
    assert!(blocked.is_err(), "the append-only trigger refuses updates");
    assert!(undeletable.is_err() && untruncatable.is_err() && chain_fixed.is_err());
    assert_eq!(after["valid"], false);
}

#[tokio::test]
async fn the_audit_endpoints_are_for_admins_and_filter_by_time() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let doctor = app.signed_in("doctor").await;

    assert_problem(app.get("/admin/audit", &doctor.access_token).await, 403).await;
    assert_problem(
        app.get("/admin/audit/verify", &doctor.access_token).await,
        403,
    )
    .await;
    let future = app
        .audit_events_as(&admin, "?from=2999-01-01T00:00:00Z")
        .await;
    assert!(future.is_empty());
    let bad = app
        .get("/admin/audit?actor_id=nope&from=later", &admin.access_token)
        .await;
    let mut fields = error_fields(&assert_problem(bad, 422).await);
    fields.sort();
    assert_eq!(fields, ["actor_id", "from"]);
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

#[tokio::test]
async fn the_sealer_waits_for_an_event_still_being_written_and_chains_it_in_order() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut writer = app.db.connect();
    // A write transaction that has appended its event but not committed yet.
    writer.batch_execute("BEGIN").unwrap();
    let late: Vec<Id> = diesel::sql_query(
        "INSERT INTO audit_log (occurred_at, action, resource_type, outcome) \
         VALUES (now(), 'test.late', 'test', 'success') RETURNING id",
    )
    .load(&mut writer)
    .unwrap();
    let late = late[0].id;
    // Later events commit first.
    let patient = app.signed_in("patient").await;
    app.get("/users/profile", &patient.access_token).await;
    app.flush_audit().await;
    let before_verifying: Vec<Id> = diesel::sql_query("SELECT max(id) AS id FROM audit_log")
        .load(&mut app.db.connect())
        .unwrap();
    let before_verifying = before_verifying[0].id;

    let verifying = {
        let url = app.url("/admin/audit/verify");
        let token = admin.access_token.clone();
        let client = app.client.clone();
        tokio::spawn(async move {
            let response = client.get(url).bearer_auth(token).send().await.unwrap();
            response.json::<Value>().await.unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!verifying.is_finished(), "sealing waits for the open write");
    writer.batch_execute("COMMIT").unwrap();
    let verified = verifying.await.unwrap();

    assert_eq!(verified["valid"], true, "{verified}");
    let mut conn = app.db.connect();
    // Events written after the verification (its own read, say) may still wait their turn.
    let unsealed: Vec<Id> = diesel::sql_query(format!(
        "SELECT l.id FROM audit_log l LEFT JOIN audit_chain c ON c.event_id = l.id \
         WHERE c.event_id IS NULL AND l.id <= {late_or_later}",
        late_or_later = late.max(before_verifying)
    ))
    .load(&mut conn)
    .unwrap();
    assert!(
        unsealed.is_empty(),
        "every event up to the verification is sealed"
    );
    let out_of_order: Vec<Id> = diesel::sql_query(
        "SELECT a.seq AS id FROM audit_chain a JOIN audit_chain b ON b.seq = a.seq + 1 \
         WHERE b.event_id < a.event_id",
    )
    .load(&mut conn)
    .unwrap();
    assert!(out_of_order.is_empty(), "the chain follows id order");
}
