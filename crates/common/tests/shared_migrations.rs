//! The tables `common` owns the code of (idempotency keys, the audit log, its seal
//! barrier) are created by a migration in each service's own set, so each database
//! records its own history. Those copies must be one text: this test keeps them so.

#![expect(
    clippy::unwrap_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

use std::path::{Path, PathBuf};

const SHARED: [&str; 5] = [
    "idempotency_keys",
    "audit_log",
    "audit_seal_barrier",
    "audit_checkpoints",
    "audit_returned_ids",
];
const SERVICES: [&str; 3] = ["auth", "appointment", "prescription"];

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

/// The `up.sql` and `down.sql` of `service`'s migration named `*_<name>`.
fn shared_migration(service: &str, name: &str) -> (String, String) {
    let dir = migrations_dir().join(service);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(&format!("_{name}")))
        })
        .collect();
    assert_eq!(found.len(), 1, "{service} has one {name} migration");
    let migration = found.remove(0);
    let read = |file: &str| std::fs::read_to_string(migration.join(file)).unwrap();
    (read("up.sql"), read("down.sql"))
}

#[test]
fn every_service_creates_the_shared_tables_with_the_same_migration() {
    for name in SHARED {
        let reference = shared_migration(SERVICES[0], name);
        for service in &SERVICES[1..] {
            assert_eq!(
                shared_migration(service, name),
                reference,
                "{service}'s {name} migration differs from {}'s",
                SERVICES[0]
            );
        }
    }
}

/// The event outbox and webhook tables, in the services that publish events.
#[test]
fn every_event_source_creates_the_event_tables_with_the_same_migration() {
    for name in ["event_outbox", "event_stream", "kept_subscriptions"] {
        let reference = shared_migration("appointment", name);
        assert_eq!(shared_migration("prescription", name), reference, "{name}");
    }
}

#[test]
fn the_seal_barrier_trigger_takes_the_lock_the_sealer_waits_for() {
    let (up, _) = shared_migration("auth", "audit_seal_barrier");
    let lock = format!(
        "pg_advisory_xact_lock_shared({})",
        common::audit::SEAL_BARRIER_KEY
    );
    assert!(up.contains(&lock), "the trigger must take {lock}");
}
