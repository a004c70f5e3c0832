//! The README's walkthrough, read from the README itself (so they cannot drift), run twice
//! against the real system: a newcomer's second run must work as the first did.

use resilience::System;
use resilience::system::{ADMIN_EMAIL, ADMIN_PASSWORD};
use std::path::Path;

/// The first ```sh block after the "## Walkthrough" heading.
fn walkthrough_script() -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&readme).unwrap_or_else(|e| panic!("README: {e}"));
    let section = text
        .split_once("## Walkthrough")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("the README has a walkthrough section"));
    let (_, block) = section
        .split_once("```sh\n")
        .unwrap_or_else(|| panic!("the walkthrough has a sh block"));
    let (script, _) = block
        .split_once("\n```")
        .unwrap_or_else(|| panic!("the sh block ends"));
    script.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_readme_walkthrough_runs_twice_in_a_row() {
    let system = System::start().await;
    let script = walkthrough_script();

    for run in 1..=2 {
        // A blocking run on a blocking thread: the services are separate processes.
        let mut command = std::process::Command::new("bash");
        command
            .args(["-e", "-c", &script])
            .env("AUTH", system.auth.url())
            .env("APPT", system.appointment.url())
            .env("RX", system.prescription.url())
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap_or_else(|e| panic!("joining bash: {e}"))
            .unwrap_or_else(|e| panic!("running bash: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "run {run} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
        assert!(
            stdout.contains("\"version\":2"),
            "run {run} ends with the amended prescription:\n{stdout}"
        );
    }
}
