//! Developer commands, run as `cargo xtask <command>`:
//!
//! - `up`: make PostgreSQL answer, create the service databases, build and run every
//!   service with development settings, logs prefixed per service; Ctrl-C stops them all.
//! - `test [args]`: make PostgreSQL answer, build the service binaries (the black-box
//!   suite runs them as processes), install the Python test tools (schemathesis,
//!   openapi-spec-validator, openapi-python-client: PyPI, into `.data/`) and Debian's
//!   nats-server and poppler-utils where missing (the relay's tests start their own
//!   server; the PDF's read it back with pdftotext), then run every test
//!   (cargo-nextest when installed, else `cargo test`); extra args go to the test runner.
//! - `seed`: demo data (doctors in three time zones, patients, appointments,
//!   prescriptions) in the system `up` runs, through the public API; prints logins.
//! - `reset [--yes]`: drop the local service databases and their `.data/` folders (asks
//!   first unless `--yes`).
//! - `admin-password [PASSWORD]`: save a new development admin password (given or
//!   generated), applied at the next `up`.
//! - `postgres`: only make PostgreSQL answer (what `.ci/run` needs first).
//! - `bench`: the benchmark (release builds, wrk, pgbench); writes `docs/benchmarks.md`.
//! - `schema-check`: every `schema.rs` is what `diesel print-schema` prints, and every
//!   migration can be undone and redone (diesel_cli, installed once under `.data/tools`).
//! - `deny`: `cargo deny check` against `deny.toml` (cargo-deny, installed likewise).
//!
//! PostgreSQL: the server at `PGHOST`/`PGPORT` (127.0.0.1:5432) is used when it answers.
//! Otherwise the machine's installed cluster is started (`pg_ctlcluster`), or, failing
//! that, a private cluster is created under `.data/postgres` with the installed server
//! binaries (trust auth, user `postgres`).

mod checks;
mod postgres;
mod python_tools;
mod services;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "up" => services::up(),
        "reset" => services::reset(&rest),
        "seed" => services::seed(),
        "admin-password" => services::admin_password(&rest),
        "test" => run_tests(&rest),
        "postgres" => postgres::ensure().map(|_| ()),
        "bench" => bench(),
        "schema-check" => checks::schema_check(),
        "deny" => checks::deny(),
        _ => {
            eprintln!(
                "usage: cargo xtask <up | seed | reset [--yes] | admin-password [PASSWORD] | test [runner args] | postgres | bench | schema-check | deny>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn has_nextest() -> bool {
    Command::new("cargo")
        .args(["nextest", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The binaries the black-box suite (`crates/resilience`) starts as processes.
fn build_services() -> Result<(), String> {
    run(
        Command::new("cargo")
            .args(["build", "--bins"])
            .args(SERVICE_PACKAGES.iter().flat_map(|p| ["-p", p])),
        "building the services",
    )
}

/// Runs `command` to its end; `what` names it when it cannot start or fails.
fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The services, and the bench, whose `seed` command the suite runs as `cargo xtask seed` does.
const SERVICE_PACKAGES: [&str; 4] = [
    "auth-service",
    "appointment-service",
    "prescription-service",
    "bench",
];

fn run_tests(extra: &[String]) -> Result<(), String> {
    let admin_url = postgres::ensure()?;
    build_services()?;
    python_tools::TEST_TOOLS.ensure()?;
    python_tools::FHIR_VALIDATOR.ensure()?;
    let nats_server = ensure_debian_tool("nats-server", "nats-server", "the NATS relay's tests")?;
    ensure_debian_tool(
        "pdftotext",
        "poppler-utils",
        "the printed prescription's tests",
    )?;
    let tools = python_tools::TEST_TOOLS.bin();
    let mut command = Command::new("cargo");
    if has_nextest() {
        command.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        command.args(["test", "--workspace", "--no-fail-fast"]);
    }
    command
        .args(extra)
        .env("TEST_DATABASE_ADMIN_URL", admin_url)
        .env("PYTHON_TOOLS", tools)
        .env("FHIR_VALIDATOR", python_tools::FHIR_VALIDATOR.bin())
        .env("NATS_SERVER", nats_server);
    run(&mut command, "the tests")
}

fn installed(tool: &str) -> bool {
    located(tool).is_some()
}

/// Where `tool` is: on the PATH, or in /usr/sbin (Debian puts servers there, and it is not
/// on every user's PATH).
fn located(tool: &str) -> Option<String> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    found.or_else(|| {
        let sbin = format!("/usr/sbin/{tool}");
        std::path::Path::new(&sbin).exists().then_some(sbin)
    })
}

/// `tool` from Debian's `package`, installed when it is missing and we may (root on
/// Debian); its path. `needed_for` says why, should it stay missing.
fn ensure_debian_tool(tool: &str, package: &str, needed_for: &str) -> Result<String, String> {
    if let Some(path) = located(tool) {
        return Ok(path);
    }
    eprintln!("xtask: installing {package} (apt-get)");
    let _ = Command::new("sh")
        .args([
            "-c",
            &format!("apt-get update -qq && apt-get install -y -qq {package}"),
        ])
        .status();
    located(tool).ok_or_else(|| {
        format!("{tool} is needed for {needed_for}: install it (apt-get install {package})")
    })
}

fn bench() -> Result<(), String> {
    let admin_url = postgres::ensure()?;
    ensure_debian_tool("wrk", "wrk", "the benchmark")?;
    if !installed("pgbench") {
        return Err(
            "pgbench is needed for the benchmark's ceiling (PostgreSQL client tools)".into(),
        );
    }
    run(
        Command::new("cargo").args(["build", "--release", "--bins"]),
        "the release build",
    )?;
    run(
        Command::new("target/release/bench").env("TEST_DATABASE_ADMIN_URL", admin_url),
        "the benchmark",
    )
}
