//! One service binary running as a child process: started with its environment, stopped,
//! killed, paused or restarted on the same port, its log kept in a file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Auth,
    Appointment,
    Prescription,
}

impl Service {
    pub fn binary(self) -> &'static str {
        match self {
            Service::Auth => "auth-service",
            Service::Appointment => "appointment-service",
            Service::Prescription => "prescription-service",
        }
    }
}

/// Where the service binaries are: `SERVICE_BIN_DIR`, else the workspace's debug build
/// (`cargo xtask test` builds them before running the suite).
pub fn binary_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SERVICE_BIN_DIR") {
        return PathBuf::from(dir);
    }
    crate::target_dir().join("debug")
}

/// A port nobody listens on right now. Another process could take it before the service
/// binds it; with ports from the kernel's ephemeral range that does not happen in practice.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// `n` distinct free ports: each listener is held until all are picked, so the kernel
/// cannot hand the same port out twice.
pub fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap_or_else(|e| panic!("no free port: {e}"))
        })
        .collect();
    listeners
        .iter()
        .map(|l| {
            l.local_addr()
                .map(|a| a.port())
                .unwrap_or_else(|e| panic!("no free port: {e}"))
        })
        .collect()
}

pub struct ServiceProcess {
    pub service: Service,
    pub port: u16,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap_or_else(|e| panic!("running kill: {e}"));
    assert!(status.success(), "kill -{name} {pid} failed");
}

impl ServiceProcess {
    pub fn new(service: Service, port: u16, env: Vec<(String, String)>, log: PathBuf) -> Self {
        Self {
            service,
            port,
            env,
            log,
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Starts the binary (appending to its log) and waits until `/health/ready` says 200.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name());
        let binary = binary_dir().join(self.service.binary());
        assert!(
            binary.exists(),
            "{} is missing: build the services first (`cargo xtask test` does)",
            binary.display()
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|e| panic!("{}: {e}", self.log.display()));
        let stderr = log
            .try_clone()
            .unwrap_or_else(|e| panic!("{}: {e}", self.log.display()));
        let child = Command::new(&binary)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PORT", self.port.to_string())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        self.child = Some(child);
        self.wait_ready().await;
    }

    fn name(&self) -> String {
        format!("{} on port {}", self.service.binary(), self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(Child::id)
            .unwrap_or_else(|| panic!("{} is not running", self.name()))
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let ready = format!("{}/health/ready", self.url());
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "{} exited with {status} while starting:\n{}",
                    self.name(),
                    self.log_text()
                );
            }
            let answered = client
                .get(&ready)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answered.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} did not become ready:\n{}", self.name(), self.log_text());
    }

    /// SIGKILL: the process dies at once, mid-whatever, like an OOM kill or a lost node.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, as an orchestrator stops a pod; `wait_exit` collects the status.
    pub fn terminate(&self) {
        signal(self.pid(), "TERM");
    }

    /// SIGSTOP: the process holds its sockets but answers nothing, like a hung node.
    pub fn pause(&self) {
        signal(self.pid(), "STOP");
    }

    pub fn resume(&self) {
        signal(self.pid(), "CONT");
    }

    /// Waits for the process to exit on its own (after `terminate`).
    pub async fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            let child = self
                .child
                .as_mut()
                .unwrap_or_else(|| panic!("{} is not running", self.service.binary()));
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {within:?}",
                self.name()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    pub fn remove_env(&mut self, name: &str) {
        self.env.retain(|(k, _)| k != name);
    }

    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_owned(), value.to_owned()));
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        // SIGKILL also ends a paused (SIGSTOPped) process.
        self.kill();
    }
}
