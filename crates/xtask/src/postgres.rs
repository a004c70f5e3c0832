//! Makes a PostgreSQL server answer, and creates databases on it.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn host() -> String {
    std::env::var("PGHOST").unwrap_or_else(|_| "127.0.0.1".into())
}

pub fn port() -> u16 {
    std::env::var("PGPORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5432)
}

/// The maintenance database URL (superuser `postgres`), for creating databases.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL").unwrap_or_else(|_| {
        format!(
            "postgres://postgres@{}:{}/postgres?sslmode=disable",
            host(),
            port()
        )
    })
}

pub fn database_url(name: &str) -> String {
    format!("postgres://postgres@{}:{}/{name}", host(), port())
}

fn answers() -> bool {
    if let Ok(status) = Command::new("pg_isready")
        .args(["-q", "-h", &host(), "-p", &port().to_string()])
        .status()
    {
        return status.success();
    }
    format!("{}:{}", host(), port())
        .parse::<SocketAddr>()
        .is_ok_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok())
}

fn wait_until_answering(timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if answers() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    false
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Starts the cluster the distribution installed (Debian's `pg_ctlcluster`).
fn start_installed_cluster() -> bool {
    let Ok(versions) = std::fs::read_dir("/etc/postgresql") else {
        return false;
    };
    for version in versions.flatten() {
        let version = version.file_name().to_string_lossy().into_owned();
        eprintln!("xtask: starting the installed PostgreSQL {version} cluster");
        let started = Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", &version, "main", "start"])
            .status()
            .is_ok_and(|s| s.success());
        if started && wait_until_answering(Duration::from_secs(30)) {
            return true;
        }
    }
    false
}

fn server_bin_dir() -> Option<PathBuf> {
    let in_path = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(parent) = in_path.as_deref().and_then(Path::parent) {
        return Some(parent.to_path_buf());
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// Runs a server binary as the current user, or as `postgres` when we are root
/// (PostgreSQL refuses to run as root).
fn server_command(bin: &Path, args: &[&str], as_postgres: bool) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(bin).args(args);
        command
    } else {
        let mut command = Command::new(bin);
        command.args(args);
        command
    }
}

fn start_private_cluster() -> Result<(), String> {
    let bin = server_bin_dir()
        .ok_or("no PostgreSQL answers and no PostgreSQL server binaries (initdb) are installed")?;
    let data = std::env::current_dir()
        .map_err(|e| e.to_string())?
        .join(".data/postgres");
    let as_postgres = is_root();
    let data_str = data.to_string_lossy().into_owned();
    if !data.join("PG_VERSION").exists() {
        eprintln!("xtask: creating a private PostgreSQL cluster in {data_str}");
        std::fs::create_dir_all(&data).map_err(|e| format!("creating {data_str}: {e}"))?;
        if as_postgres {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres", &data_str])
                .status();
        }
        let ok = server_command(
            &bin.join("initdb"),
            &[
                "-D",
                &data_str,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            as_postgres,
        )
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
        if !ok {
            return Err("initdb failed".into());
        }
    }
    eprintln!(
        "xtask: starting the private PostgreSQL cluster on port {}",
        port()
    );
    let options = format!(
        "-p {} -c listen_addresses={} -k /tmp -c max_connections=200",
        port(),
        host()
    );
    let log = data.join("server.log").to_string_lossy().into_owned();
    let ok = server_command(
        &bin.join("pg_ctl"),
        &["-D", &data_str, "-o", &options, "-l", &log, "-w", "start"],
        as_postgres,
    )
    .stdout(Stdio::null())
    .status()
    .is_ok_and(|s| s.success());
    if ok && wait_until_answering(Duration::from_secs(30)) {
        Ok(())
    } else {
        Err(format!(
            "the private PostgreSQL cluster did not start; see {log}"
        ))
    }
}

/// Returns the admin URL of a server that answers.
pub fn ensure() -> Result<String, String> {
    if !answers() && !start_installed_cluster() {
        start_private_cluster()?;
    }
    Ok(admin_url())
}

/// Drops `name` if it exists, closing its connections.
pub fn drop_database(name: &str) -> Result<(), String> {
    let dropped = Command::new("psql")
        .args([
            &admin_url(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        ])
        .status()
        .map_err(|e| format!("running psql: {e}"))?;
    if dropped.success() {
        eprintln!("xtask: dropped database {name}");
        Ok(())
    } else {
        Err(format!("could not drop database {name}"))
    }
}

/// Creates `name` unless it exists.
pub fn create_database(name: &str) -> Result<(), String> {
    let exists = Command::new("psql")
        .args([
            &admin_url(),
            "-tAc",
            &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ])
        .output()
        .map_err(|e| format!("running psql: {e}"))?;
    if String::from_utf8_lossy(&exists.stdout).trim() == "1" {
        return Ok(());
    }
    let created = Command::new("psql")
        .args([&admin_url(), "-qc", &format!("CREATE DATABASE \"{name}\"")])
        .status()
        .map_err(|e| format!("running psql: {e}"))?;
    if created.success() {
        eprintln!("xtask: created database {name}");
        Ok(())
    } else {
        Err(format!("could not create database {name}"))
    }
}
