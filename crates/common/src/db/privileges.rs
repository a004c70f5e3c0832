//! The serving role's privileges. Migrations run as the tables' owner
//! (`DATABASE_MIGRATION_URL`); the service then serves as a role that owns nothing, so it
//! can neither disable the append-only triggers nor truncate, and holds on the
//! append-only tables only what appending needs: INSERT and SELECT.

use crate::config::Secret;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

/// The audit tables, append-only in every service.
pub const AUDIT_TABLES: [&str; 3] = ["audit_log", "audit_chain", "audit_checkpoints"];
/// diesel's record of applied migrations: the owner's business alone.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn current_user(conn: &mut PgConnection) -> QueryResult<String> {
    let rows: Vec<Name> = diesel::sql_query("SELECT current_user::text AS name").load(conn)?;
    Ok(rows.into_iter().next().map(|r| r.name).unwrap_or_default())
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// The statements that give `role` what a service needs and nothing more: read and write
/// every table but the append-only ones (insert and read only) and the migrations
/// record (read only); draw ids from sequences; no TRUNCATE, TRIGGER or REFERENCES.
pub fn grants(role: &str, append_only: &[&str]) -> String {
    let role = quoted(role);
    let append_only = append_only
        .iter()
        .map(|t| quoted(t))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "GRANT USAGE ON SCHEMA public TO {role};\n\
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};\n\
         REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role};\n\
         REVOKE UPDATE, DELETE ON {append_only} FROM {role};\n\
         REVOKE INSERT, UPDATE, DELETE ON {migrations} FROM {role};\n\
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};",
        migrations = quoted(MIGRATIONS_TABLE),
    )
}

/// After migrations: when the service serves as another role than the one that
/// migrated, grants that role its privileges (again at every start, so tables a new
/// migration added are covered), and warns if it owns tables, which would let it
/// disable the triggers whatever it was granted.
pub fn grant_serving_role(
    migration_url: &Secret,
    serving_url: &Secret,
    append_only: &[&str],
) -> anyhow::Result<()> {
    let mut serving = PgConnection::establish(serving_url.expose())
        .map_err(|e| anyhow::anyhow!("cannot connect with DATABASE_URL: {e}"))?;
    let role = current_user(&mut serving)?;
    let mut owner = PgConnection::establish(migration_url.expose())
        .map_err(|e| anyhow::anyhow!("cannot connect with DATABASE_MIGRATION_URL: {e}"))?;
    if current_user(&mut owner)? == role {
        return Ok(());
    }
    owner.transaction(|conn| conn.batch_execute(&grants(&role, append_only)))?;
    let owned: Vec<Name> = diesel::sql_query(
        "SELECT tablename::text AS name FROM pg_tables \
         WHERE schemaname = 'public' AND tableowner = current_user",
    )
    .load(&mut serving)?;
    if !owned.is_empty() {
        let tables: Vec<String> = owned.into_iter().map(|n| n.name).collect();
        tracing::warn!(role = %role, tables = %tables.join(","), "the serving role owns tables: it can disable their append-only triggers; let the migration role own them");
    }
    tracing::info!(role = %role, "serving role granted its privileges");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_so_a_role_name_cannot_inject() {
        let sql = grants(r#"svc"; DROP TABLE x; --"#, &["audit_log"]);
        assert!(sql.contains(r#""svc""; DROP TABLE x; --""#));
        assert!(sql.contains(r#"REVOKE UPDATE, DELETE ON "audit_log" FROM"#));
    }
}
