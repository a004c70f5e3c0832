//! Where each workload's CPU goes: the services' processes, PostgreSQL's, and the rest of
//! the machine (wrk, the kernel's network stack), from /proc before and after the run.
//! On a machine where all of them share two cores, this is the profile that says which
//! side a target is waiting on.

use std::path::Path;

/// Clock ticks (USER_HZ) of CPU time.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    services: Vec<u64>,
    postgres: u64,
    busy: u64,
    total: u64,
}

/// CPU milliseconds per request, by where they were spent, and how busy the machine was.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub service_ms: f64,
    pub postgres_ms: f64,
    pub rest_ms: f64,
    pub machine_busy: f64,
}

const TICKS_PER_SECOND: f64 = 100.0;

fn process_ticks(stat_path: &Path) -> Option<u64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn postgres_ticks() -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| {
            std::fs::read_to_string(entry.path().join("comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .filter_map(|entry| process_ticks(&entry.path().join("stat")))
        .sum()
}

fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let values: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

pub fn sample(service_pids: &[u32]) -> Sample {
    let (busy, total) = machine_ticks();
    Sample {
        services: service_pids
            .iter()
            .map(|pid| {
                process_ticks(&Path::new("/proc").join(pid.to_string()).join("stat")).unwrap_or(0)
            })
            .collect(),
        postgres: postgres_ticks(),
        busy,
        total,
    }
}

/// Per request between two samples; `service` indexes the workload's own service.
pub fn usage(before: &Sample, after: &Sample, requests: f64) -> Usage {
    let ms = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1000.0 / requests.max(1.0);
    let services: u64 = after
        .services
        .iter()
        .zip(&before.services)
        .map(|(a, b)| a.saturating_sub(*b))
        .sum();
    let postgres = after.postgres.saturating_sub(before.postgres);
    let busy = after.busy.saturating_sub(before.busy);
    let total = after.total.saturating_sub(before.total);
    Usage {
        service_ms: ms(services),
        postgres_ms: ms(postgres),
        rest_ms: ms(busy.saturating_sub(services + postgres)),
        machine_busy: if total == 0 {
            0.0
        } else {
            busy as f64 / total as f64
        },
    }
}
