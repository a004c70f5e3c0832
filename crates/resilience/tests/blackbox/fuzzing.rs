//! schemathesis against each service's own `/openapi.json`, as an admin, a doctor and a
//! patient in turn: no 5xx, and every answer (status, content type, headers, body) is
//! one the document promises. The seed is fixed so a CI failure replays locally.

use resilience::System;
use resilience::api::{self, Account};
use std::path::PathBuf;

const CHECKS: &str = "not_a_server_error,response_schema_conformance,content_type_conformance,\
status_code_conformance,response_headers_conformance";

fn executable() -> PathBuf {
    let tools = std::env::var_os("PYTHON_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| resilience::workspace_dir().join(".data/python-tools/bin"));
    let schemathesis = tools.join("schemathesis");
    assert!(
        schemathesis.exists(),
        "schemathesis is not installed: `cargo xtask test` installs it (PyPI)"
    );
    schemathesis
}

struct Callers {
    admin: Account,
    doctor: Account,
    patient: Account,
}

/// Callers with data behind them, so lists are not all empty.
async fn callers(system: &System) -> Callers {
    let auth = system.auth.url();
    let api::Visit {
        doctor,
        patient,
        appointment_id,
    } = api::visit(&auth, &system.appointment.url(), api::slot(2, 1)).await;
    let (status, prescribed) = api::post(
        &format!("{}/prescriptions", system.prescription.url()),
        Some(&doctor.access_token),
        &api::prescription_body(&appointment_id),
    )
    .await;
    assert_eq!(status, 201, "{prescribed}");
    let admin = api::login(
        &auth,
        resilience::system::ADMIN_EMAIL,
        resilience::system::ADMIN_PASSWORD,
    )
    .await;
    Callers {
        admin,
        doctor,
        patient,
    }
}

async fn fuzz(system: &System, service_url: String, callers: &Callers) {
    for (role, caller) in [
        ("admin", &callers.admin),
        ("doctor", &callers.doctor),
        ("patient", &callers.patient),
    ] {
        let mut command = std::process::Command::new(executable());
        command
            .current_dir(&system.dir)
            .env("NO_COLOR", "1")
            .arg("run")
            .arg(format!("{service_url}/openapi.json"))
            .args([
                "--header",
                &format!("Authorization: Bearer {}", caller.access_token),
            ])
            .args(["--checks", CHECKS])
            // One worker: CPython 3.11's ast module can fail under hypothesis from two
            // threads ("AST constructor recursion depth mismatch"), a tool error, not ours.
            .args(["--max-examples", "20", "--seed", "1", "--workers", "1"])
            .args(["--request-timeout", "10"]);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("running schemathesis: {e}"));
        assert!(
            output.status.success(),
            "schemathesis as {role} against {service_url} found problems:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_in_auth_service() {
    let system = System::start().await;
    let callers = callers(&system).await;
    fuzz(&system, system.auth.url(), &callers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_in_appointment_service() {
    let system = System::start().await;
    let callers = callers(&system).await;
    fuzz(&system, system.appointment.url(), &callers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_in_prescription_service() {
    let system = System::start().await;
    let callers = callers(&system).await;
    fuzz(&system, system.prescription.url(), &callers).await;
}
