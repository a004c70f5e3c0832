//! One database per test, created from the service's embedded migrations and dropped
//! (with its connections) when the test ends, so no test sees another's data.

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

/// Plain TCP to the local server: no TLS handshake, and none of libpq's TLS state for a
/// test process to tear down while a connection is being made.
const LOCAL_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

/// An event as the outbox holds it.
#[derive(Debug, diesel::QueryableByName)]
pub struct OutboxEvent {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub id: String,
    /// Its `type`.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub data: serde_json::Value,
}

pub struct TestDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

/// Swaps the database name (the URL's path) and keeps any query string.
pub fn with_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut swapped = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        swapped.push('?');
        swapped.push_str(query);
    }
    swapped
}

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL").unwrap_or_else(|_| LOCAL_ADMIN_URL.into())
}

impl TestDatabase {
    /// An empty database with no migrations applied (for tests of startup itself).
    pub fn create_empty() -> Self {
        let admin_url = admin_url();
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url)
            .expect("PostgreSQL must answer at TEST_DATABASE_ADMIN_URL (see README)");
        diesel::sql_query(format!(r#"CREATE DATABASE "{name}""#))
            .execute(&mut admin)
            .expect("create test database");
        let url = with_db_name(&admin_url, &name);
        Self {
            admin_url,
            name,
            url,
        }
    }

    pub fn create(migrations: EmbeddedMigrations) -> Self {
        let db = Self::create_empty();
        PgConnection::establish(&db.url)
            .expect("connect to test database")
            .run_pending_migrations(migrations)
            .expect("migrate test database");
        db
    }

    /// A database as an earlier release left it: the migrations before the one whose
    /// version is `first_unapplied` (`2026-12-01-100008`), for tests that a later schema
    /// upgrades it in place.
    pub fn create_before(migrations: EmbeddedMigrations, first_unapplied: &str) -> Self {
        use diesel::migration::MigrationSource;
        let db = Self::create_empty();
        let mut conn = db.connect();
        diesel::migration::MigrationConnection::setup(&mut conn)
            .expect("create the migrations table");
        let target = first_unapplied.replace('-', "");
        let all = MigrationSource::<diesel::pg::Pg>::migrations(&migrations)
            .expect("read the embedded migrations");
        assert!(
            all.iter().any(|m| m.name().version().to_string() == target),
            "no migration {first_unapplied}"
        );
        for migration in all
            .iter()
            .filter(|m| m.name().version().to_string() < target)
        {
            conn.run_migration(migration.as_ref())
                .expect("apply an earlier migration");
        }
        db
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to test database")
    }

    /// The `n` of a `SELECT count(*) AS n ...`, straight from the database.
    pub fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(sql)
            .get_result::<Count>(&mut self.connect())
            .expect("count query")
            .n
    }

    /// Rows of `table`.
    pub fn count_rows(&self, table: &str) -> i64 {
        self.count(&format!("SELECT count(*) AS n FROM {table}"))
    }

    /// The events in the outbox (every event source has common's table), oldest first.
    pub fn outbox(&self) -> Vec<OutboxEvent> {
        diesel::sql_query(
            "SELECT id::text AS id, type AS kind, data FROM outbox_events ORDER BY seq",
        )
        .load(&mut self.connect())
        .expect("read the outbox")
    }

    /// The outbox's event types, in the order they were written.
    pub fn event_types(&self) -> Vec<String> {
        self.outbox().into_iter().map(|event| event.kind).collect()
    }

    /// Edits the newest audit event behind the append-only triggers, as a superuser could
    /// (every service's `audit_log` has the same shape).
    pub fn tamper_with_audit(&self) {
        let mut conn = self.connect();
        diesel::sql_query("SET session_replication_role = replica")
            .execute(&mut conn)
            .expect("bypass the triggers");
        diesel::sql_query(
            "UPDATE audit_log SET action = action || '.edited' \
             WHERE id = (SELECT max(id) FROM audit_log)",
        )
        .execute(&mut conn)
        .expect("tamper");
    }
}

/// A login role that owns nothing, to serve a service with as production should; the
/// database's owner migrates. Dropped with its privileges when the test ends.
pub struct ServingRole {
    admin_url: String,
    database_url: String,
    pub name: String,
    /// The test database, as this role.
    pub url: String,
}

/// `url` with its user and password replaced.
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let host_start = url[authority_start..]
        .find('@')
        .map_or(authority_start, |i| authority_start + i + 1);
    format!(
        "{}{user}:{password}@{}",
        &url[..authority_start],
        &url[host_start..]
    )
}

impl TestDatabase {
    /// A new role with LOGIN and no privileges on this database yet.
    pub fn serving_role(&self) -> ServingRole {
        let name = format!("serving_{}", uuid::Uuid::new_v4().simple());
        let password = uuid::Uuid::new_v4().simple().to_string();
        let mut admin = PgConnection::establish(&self.admin_url).expect("admin connection");
        diesel::sql_query(format!(
            "CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'"
        ))
        .execute(&mut admin)
        .expect("create the serving role");
        ServingRole {
            admin_url: self.admin_url.clone(),
            database_url: self.url.clone(),
            url: with_user(&self.url, &name, &password),
            name,
        }
    }
}

impl ServingRole {
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect as the serving role")
    }
}

impl Drop for ServingRole {
    fn drop(&mut self) {
        // Its privileges first (they live in the test database), then the role.
        if let Ok(mut conn) = PgConnection::establish(&self.database_url) {
            let _ =
                diesel::sql_query(format!(r#"DROP OWNED BY "{}""#, self.name)).execute(&mut conn);
        }
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(r#"DROP ROLE IF EXISTS "{}""#, self.name))
                .execute(&mut admin);
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // FORCE also closes the app's pooled connections (PostgreSQL 13+).
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#,
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{with_db_name, with_user};

    #[test]
    fn swaps_the_user_and_keeps_the_rest() {
        assert_eq!(
            with_user("postgres://postgres@h:5432/t1?sslmode=disable", "svc", "pw"),
            "postgres://svc:pw@h:5432/t1?sslmode=disable"
        );
        assert_eq!(
            with_user("postgres://h/t2", "svc", "pw"),
            "postgres://svc:pw@h/t2"
        );
    }

    #[test]
    fn swaps_the_database_and_keeps_the_query() {
        assert_eq!(
            with_db_name("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_db_name("postgres://h", "t2"), "postgres://h/t2");
    }
}
