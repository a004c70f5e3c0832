//! The three services as release binaries on their own ports and fresh databases.

use anyhow::{Context, bail};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Urls {
    pub auth: String,
    pub appointment: String,
    pub prescription: String,
}

pub struct System {
    pub urls: Urls,
    children: Vec<(&'static str, Child)>,
}

pub const SERVICES: [(&str, u16, &str); 3] = [
    ("auth-service", 18001, "bench_auth"),
    ("appointment-service", 18002, "bench_appointment"),
    ("prescription-service", 18003, "bench_prescription"),
];

pub const ADMIN_EMAIL: &str = "bench-admin@example.com";
pub const ADMIN_PASSWORD: &str = "Bench-Admin-1";

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn database_url(name: &str) -> String {
    let admin = admin_url();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

pub fn psql(sql: &str) -> anyhow::Result<String> {
    let output = Command::new("psql")
        .args([admin_url().as_str(), "-qtAc", sql])
        .output()
        .context("running psql")?;
    if !output.status.success() {
        bail!("psql failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn wait_healthy(url: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ok = Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", &format!("{url}/health/ready")])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("{url} did not become ready")
}

impl System {
    pub fn start(work: &Path) -> anyhow::Result<Self> {
        let mut children = Vec::new();
        for (name, port, database) in SERVICES {
            psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
            psql(&format!("CREATE DATABASE {database}"))?;
            let log = std::fs::File::create(work.join(format!("{name}.log")))?;
            let child = Command::new(format!("target/release/{name}"))
                .env("PORT", port.to_string())
                .env("DATABASE_URL", database_url(database))
                .env("RUST_LOG", "warn")
                .env("LOGIN_RATE_LIMIT_PER_MINUTE", "0")
                .env("LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE", "0")
                .env("LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "0")
                .env("REGISTER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "0")
                .env("ACCESS_TOKEN_TTL_SECONDS", "7200")
                .env("BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
                .env("BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env("DATA_DIR", work.join(format!("{name}-data")))
                .env("AUTH_SERVICE_URL", "http://127.0.0.1:18001")
                .env("APPOINTMENT_SERVICE_URL", "http://127.0.0.1:18002")
                .env("PRESCRIPTION_SERVICE_URL", "http://127.0.0.1:18003")
                .stdout(Stdio::from(log.try_clone()?))
                .stderr(Stdio::from(log))
                .spawn()
                .with_context(|| format!("starting {name} (built with --release?)"))?;
            children.push((name, child));
            wait_healthy(&format!("http://127.0.0.1:{port}"))?;
        }
        Ok(Self {
            urls: Urls {
                auth: "http://127.0.0.1:18001".into(),
                appointment: "http://127.0.0.1:18002".into(),
                prescription: "http://127.0.0.1:18003".into(),
            },
            children,
        })
    }

    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(|(_, child)| child.id()).collect()
    }

    /// Peak resident memory of each service so far (VmHWM), in MiB.
    pub fn peak_rss(&self) -> Vec<(&'static str, f64)> {
        self.children
            .iter()
            .map(|(name, child)| {
                let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
                    .unwrap_or_default();
                let kib = status
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0);
                (*name, kib / 1024.0)
            })
            .collect()
    }

    pub fn stop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        for (_, child) in &mut self.children {
            let _ = child.wait();
        }
    }
}

impl Drop for System {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
        }
    }
}
