//! The binary's own checks at start, run as a real process.

use std::process::Command;

#[test]
fn production_refuses_to_start_without_a_signing_key_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_auth-service"))
        .env("APP_ENV", "production")
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
        .env_remove("JWT_PRIVATE_KEY_FILE")
        .output()
        .expect("run auth-service");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("JWT_PRIVATE_KEY_FILE"));
}

#[test]
fn a_bootstrap_email_without_a_password_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_auth-service"))
        .env("BOOTSTRAP_ADMIN_EMAIL", "root@example.com")
        .env_remove("BOOTSTRAP_ADMIN_PASSWORD")
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
        .output()
        .expect("run auth-service");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("BOOTSTRAP_ADMIN_PASSWORD"));
}
