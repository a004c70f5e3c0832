//! Between seeding and measuring: a bulk import leaves work behind (audit events to
//! chain, tables autovacuum will want to analyse) that a clinic's steady state does not
//! carry. Doing it now keeps it out of the first workloads' numbers.

use crate::services::{ADMIN_EMAIL, ADMIN_PASSWORD, Urls, database_url};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::process::Command;

pub async fn settle(urls: &Urls, databases: &[&str]) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{}/auth/login", urls.auth))
        .json(&json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().context("admin login")?;
    // Verification seals everything pending first.
    for base in [&urls.auth, &urls.appointment, &urls.prescription] {
        let verified: Value = client
            .get(format!("{base}/admin/audit/verify"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        if verified["valid"] != true {
            bail!("{base}: the audit chain does not verify: {verified}");
        }
    }
    for database in databases {
        let status = Command::new("psql")
            .args([&database_url(database), "-qc", "VACUUM ANALYZE"])
            .status()
            .context("running psql")?;
        if !status.success() {
            bail!("VACUUM ANALYZE of {database} failed");
        }
    }
    Ok(())
}
