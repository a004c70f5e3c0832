//! schemathesis, the API fuzzer the black-box suite drives, in a private venv under
//! `.data/` (reinstalled when its pinned requirements change).

use crate::run;
use std::path::{Path, PathBuf};
use std::process::Command;

const REQUIREMENTS: &str = "crates/resilience/requirements.txt";
const VENV: &str = ".data/schemathesis-venv";

/// The path of the `schemathesis` executable, installing it first if needed.
pub fn ensure() -> Result<PathBuf, String> {
    let venv = Path::new(VENV);
    let executable = venv.join("bin/schemathesis");
    let wanted = std::fs::read_to_string(REQUIREMENTS)
        .map_err(|e| format!("reading {REQUIREMENTS}: {e}"))?;
    let marker = venv.join("installed-requirements.txt");
    let current = std::fs::read_to_string(&marker).unwrap_or_default();
    if executable.exists() && current == wanted {
        return Ok(executable.canonicalize().unwrap_or(executable));
    }
    eprintln!("xtask: installing schemathesis into {VENV}");
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
        "installing schemathesis",
    )?;
    std::fs::write(&marker, wanted).map_err(|e| format!("{}: {e}", marker.display()))?;
    Ok(executable.canonicalize().unwrap_or(executable))
}
