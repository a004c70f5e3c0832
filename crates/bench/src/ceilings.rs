//! What this machine can do at best, measured in the same run: PostgreSQL single-row
//! INSERTs per second (pgbench, 8 clients) and argon2id hashes per second (all cores).

use crate::services::{database_url, psql};
use anyhow::{Context, bail};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Ceilings {
    pub insert_tps: f64,
    pub argon2_per_second: f64,
}

fn pgbench_insert_tps(work: &Path) -> anyhow::Result<f64> {
    psql("DROP DATABASE IF EXISTS bench_ceiling WITH (FORCE)")?;
    psql("CREATE DATABASE bench_ceiling")?;
    let url = database_url("bench_ceiling");
    let setup = Command::new("psql")
        .args([
            url.as_str(),
            "-qc",
            "CREATE TABLE t (id uuid PRIMARY KEY, body text, at timestamptz)",
        ])
        .status()?;
    if !setup.success() {
        bail!("creating the pgbench table failed");
    }
    let script = work.join("insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO t VALUES (gen_random_uuid(), 'x', now());\n",
    )?;
    let output = Command::new("pgbench")
        .args([
            "-n",
            "-c",
            "8",
            "-j",
            "2",
            "-T",
            "10",
            "-f",
            &script.display().to_string(),
            &url,
        ])
        .output()
        .context("running pgbench (postgresql-contrib)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps ="))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok())
        .context("no tps in pgbench output")?;
    psql("DROP DATABASE IF EXISTS bench_ceiling WITH (FORCE)")?;
    Ok(tps)
}

fn argon2_per_second() -> f64 {
    use argon2::password_hash::PasswordHasher;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let window = Duration::from_secs(5);
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                let mut hashes = 0u32;
                while started.elapsed() < window {
                    if argon2::Argon2::default()
                        .hash_password(b"Bench-Pass-1")
                        .is_ok()
                    {
                        hashes += 1;
                    }
                }
                hashes
            })
        })
        .collect();
    let total: u32 = handles.into_iter().filter_map(|h| h.join().ok()).sum();
    f64::from(total) / started.elapsed().as_secs_f64()
}

pub fn measure(work: &Path) -> anyhow::Result<Ceilings> {
    Ok(Ceilings {
        insert_tps: pgbench_insert_tps(work)?,
        argon2_per_second: argon2_per_second(),
    })
}
