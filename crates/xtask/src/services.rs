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

const ADMIN_PASSWORD_FILE: &str = ".data/dev-admin-password";
/// Left by `cargo xtask admin-password`: the next `up` makes the saved password the admin's.
const ADMIN_RESET_MARKER: &str = ".data/dev-admin-password.reset";
/// Browser origins of the usual local front-end dev servers (React, Vite, Vue CLI).
const DEV_CORS_ORIGINS: &str = "http://localhost:3000,http://127.0.0.1:3000,\
http://localhost:5173,http://127.0.0.1:5173,http://localhost:8080,http://127.0.0.1:8080";

/// The development admin's password: `BOOTSTRAP_ADMIN_PASSWORD` if set, else one generated
/// on first run and kept in `.data/`, because the admin is only created once.
fn dev_admin_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("BOOTSTRAP_ADMIN_PASSWORD") {
        return Ok(password);
    }
    if let Ok(saved) = std::fs::read_to_string(ADMIN_PASSWORD_FILE) {
        return Ok(saved.trim().to_owned());
    }
    let password = generated_password()?;
    save_admin_password(&password)?;
    Ok(password)
}

fn generated_password() -> Result<String, String> {
    let mut random = [0u8; 9];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut random))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    // Upper, lower and digit guaranteed, whatever the random part holds.
    Ok(format!("Dev{hex}9x"))
}

/// Readable by its owner only: it is an admin's password.
fn save_admin_password(password: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(".data").map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(ADMIN_PASSWORD_FILE);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(ADMIN_PASSWORD_FILE)
        .and_then(|mut file| file.write_all(password.as_bytes()))
        .map_err(|e| format!("writing {ADMIN_PASSWORD_FILE}: {e}"))
}

/// `cargo xtask admin-password [PASSWORD]`: makes PASSWORD (else the saved one, else a
/// new one) the development admin's at the next `cargo xtask up`, which prints it.
pub fn admin_password(args: &[String]) -> Result<(), String> {
    let password = match args.first() {
        Some(password) => password.clone(),
        None => match std::fs::read_to_string(ADMIN_PASSWORD_FILE) {
            Ok(saved) => saved.trim().to_owned(),
            Err(_) => generated_password()?,
        },
    };
    save_admin_password(&password)?;
    std::fs::write(ADMIN_RESET_MARKER, b"").map_err(|e| e.to_string())?;
    eprintln!(
        "xtask: saved in {ADMIN_PASSWORD_FILE}; the next `cargo xtask up` makes it the development admin's password"
    );
    Ok(())
}

/// `cargo xtask seed`: demo data in the system `cargo xtask up` runs (the bench's seeding
/// code, through the public API), then the logins.
pub fn seed() -> Result<(), String> {
    let built = Command::new("cargo")
        .args(["build", "--quiet", "--bin", "bench"])
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !built.success() {
        return Err("the build failed".into());
    }
    let email =
        std::env::var("BOOTSTRAP_ADMIN_EMAIL").unwrap_or_else(|_| "admin@example.com".into());
    let password = dev_admin_password()?;
    let seeded = Command::new(target_dir().join("debug").join("bench"))
        .arg("seed")
        .env("ADMIN_EMAIL", email)
        .env("ADMIN_PASSWORD", password)
        .status()
        .map_err(|e| format!("running the seeder: {e}"))?;
    if seeded.success() {
        Ok(())
    } else {
        Err("seeding failed (is `cargo xtask up` running?)".into())
    }
}

/// `cargo xtask reset [--yes]`: drops the services' local databases and their `.data/`
/// folders (keys, the admin password), after a confirmation unless `--yes`. The installed
/// tools and a private PostgreSQL cluster under `.data/` stay.
pub fn reset(args: &[String]) -> Result<(), String> {
    // Dropping the databases under running services turns every request into an error
    // until they are restarted: stop them first.
    let running: Vec<String> = SERVICES
        .iter()
        .filter(|s| http_status(s.port, "GET /health HTTP/1.0\r\n\r\n") != 0)
        .map(|s| format!("{} (port {})", s.name, s.port))
        .collect();
    if !running.is_empty() {
        return Err(format!(
            "{} still answer{}: stop `cargo xtask up` (Ctrl-C) before resetting; nothing was changed",
            running.join(", "),
            if running.len() == 1 { "s" } else { "" }
        ));
    }
    if !args.iter().any(|a| a == "--yes") {
        eprint!(
            "xtask: this drops the databases {} and the services' .data folders. Type yes to go on: ",
            SERVICES.map(|s| s.database).join(", ")
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| e.to_string())?;
        if answer.trim() != "yes" {
            return Err("nothing was changed (run with --yes to skip the question)".into());
        }
    }
    postgres::ensure()?;
    for service in &SERVICES {
        postgres::drop_database(service.database)?;
        let _ = std::fs::remove_dir_all(Path::new(".data").join(service.name));
    }
    let _ = std::fs::remove_file(ADMIN_PASSWORD_FILE);
    let _ = std::fs::remove_file(ADMIN_RESET_MARKER);
    eprintln!(
        "xtask: reset; `cargo xtask up` starts from empty databases with a new admin password"
    );
    Ok(())
}

/// Which process listens on `port`, from /proc (Linux): "pid 123 (name)".
fn listener_of(port: u16) -> Option<String> {
    let wanted = format!(":{port:04X}");
    let inode = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .find_map(|table| {
            let text = std::fs::read_to_string(table).ok()?;
            text.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let listening = fields.get(3) == Some(&"0A");
                let local = fields.get(1)?;
                (listening && local.ends_with(&wanted))
                    .then(|| fields.get(9).map(|s| s.to_string()))?
            })
        })?;
    let socket = format!("socket:[{inode}]");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let holds = std::fs::read_dir(entry.path().join("fd"))
                .ok()?
                .flatten()
                .any(|fd| {
                    std::fs::read_link(fd.path()).is_ok_and(|t| t.to_string_lossy() == socket)
                });
            holds.then(|| {
                let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                format!("pid {pid} ({})", name.trim())
            })
        })
}

/// Every port free, or which process holds which.
fn check_ports(services: &[&Service]) -> Result<(), String> {
    let taken: Vec<String> = services
        .iter()
        .filter(|s| std::net::TcpListener::bind(("127.0.0.1", s.port)).is_err())
        .map(|s| {
            let holder = listener_of(s.port).unwrap_or_else(|| "another process".into());
            format!("port {} ({}) is in use by {holder}", s.port, s.name)
        })
        .collect();
    if taken.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}; is `cargo xtask up` already running? Stop it first",
            taken.join("; ")
        ))
    }
}

/// The status of `request` (a whole HTTP/1.0 request) sent to 127.0.0.1:`port`; 0 when
/// nothing answers. The launcher has no HTTP client of its own: these are its only calls.
fn http_status(port: u16, request: &str) -> u16 {
    use std::io::Write;
    let answered = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut stream| {
        stream.write_all(request.as_bytes())?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply)
    });
    answered
        .ok()
        .and_then(|reply| reply.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn forward_lines(stream: impl Read + Send + 'static, prefix: String) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            println!("{prefix} {line}");
        }
    });
}

/// Whether 127.0.0.1:`port` answers `/health` with 200 within `timeout`.
fn wait_for_health(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if http_status(port, "GET /health HTTP/1.0\r\n\r\n") == 200 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// The admin exists with another password (`.data/` removed while the databases stayed):
/// the printed one would answer 401, so say so and how to fix it.
fn warn_if_admin_password_is_stale(email: &str, password: &str) {
    let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
    let login = format!(
        "POST /auth/login HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if http_status(8001, &login) == 401 {
        eprintln!(
            "xtask: that password does NOT log in: the admin was created earlier with another one \
             (was .data/ removed while the databases stayed?). Run `cargo xtask admin-password` \
             and start again to make the saved one work, or `cargo xtask reset` to start over."
        );
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
    check_ports(&services)?;
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
    let notifications_secret = dev_notifications_secret()?;
    let prescriptions_secret = dev_prescriptions_secret()?;
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
        if std::env::var_os("CORS_ALLOWED_ORIGINS").is_none() {
            command.env("CORS_ALLOWED_ORIGINS", DEV_CORS_ORIGINS);
        }
        // E-mail notifications: appointment-service signs its events to auth-service's
        // inbox with a development secret; mail itself stays off until SMTP_URL is set.
        if std::env::var_os("NOTIFICATIONS_WEBHOOK_SECRET").is_none() {
            command.env("NOTIFICATIONS_WEBHOOK_SECRET", &notifications_secret);
        }
        if service.name == "appointment-service"
            && std::env::var_os("NOTIFICATIONS_WEBHOOK_URL").is_none()
        {
            command.env(
                "NOTIFICATIONS_WEBHOOK_URL",
                "http://127.0.0.1:8001/internal/events",
            );
        }
        // Cancelled visits: appointment-service signs them to prescription-service's inbox.
        if std::env::var_os("PRESCRIPTIONS_WEBHOOK_SECRET").is_none() {
            command.env("PRESCRIPTIONS_WEBHOOK_SECRET", &prescriptions_secret);
        }
        if service.name == "appointment-service"
            && std::env::var_os("PRESCRIPTIONS_WEBHOOK_URL").is_none()
        {
            command.env(
                "PRESCRIPTIONS_WEBHOOK_URL",
                "http://127.0.0.1:8003/internal/events",
            );
        }
        if service.name == "auth-service" {
            command
                .env("BOOTSTRAP_ADMIN_EMAIL", &admin_email)
                .env("BOOTSTRAP_ADMIN_PASSWORD", &admin_password);
            if Path::new(ADMIN_RESET_MARKER).exists() {
                command.env("BOOTSTRAP_ADMIN_RESET", "true");
            }
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
        children.push((service.name, child));
        // The others fetch auth-service's keys at start: let it come up first.
        if service.name == "auth-service" {
            wait_for_health(service.port, Duration::from_secs(60));
            let _ = std::fs::remove_file(ADMIN_RESET_MARKER);
        }
    }
    let unready: Vec<&str> = services
        .iter()
        .filter(|s| !wait_for_health(s.port, Duration::from_secs(60)))
        .map(|s| s.name)
        .collect();
    if unready.is_empty() {
        for service in &services {
            eprintln!(
                "xtask: {:>width$} http://127.0.0.1:{}/ (docs: /docs/)",
                service.name, service.port
            );
        }
        eprintln!("xtask: development admin: {admin_email} / {admin_password}");
        warn_if_admin_password_is_stale(&admin_email, &admin_password);
        eprintln!("xtask: ready; press Ctrl-C to stop");
    } else {
        eprintln!(
            "xtask: not ready after 60 s: {} (see their logs above); press Ctrl-C to stop",
            unready.join(", ")
        );
    }

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

/// The development secret appointment-service signs its events to auth-service with,
/// generated once (0600) under `.data`.
fn dev_notifications_secret() -> Result<String, String> {
    dev_webhook_secret(Path::new(".data/dev-notifications-secret"))
}

/// The one it signs cancelled visits to prescription-service with.
fn dev_prescriptions_secret() -> Result<String, String> {
    dev_webhook_secret(Path::new(".data/dev-prescriptions-secret"))
}

fn dev_webhook_secret(path: &Path) -> Result<String, String> {
    use std::io::Read;
    if let Ok(secret) = std::fs::read_to_string(path) {
        return Ok(secret.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    // Hex is inside base64's alphabet, and 64 characters decode to 48 bytes.
    let secret = format!(
        "whsec_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::create_dir_all(".data").map_err(|e| e.to_string())?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .and_then(|mut file| file.write_all(secret.as_bytes()))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(secret)
}
