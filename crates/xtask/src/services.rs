//! `cargo xtask up`: the whole system on this machine, for development.

use crate::postgres;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Service {
    name: &'static str,
    dir: &'static str,
    port: u16,
    database: &'static str,
    /// Lets a developer point one service at another database.
    database_url_var: &'static str,
}

const SERVICES: [Service; 3] = [
    Service {
        name: "auth-service",
        dir: "services/auth",
        port: 8001,
        database: "healthcare_auth",
        database_url_var: "AUTH_DATABASE_URL",
    },
    Service {
        name: "appointment-service",
        dir: "services/appointment",
        port: 8002,
        database: "healthcare_appointment",
        database_url_var: "APPOINTMENT_DATABASE_URL",
    },
    Service {
        name: "prescription-service",
        dir: "services/prescription",
        port: 8003,
        database: "healthcare_prescription",
        database_url_var: "PRESCRIPTION_DATABASE_URL",
    },
];

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// The development admin's password: `BOOTSTRAP_ADMIN_PASSWORD` if set, else one generated
/// on first run and kept in `.data/`, because the admin is only created once.
fn dev_admin_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("BOOTSTRAP_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let path = Path::new(".data/dev-admin-password");
    if let Ok(saved) = std::fs::read_to_string(path) {
        return Ok(saved.trim().to_owned());
    }
    let mut random = [0u8; 9];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut random))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    // Upper, lower and digit guaranteed, whatever the random part holds.
    let password = format!("Dev{hex}9x");
    std::fs::create_dir_all(".data").map_err(|e| e.to_string())?;
    std::fs::write(path, &password).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(password)
}

fn forward_lines(stream: impl Read + Send + 'static, prefix: String) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            println!("{prefix} {line}");
        }
    });
}

fn wait_for_health(port: u16, timeout: Duration) {
    use std::io::Write;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let answered = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut stream| {
            stream.write_all(b"GET /health HTTP/1.0\r\n\r\n")?;
            let mut reply = String::new();
            stream.read_to_string(&mut reply)?;
            Ok(reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"))
        });
        if answered.unwrap_or(false) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn terminate(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

pub fn up() -> Result<(), String> {
    let services: Vec<&Service> = SERVICES
        .iter()
        .filter(|s| Path::new(s.dir).exists())
        .collect();
    postgres::ensure()?;
    for service in &services {
        if std::env::var(service.database_url_var).is_err() {
            postgres::create_database(service.database)?;
        }
    }
    eprintln!("xtask: building the services");
    let built = Command::new("cargo")
        .args(["build", "--bins"])
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !built.success() {
        return Err("the build failed".into());
    }

    let stopping = Arc::new(AtomicBool::new(false));
    let flag = stopping.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("installing the Ctrl-C handler: {e}"))?;

    let admin_email =
        std::env::var("BOOTSTRAP_ADMIN_EMAIL").unwrap_or_else(|_| "admin@example.com".into());
    let admin_password = dev_admin_password()?;
    let width = services.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut children = Vec::new();
    for service in &services {
        let database_url = std::env::var(service.database_url_var)
            .unwrap_or_else(|_| postgres::database_url(service.database));
        let mut command = Command::new(target_dir().join("debug").join(service.name));
        command
            .env("PORT", service.port.to_string())
            .env("DATABASE_URL", database_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if service.name == "auth-service" {
            command
                .env("BOOTSTRAP_ADMIN_EMAIL", &admin_email)
                .env("BOOTSTRAP_ADMIN_PASSWORD", &admin_password);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", service.name))?;
        let prefix = format!("[{:>width$}]", service.name);
        if let Some(out) = child.stdout.take() {
            forward_lines(out, prefix.clone());
        }
        if let Some(err) = child.stderr.take() {
            forward_lines(err, prefix);
        }
        eprintln!(
            "xtask: {} on http://127.0.0.1:{}",
            service.name, service.port
        );
        children.push((service.name, child));
        // The others fetch auth-service's keys at start: let it come up first.
        if service.name == "auth-service" {
            wait_for_health(service.port, Duration::from_secs(60));
        }
    }
    eprintln!("xtask: development admin: {admin_email} / {admin_password}");
    eprintln!("xtask: press Ctrl-C to stop");

    let mut failure = None;
    while !stopping.load(Ordering::SeqCst) {
        for (name, child) in &mut children {
            if let Ok(Some(status)) = child.try_wait() {
                failure = Some(format!("{name} exited ({status}); stopping the others"));
            }
        }
        if failure.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    eprintln!("xtask: stopping");
    for (_, child) in &children {
        terminate(child);
    }
    let deadline = Instant::now() + Duration::from_secs(35);
    for (name, child) in &mut children {
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() > deadline => {
                    eprintln!("xtask: {name} did not stop in time; killing it");
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
    // Give the log forwarders a moment to print the services' last lines.
    std::thread::sleep(Duration::from_millis(200));
    failure.map_or(Ok(()), Err)
}
