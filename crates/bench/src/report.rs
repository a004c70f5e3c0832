//! The markdown table, with the targets, and `docs/benchmarks.md`.

use crate::ceilings::Ceilings;
use crate::load::{CONNECTIONS, Measured, SECONDS, THREADS};
use crate::seed::Seeded;

/// (workload, minimum req/s, maximum p99 in ms) from the product's performance targets.
fn target(name: &str, ceilings: &Ceilings) -> Option<(f64, Option<f64>)> {
    match name {
        "GET /health" => Some((40_000.0, None)),
        "GET /doctors/" => Some((5_000.0, Some(25.0))),
        "GET /appointments (patient)" => Some((4_000.0, Some(25.0))),
        "POST /appointments" => Some((0.3 * ceilings.insert_tps, Some(25.0))),
        "POST /auth/login" => Some((0.85 * ceilings.argon2_per_second, None)),
        _ => None,
    }
}

pub fn render(results: &[Measured], memory: &[(&str, f64)], ceilings: &Ceilings) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s after a 3 s warm-up; services, PostgreSQL and wrk share this machine.\n\n"
    ));
    out.push_str("| workload | service | req/s | p50 ms | p99 ms | errors | target | met |\n|---|---|---|---|---|---|---|---|\n");
    for r in results {
        let (target_text, met) = match target(r.name, ceilings) {
            Some((rate, p99)) => {
                let met = r.requests_per_second >= rate
                    && p99.is_none_or(|limit| r.p99_ms <= limit)
                    && r.errors == 0;
                let p99_text = p99.map(|l| format!(", p99 <= {l} ms")).unwrap_or_default();
                (
                    format!(">= {rate:.0} req/s{p99_text}"),
                    if met { "yes" } else { "**no**" },
                )
            }
            None => ("-".to_owned(), "-"),
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} |\n",
            r.name,
            r.service,
            r.requests_per_second,
            r.p50_ms,
            r.p99_ms,
            r.errors,
            target_text,
            met
        ));
    }
    out.push_str(
        "\nCPU per request during each run, in milliseconds (all cores; from /proc):\n\n\
         | workload | services | PostgreSQL | rest (wrk, kernel) | machine busy |\n|---|---|---|---|---|\n",
    );
    for r in results {
        out.push_str(&format!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.0}% |\n",
            r.name,
            r.cpu.service_ms,
            r.cpu.postgres_ms,
            r.cpu.rest_ms,
            r.cpu.machine_busy * 100.0
        ));
    }
    out.push_str("\n| service | peak RSS (MiB) | target |\n|---|---|---|\n");
    for (name, mib) in memory {
        out.push_str(&format!(
            "| {name} | {mib:.1} | < 60 ({}) |\n",
            if *mib < 60.0 { "met" } else { "**not met**" }
        ));
    }
    let rate = |name: &str| {
        results
            .iter()
            .find(|r| r.name == name)
            .map_or(0.0, |r| r.requests_per_second)
    };
    out.push_str(&format!(
        "\n| ceiling (same run) | value |\n|---|---|\n| pgbench single-row INSERT, 8 clients | {:.0} tps |\n| argon2id hashes/s, all cores | {:.1} |\n| booking / INSERT ceiling | {:.2} (target >= 0.30) |\n| login / argon2 ceiling | {:.2} (target >= 0.85) |\n",
        ceilings.insert_tps,
        ceilings.argon2_per_second,
        rate("POST /appointments") / ceilings.insert_tps.max(1.0),
        rate("POST /auth/login") / ceilings.argon2_per_second.max(1.0),
    ));
    out
}

const READING: &str = "## Reading this run";

pub fn write(table: &str, seeded: &Seeded) -> anyhow::Result<()> {
    let doc = format!(
        "# Benchmarks\n\nProduced by `cargo xtask bench` on {} (UTC), on this project's 2-core machine kind.\nData seeded through the API first: {}.\n\n{table}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        seeded.summary()
    );
    // The hand-written reading of the numbers survives a rerun, to be revised against them.
    let reading = std::fs::read_to_string("docs/benchmarks.md")
        .ok()
        .and_then(|old| old.find(READING).map(|at| old[at..].to_owned()))
        .unwrap_or_default();
    let doc = if reading.is_empty() {
        doc
    } else {
        format!("{doc}\n{reading}")
    };
    std::fs::create_dir_all("docs")?;
    std::fs::write("docs/benchmarks.md", doc)?;
    Ok(())
}
