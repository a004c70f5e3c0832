//! `cargo xtask bench`: starts the three services (release builds) on fresh databases,
//! seeds realistic data through the public API, drives each workload with wrk from a
//! separate process (2 threads, 32 connections, a warm-up, then 10 s), measures this
//! machine's ceilings (pgbench single-row INSERT, argon2id hashes/s) and prints a markdown
//! table, also written to `docs/benchmarks.md`.

mod ceilings;
mod cpu;
mod load;
mod report;
mod seed;
mod services;
mod settle;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
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
