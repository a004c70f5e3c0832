//! What a developer meets on a second start: a bootstrap password that no longer logs in
//! is said, by name, with the fix; the development reset makes it work again.

use resilience::system::{ADMIN_EMAIL, ADMIN_PASSWORD};
use resilience::{System, api};
use serde_json::json;

async fn login_status(auth: &str, password: &str) -> u16 {
    let (status, _) = api::post(
        &format!("{auth}/auth/login"),
        None,
        &json!({ "email": ADMIN_EMAIL, "password": password }),
    )
    .await;
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bootstrap_password_that_no_longer_logs_in_is_said_at_start_and_can_be_reset() {
    let mut system = System::start().await;
    let auth = system.auth.url();
    assert_eq!(login_status(&auth, ADMIN_PASSWORD).await, 200);
    // `.data/` was wiped: the launcher has generated another password for the same admin.
    let new_password = "Another-Dev-Pass-2";

    system.auth.kill();
    system
        .auth
        .set_env("BOOTSTRAP_ADMIN_PASSWORD", new_password);
    system.auth.start().await;

    assert_eq!(login_status(&auth, new_password).await, 401);
    let log = system.auth.log_text();
    assert!(
        log.contains("exists with another password") && log.contains("cargo xtask admin-password"),
        "the start names the problem and the fix:\n{log}"
    );

    system.auth.kill();
    system.auth.set_env("BOOTSTRAP_ADMIN_RESET", "true");
    system.auth.start().await;

    assert_eq!(login_status(&auth, new_password).await, 200);
    assert_eq!(login_status(&auth, ADMIN_PASSWORD).await, 401);
}
