//! The whole system as real processes: a fresh database per service, auth-service signing
//! with a key the harness also holds (to mint edge-case tokens), every log in a folder
//! that is printed when a test fails.

use crate::process::{Service, ServiceProcess, free_port, free_ports};
use std::path::PathBuf;
use test_support::db::TestDatabase;
use test_support::jwt::TestKey;

pub const ADMIN_EMAIL: &str = "resilience-admin@example.com";
pub const ADMIN_PASSWORD: &str = "Resilience-Admin-1";

pub struct System {
    pub auth: ServiceProcess,
    pub appointment: ServiceProcess,
    pub prescription: ServiceProcess,
    /// More instances started with `start_replica`, sharing their service's database.
    pub replicas: Vec<ServiceProcess>,
    pub key: TestKey,
    pub dir: PathBuf,
    databases: Vec<(Service, TestDatabase)>,
}

/// Settings every instance gets; a test adds its own with `SystemBuilder::env`.
fn common_env(ports: &[(Service, u16)], database_url: &str) -> Vec<(String, String)> {
    let url = |service: Service| {
        let port = ports
            .iter()
            .find(|(s, _)| *s == service)
            .map_or(0, |(_, p)| *p);
        format!("http://127.0.0.1:{port}")
    };
    [
        ("HOST", "127.0.0.1".to_owned()),
        ("DATABASE_URL", database_url.to_owned()),
        ("AUTH_SERVICE_URL", url(Service::Auth)),
        ("APPOINTMENT_SERVICE_URL", url(Service::Appointment)),
        ("PRESCRIPTION_SERVICE_URL", url(Service::Prescription)),
        ("RUST_LOG", "info".to_owned()),
        ("HTTP_WORKERS", "2".to_owned()),
        // Many logins and sign-ups from one address are the suite's arrangement, not an attack.
        ("LOGIN_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
        ("LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE", "0".to_owned()),
        ("LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "0".to_owned()),
        ("REGISTER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "0".to_owned()),
        ("JWKS_REFETCH_INTERVAL_SECONDS", "1".to_owned()),
        ("DB_ACQUIRE_TIMEOUT_MS", "1000".to_owned()),
        ("SHUTDOWN_TIMEOUT_SECONDS", "15".to_owned()),
        ("BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL.to_owned()),
        ("BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[derive(Default)]
pub struct SystemBuilder {
    env: Vec<(Option<Service>, String, String)>,
}

impl SystemBuilder {
    /// An extra setting for one service, or for all with `None`.
    pub fn env(mut self, service: Option<Service>, name: &str, value: &str) -> Self {
        self.env.push((service, name.to_owned(), value.to_owned()));
        self
    }

    pub async fn start(self) -> System {
        let dir = crate::target_dir()
            .join("resilience")
            .join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let key = TestKey::generate();
        let key_file = dir.join("signing-key.pem");
        std::fs::write(&key_file, &key.pem).unwrap_or_else(|e| panic!("writing key: {e}"));
        // prescription-service's own signing key, shared by its replicas as in production.
        let prescription_key_file = dir.join("prescription-signing-key.pem");
        std::fs::write(&prescription_key_file, TestKey::generate().pem)
            .unwrap_or_else(|e| panic!("writing key: {e}"));
        // One audit key for the system: replicas of a service must share theirs.
        let audit_key_file = dir.join("audit-key");
        std::fs::write(
            &audit_key_file,
            uuid::Uuid::new_v4().simple().to_string().repeat(2),
        )
        .unwrap_or_else(|e| panic!("writing the audit key: {e}"));

        let services = [Service::Auth, Service::Appointment, Service::Prescription];
        let ports: Vec<(Service, u16)> = services
            .iter()
            .copied()
            .zip(free_ports(services.len()))
            .collect();
        let databases: Vec<(Service, TestDatabase)> = services
            .iter()
            .map(|s| (*s, TestDatabase::create_empty()))
            .collect();
        let mut processes = ports
            .iter()
            .zip(&databases)
            .map(|((service, port), (_, db))| {
                let mut env = common_env(&ports, &db.url);
                env.push((
                    "AUDIT_KEY_FILE".into(),
                    audit_key_file.display().to_string(),
                ));
                if *service == Service::Auth {
                    env.push((
                        "JWT_PRIVATE_KEY_FILE".into(),
                        key_file.display().to_string(),
                    ));
                }
                if *service == Service::Prescription {
                    env.push((
                        "PRESCRIPTION_SIGNING_KEY_FILE".into(),
                        prescription_key_file.display().to_string(),
                    ));
                }
                for (only, name, value) in &self.env {
                    if only.is_none_or(|s| s == *service) {
                        env.retain(|(k, _)| k != name);
                        env.push((name.clone(), value.clone()));
                    }
                }
                let log = dir.join(format!("{}-{port}.log", service.binary()));
                ServiceProcess::new(*service, *port, env, log)
            });
        let (Some(auth), Some(appointment), Some(prescription)) =
            (processes.next(), processes.next(), processes.next())
        else {
            unreachable!("three services were configured");
        };
        let mut system = System {
            auth,
            appointment,
            prescription,
            replicas: Vec::new(),
            key,
            dir,
            databases,
        };
        // auth-service first: the others load its JWKS when they start.
        system.auth.start().await;
        system.appointment.start().await;
        system.prescription.start().await;
        system
    }
}

impl System {
    pub fn builder() -> SystemBuilder {
        SystemBuilder::default()
    }

    pub async fn start() -> System {
        Self::builder().start().await
    }

    pub fn instance(&mut self, service: Service) -> &mut ServiceProcess {
        match service {
            Service::Auth => &mut self.auth,
            Service::Appointment => &mut self.appointment,
            Service::Prescription => &mut self.prescription,
        }
    }

    pub fn database(&self, service: Service) -> &TestDatabase {
        self.databases
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, db)| db)
            .unwrap_or_else(|| unreachable!("every service has a database"))
    }

    /// Another instance of `service` on its own port and the same database: a replica.
    /// Returns its index in `replicas`.
    pub async fn start_replica(&mut self, service: Service) -> usize {
        let port = free_port();
        let log = self.dir.join(format!("{}-{port}.log", service.binary()));
        let mut env = self.instance(service).env().to_vec();
        // Replicas stand behind one public address, as behind a load balancer: their
        // links and auth-service's token issuer are that address, the first instance's.
        if !env.iter().any(|(name, _)| name == "PUBLIC_BASE_URL") {
            env.push(("PUBLIC_BASE_URL".to_owned(), self.instance(service).url()));
        }
        let mut replica = ServiceProcess::new(service, port, env, log);
        replica.start().await;
        self.replicas.push(replica);
        self.replicas.len() - 1
    }

    /// Runs SQL on a service's database (as the admin user) and returns the first column
    /// of the first row as text.
    pub fn query_scalar(&self, service: Service, sql: &str) -> String {
        use diesel::RunQueryDsl;
        use diesel::sql_types::Text;
        #[derive(diesel::QueryableByName)]
        struct Scalar {
            #[diesel(sql_type = Text)]
            value: String,
        }
        let mut conn = self.database(service).connect();
        let rows: Vec<Scalar> = diesel::sql_query(format!("SELECT ({sql})::text AS value"))
            .load(&mut conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().next().map(|r| r.value).unwrap_or_default()
    }

    pub fn count(&self, service: Service, table: &str) -> i64 {
        self.query_scalar(service, &format!("SELECT count(*) FROM {table}"))
            .parse()
            .unwrap_or(-1)
    }

    /// Runs SQL as the admin on the server's maintenance database (for faults that act on
    /// a whole database, like refusing its connections).
    pub fn admin_sql(&self, sql: &str) {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = diesel::PgConnection::establish(&test_support::db::admin_url())
            .unwrap_or_else(|e| panic!("admin connection: {e}"));
        diesel::sql_query(sql)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for System {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "service logs of the failed test are in {}",
                self.dir.display()
            );
            for process in [&self.auth, &self.appointment, &self.prescription]
                .into_iter()
                .chain(self.replicas.iter())
            {
                let text = process.log_text();
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                eprintln!("--- {} (last lines)", process.log_path().display());
                for line in tail.into_iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
        // Processes go before their databases, which drop with the fields.
        self.replicas.clear();
        self.auth.kill();
        self.appointment.kill();
        self.prescription.kill();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
