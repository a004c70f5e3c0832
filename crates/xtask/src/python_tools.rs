//! The Python tools the tests drive, each set in a private venv under `.data/`
//! (reinstalled when its pinned requirements change): schemathesis, openapi-spec-validator
//! and openapi-python-client in one; the FHIR R4 validator (fhir.resources 6.4, the last
//! release whose models are R4 4.0.1, on pydantic 1) in another, since the first set
//! needs pydantic 2.

use crate::run;
use std::path::Path;
use std::process::Command;

pub struct ToolSet {
    requirements: &'static str,
    pub venv: &'static str,
    what: &'static str,
}

pub const TEST_TOOLS: ToolSet = ToolSet {
    requirements: "crates/test-support/python-tools.txt",
    venv: ".data/python-tools",
    what: "the Python test tools",
};

pub const FHIR_VALIDATOR: ToolSet = ToolSet {
    requirements: "crates/test-support/fhir-validator.txt",
    venv: ".data/fhir-validator",
    what: "the FHIR R4 validator",
};

impl ToolSet {
    /// Installs the set unless its venv already holds exactly the pinned requirements.
    pub fn ensure(&self) -> Result<(), String> {
        let venv = Path::new(self.venv);
        let wanted = std::fs::read_to_string(self.requirements)
            .map_err(|e| format!("reading {}: {e}", self.requirements))?;
        let marker = venv.join("installed-requirements.txt");
        let current = std::fs::read_to_string(&marker).unwrap_or_default();
        if venv.join("bin/python").exists() && current == wanted {
            return Ok(());
        }
        eprintln!("xtask: installing {} into {}", self.what, self.venv);
        run(
            Command::new("python3").args(["-m", "venv", "--clear", self.venv]),
            "creating the venv",
        )?;
        run(
            Command::new(venv.join("bin/pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                self.requirements,
            ]),
            &format!("installing {}", self.what),
        )?;
        std::fs::write(&marker, wanted).map_err(|e| format!("{}: {e}", marker.display()))
    }

    /// The venv's `bin/`, absolute where it can be.
    pub fn bin(&self) -> std::path::PathBuf {
        let bin = Path::new(self.venv).join("bin");
        bin.canonicalize().unwrap_or(bin)
    }
}
