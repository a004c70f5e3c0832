//! The Python tools the tests drive (schemathesis, openapi-spec-validator,
//! openapi-python-client), in a private venv under `.data/` (reinstalled when their pinned
//! requirements change).

use crate::run;
use std::path::Path;
use std::process::Command;

const REQUIREMENTS: &str = "crates/test-support/python-tools.txt";
pub const VENV: &str = ".data/python-tools";

/// Installs the tools unless the venv already holds exactly the pinned set.
pub fn ensure() -> Result<(), String> {
    let venv = Path::new(VENV);
    let wanted = std::fs::read_to_string(REQUIREMENTS)
        .map_err(|e| format!("reading {REQUIREMENTS}: {e}"))?;
    let marker = venv.join("installed-requirements.txt");
    let current = std::fs::read_to_string(&marker).unwrap_or_default();
    if venv.join("bin/python").exists() && current == wanted {
        return Ok(());
    }
    eprintln!("xtask: installing the Python test tools into {VENV}");
    run(
        Command::new("python3").args(["-m", "venv", VENV]),
        "creating the venv",
    )?;
    run(
        Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            REQUIREMENTS,
        ]),
        "installing the Python test tools",
    )?;
    std::fs::write(&marker, wanted).map_err(|e| format!("{}: {e}", marker.display()))
}
