//! The audit trail's copy outside the database: every checkpoint, including the one a
//! verification takes, is in the service's log with its id, length, head and MAC.

use resilience::system::{ADMIN_EMAIL, ADMIN_PASSWORD};
use resilience::{System, api};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_checkpoint_a_verification_reports_is_in_the_service_log() {
    let system = System::start().await;
    let auth = system.auth.url();
    let admin = api::login(&auth, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    api::get(&format!("{auth}/users/profile"), Some(&admin.access_token)).await;

    let (status, verified) = api::get(
        &format!("{auth}/admin/audit/verify"),
        Some(&admin.access_token),
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(verified["valid"], true, "{verified}");
    let id = verified["checkpoint"]["id"].as_i64().unwrap_or_default();
    let events = verified["checkpoint"]["events"]
        .as_i64()
        .unwrap_or_default();
    let log = system.auth.log_text();
    let line = log
        .lines()
        .find(|l| l.contains("audit checkpoint") && l.contains(&format!("checkpoint={id} ")))
        .unwrap_or_else(|| panic!("checkpoint {id} is logged:\n{log}"));
    assert!(line.contains(&format!("events={events}")), "{line}");
    assert!(line.contains("head=") && line.contains("mac="), "{line}");
    let reason_verify = line.contains("reason=\"verify\"") || line.contains("reason=verify");
    assert!(reason_verify, "taken by the verification: {line}");
}
