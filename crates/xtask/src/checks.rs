//! CI checks that need tools from crates.io, installed once under `.data/tools`:
//!
//! - `schema-check`: each service's migrations are applied to a scratch database, undone and
//!   redone (`diesel migration redo --all`), and `diesel print-schema` must reproduce the
//!   service's `src/db/schema.rs` and common's `src/schema.rs` exactly. Nothing is kept in
//!   step by hand.
//! - `deny`: `cargo deny check` against `deny.toml` (licenses, bans with duplicate crates,
//!   sources). The advisory database is fetched from the network, which this machine does
//!   not reach, so advisories are checked only where a local copy exists.

use crate::{postgres, run};
use std::path::{Path, PathBuf};
use std::process::Command;

const TOOLS: &str = ".data/tools";

/// `bin` of `.data/tools`, installing `krate` there first (`cargo install --locked`) when
/// `binary` is missing.
fn tool(binary: &str, krate: &str, extra: &[&str]) -> Result<PathBuf, String> {
    let path = Path::new(TOOLS).join("bin").join(binary);
    if !path.exists() {
        eprintln!("xtask: installing {krate} into {TOOLS} (once)");
        run(
            Command::new("cargo")
                .args(["install", "--locked", "--root", TOOLS, krate])
                .args(extra),
            &format!("installing {krate}"),
        )?;
    }
    Ok(path.canonicalize().unwrap_or(path))
}

fn diesel() -> Result<PathBuf, String> {
    tool(
        "diesel",
        "diesel_cli",
        &["--no-default-features", "--features", "postgres"],
    )
}

/// The schema files `print-schema` must reproduce: (service, schema.rs of that service).
const SERVICES: [(&str, &str); 3] = [
    ("auth", "services/auth/src/db/schema.rs"),
    ("appointment", "services/appointment/src/db/schema.rs"),
    ("prescription", "services/prescription/src/db/schema.rs"),
];

/// The tables `common` defines the code of, printed from any service's database.
const SHARED_TABLES: [&str; 4] = [
    "audit_chain",
    "audit_checkpoints",
    "audit_log",
    "idempotency_keys",
];
const SHARED_SCHEMA: &str = "crates/common/src/schema.rs";

/// The event tables `common::events` defines the code of, in the services that publish
/// events (printed from the first of them).
const EVENT_SERVICES: [&str; 2] = ["appointment", "prescription"];
const EVENT_TABLES: [&str; 4] = [
    "outbox_events",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_subscriptions",
];
const EVENT_SCHEMA: &str = "crates/common/src/events/schema.rs";

fn output_of(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn compare(generated: &str, file: &str, problems: &mut Vec<String>) -> Result<(), String> {
    let committed = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    if committed != generated {
        let fresh = Path::new("target").join(format!("{}.generated", file.replace('/', "_")));
        std::fs::write(&fresh, generated).map_err(|e| format!("{}: {e}", fresh.display()))?;
        let _ = Command::new("diff").args(["-u", file]).arg(&fresh).status();
        problems.push(format!(
            "{file} is not what `diesel print-schema` prints (generated: {})",
            fresh.display()
        ));
    }
    Ok(())
}

pub fn schema_check() -> Result<(), String> {
    postgres::ensure()?;
    let diesel = diesel()?;
    let mut problems = Vec::new();
    for (service, schema) in SERVICES {
        let name = format!("schema_check_{service}_{}", std::process::id());
        postgres::create_database(&name)?;
        let url = postgres::database_url(&name);
        let checked = check_service(&diesel, service, schema, &url, &mut problems);
        let _ = Command::new("psql")
            .args([
                &postgres::admin_url(),
                "-qc",
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            ])
            .status();
        checked?;
    }
    if problems.is_empty() {
        eprintln!("xtask: every schema.rs is what diesel print-schema prints");
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn check_service(
    diesel: &Path,
    service: &str,
    schema: &str,
    url: &str,
    problems: &mut Vec<String>,
) -> Result<(), String> {
    let migrations = format!("migrations/{service}");
    let migrate = |verb: &[&str]| {
        run(
            Command::new(diesel).arg("migration").args(verb).args([
                "--migration-dir",
                &migrations,
                "--database-url",
                url,
            ]),
            &format!("diesel migration {} ({service})", verb.join(" ")),
        )
    };
    migrate(&["run"])?;
    migrate(&["redo", "--all"])?;
    let service_dir = format!("services/{service}");
    let printed = output_of(
        Command::new(diesel).current_dir(&service_dir).args([
            "print-schema",
            "--database-url",
            url,
        ]),
        &format!("diesel print-schema ({service})"),
    )?;
    compare(&printed, schema, problems)?;
    if service == SERVICES[0].0 {
        let shared = output_of(
            Command::new(diesel)
                .args(["print-schema", "--database-url", url, "--only-tables"])
                .args(SHARED_TABLES),
            "diesel print-schema (shared tables)",
        )?;
        compare(&shared, SHARED_SCHEMA, problems)?;
    }
    if service == EVENT_SERVICES[0] {
        let events = output_of(
            Command::new(diesel)
                .args(["print-schema", "--database-url", url, "--only-tables"])
                .args(EVENT_TABLES),
            "diesel print-schema (event tables)",
        )?;
        compare(&events, EVENT_SCHEMA, problems)?;
    }
    Ok(())
}

pub fn deny() -> Result<(), String> {
    let cargo_deny = tool("cargo-deny", "cargo-deny", &[])?;
    // A fetched copy is a clone with a `crates/` folder; a failed fetch leaves only a lock.
    let local_advisories = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .and_then(|home| std::fs::read_dir(home.join("advisory-dbs")).ok())
        .is_some_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.path().join("crates").is_dir()))
        });
    let mut command = Command::new(cargo_deny);
    command.args(["--all-features", "check"]);
    if local_advisories {
        command.arg("--disable-fetch");
    } else {
        eprintln!(
            "xtask: no local advisory database (it is fetched from the network): \
             checking bans, licenses and sources"
        );
        command.args(["bans", "licenses", "sources"]);
    }
    run(&mut command, "cargo deny check")
}
