//! One database per test, created from the service's embedded migrations and dropped
//! (with its connections) when the test ends, so no test sees another's data.

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

/// Plain TCP to the local server: no TLS handshake, and none of libpq's TLS state for a
/// test process to tear down while a connection is being made.
const LOCAL_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

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
    use super::with_db_name;

    #[test]
    fn swaps_the_database_and_keeps_the_query() {
        assert_eq!(
            with_db_name("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_db_name("postgres://h", "t2"), "postgres://h/t2");
    }
}
