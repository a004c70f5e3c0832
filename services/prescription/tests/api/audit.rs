use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

fn find<'a>(events: &'a [Value], action: &str, outcome: &str) -> Option<&'a Value> {
    events
        .iter()
        .find(|e| e["action"] == action && e["outcome"] == outcome)
}

#[tokio::test]
async fn prescribing_reading_and_a_denied_read_are_audited_without_contents() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let id = path.rsplit('/').next().unwrap().to_owned();
    let stranger = caller(Role::Doctor);

    app.get(&path, &visit.patient).await;
    app.get(&format!("{path}/versions"), &stranger).await;
    app.put(&path, &visit.doctor, &json!({ "notes": "take with water" }))
        .await;

    let events = app.audit_events(&format!("?resource_id={id}")).await;
    let created = find(&events, "prescription.create", "success").expect("write event");
    assert_eq!(created["patient_id"], visit.patient.id.to_string());
    let read = find(&events, "prescription.read", "success").expect("read event");
    assert_eq!(read["actor_id"], visit.patient.id.to_string());
    let denied = find(&events, "prescription.read", "denied").expect("denied event");
    assert_eq!(denied["actor_id"], stranger.id.to_string());
    assert!(find(&events, "prescription.amend", "success").is_some());
    let everything = serde_json::to_string(&events).unwrap();
    for content in ["Amoxicillin", "take with food", "take with water", "500 mg"] {
        assert!(
            !everything.contains(content),
            "prescription content {content} leaked into the audit"
        );
    }

    assert_eq!(app.audit_verification().await["valid"], true);
    app.db.tamper_with_audit();
    assert_eq!(app.audit_verification().await["valid"], false);
}
