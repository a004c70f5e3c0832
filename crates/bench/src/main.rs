//! `cargo xtask bench`: starts the three services (release builds) on fresh databases,
//! seeds realistic data through the public API, drives each workload with wrk from a
//! separate process (2 threads, 32 connections, a warm-up, then 10 s), measures this
//! machine's ceilings (pgbench single-row INSERT, argon2id hashes/s) and prints a markdown
//! table, also written to `docs/benchmarks.md`.
//!
//! `bench seed` (what `cargo xtask seed` runs) instead fills an already running system
//! with demo data through the same seeding code (`AUTH_URL`, `APPOINTMENT_URL`,
//! `PRESCRIPTION_URL`, `ADMIN_EMAIL`, `ADMIN_PASSWORD`).

mod ceilings;
mod cpu;
mod demo;
mod load;
mod report;
mod seed;
mod services;
mod settle;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("seed") {
        return seed_demo();
    }
    let work = PathBuf::from("target/bench");
    std::fs::create_dir_all(&work)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    eprintln!("bench: measuring this machine's ceilings");
    let ceilings = ceilings::measure(&work)?;
    eprintln!("bench: starting the services (release)");
    let mut system = services::System::start(&work)?;
    let seeded = runtime.block_on(seed::seed(&system.urls))?;
    eprintln!("bench: seeded {}", seeded.summary());
    let databases: Vec<&str> = services::SERVICES.iter().map(|(_, _, db)| *db).collect();
    runtime.block_on(settle::settle(&system.urls, &databases))?;
    eprintln!("bench: settled (audit sealed, tables vacuumed and analysed)");
    let workloads = load::workloads(&system.urls, &seeded, &work)?;
    let mut results = Vec::new();
    for workload in &workloads {
        eprintln!("bench: {}", workload.name);
        results.push(load::run(workload, &work, &system.pids())?);
    }
    let memory = system.peak_rss();
    system.stop();
    let table = report::render(&results, &memory, &ceilings);
    println!("{table}");
    report::write(&table, &seeded)?;
    Ok(())
}

fn seed_demo() -> anyhow::Result<()> {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let urls = services::Urls {
        auth: var("AUTH_URL", "http://127.0.0.1:8001"),
        appointment: var("APPOINTMENT_URL", "http://127.0.0.1:8002"),
        prescription: var("PRESCRIPTION_URL", "http://127.0.0.1:8003"),
    };
    let email = var("ADMIN_EMAIL", "admin@example.com");
    let password = std::env::var("ADMIN_PASSWORD")
        .map_err(|_| anyhow::anyhow!("ADMIN_PASSWORD is required (cargo xtask seed passes it)"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let demo = runtime.block_on(demo::seed(&urls, &email, &password))?;
    print!("{}", demo.logins());
    Ok(())
}
