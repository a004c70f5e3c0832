//! Workloads driven by wrk (2 threads, 32 connections) from its own process. Each request
//! comes from a prepared list, so writes never repeat (every booking takes a free slot,
//! every prescription its own appointment).

use crate::seed::{self, Seeded};
use crate::services::Urls;
use anyhow::{Context, bail};
use serde_json::json;
use std::path::Path;
use std::process::Command;

pub const CONNECTIONS: u32 = 32;
pub const THREADS: u32 = 2;
pub const SECONDS: u32 = 10;
const WARMUP_SECONDS: u32 = 3;

pub struct Workload {
    pub name: &'static str,
    pub service: &'static str,
    base_url: String,
    lines: Vec<String>,
    /// Writes: the warm-up takes its requests from the front, the run the rest.
    consumes: bool,
}

pub struct Measured {
    pub name: &'static str,
    pub service: &'static str,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    /// CPU per request during the measured run (all three services together).
    pub cpu: crate::cpu::Usage,
}

fn line(method: &str, path: &str, token: &str, body: &str) -> String {
    format!("{method}\t{path}\t{token}\t{body}")
}

pub fn workloads(urls: &Urls, seeded: &Seeded, _work: &Path) -> anyhow::Result<Vec<Workload>> {
    let get = |path: String, token: &str| line("GET", &path, token, "");
    let patients = &seeded.patients;
    let doctors = &seeded.doctors;
    let bookings = (0..seed::BOOKABLE)
        .map(|i| {
            let body = json!({
                "doctor_id": doctors[i % doctors.len()].id,
                "appointment_time": seed::slot(seeded.bookable_from, i).to_rfc3339(),
            });
            line(
                "POST",
                "/appointments",
                &patients[i % patients.len()].token,
                &body.to_string(),
            )
        })
        .collect();
    let prescriptions = seeded
        .prescribable
        .iter()
        .map(|(token, appointment)| {
            let body = json!({ "appointment_id": appointment, "medicines": seed::medicines() });
            line("POST", "/prescriptions", token, &body.to_string())
        })
        .collect();
    Ok(vec![
        Workload {
            name: "GET /health",
            service: "appointment-service",
            base_url: urls.appointment.clone(),
            lines: vec![get("/health".into(), "")],
            consumes: false,
        },
        Workload {
            name: "GET /doctors/",
            service: "appointment-service",
            base_url: urls.appointment.clone(),
            lines: vec![get("/doctors/".into(), "")],
            consumes: false,
        },
        Workload {
            name: "GET /doctors/{id}/slots",
            service: "appointment-service",
            base_url: urls.appointment.clone(),
            lines: doctors
                .iter()
                .map(|d| {
                    get(
                        format!("/doctors/{}/slots?date={}", d.id, seeded.slots_date),
                        "",
                    )
                })
                .collect(),
            consumes: false,
        },
        Workload {
            // A patient app's two-week calendar: fourteen days in one request.
            name: "GET /doctors/{id}/slots (14 days)",
            service: "appointment-service",
            base_url: urls.appointment.clone(),
            lines: doctors
                .iter()
                .map(|d| {
                    get(
                        format!(
                            "/doctors/{}/slots?from={}&to={}",
                            d.id, seeded.slots_date, seeded.slots_until
                        ),
                        "",
                    )
                })
                .collect(),
            consumes: false,
        },
        Workload {
            name: "GET /appointments (patient)",
            service: "appointment-service",
            base_url: urls.appointment.clone(),
            lines: patients
                .iter()
                .map(|p| get("/appointments".into(), &p.token))
                .collect(),
            consumes: false,
        },
        Workload {
            name: "GET /prescriptions/{id}",
            service: "prescription-service",
            base_url: urls.prescription.clone(),
            lines: vec![get(
                format!("/prescriptions/{}", seeded.prescription_id),
                &seeded.prescription_patient.token,
            )],
            consumes: false,
        },
        Workload {
            name: "POST /auth/login",
            service: "auth-service",
            base_url: urls.auth.clone(),
            lines: patients
                .iter()
                .map(|p| {
                    line(
                        "POST",
                        "/auth/login",
                        "",
                        &json!({ "email": p.email, "password": "Bench-Pass-1" }).to_string(),
                    )
                })
                .collect(),
            consumes: false,
        },
        Workload {
            name: "POST /appointments",
            service: "appointment-service",
            base_url: urls.appointment.clone(),
            lines: bookings,
            consumes: true,
        },
        Workload {
            name: "POST /prescriptions",
            service: "prescription-service",
            base_url: urls.prescription.clone(),
            lines: prescriptions,
            consumes: true,
        },
    ])
}

const SCRIPT: &str = r#"
local requests = {}
local counter = 0
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  local step = tonumber(args[2])
  local lines = {}
  for l in io.lines(args[1]) do table.insert(lines, l) end
  -- Threads share the lines out; with fewer lines than threads every thread takes them
  -- all, or a thread's connections would sit idle (and earn the server's 408).
  if #lines < step then step = 1 end
  for n, l in ipairs(lines) do
    if step == 1 or (n - 1) % step == id then
      local method, path, token, body = l:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if token ~= "" then headers["Authorization"] = "Bearer " .. token end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
  end
end
function request()
  counter = counter + 1
  return requests[((counter - 1) % #requests) + 1]
end
"#;

fn wrk(base_url: &str, script: &Path, requests: &Path, seconds: u32) -> anyhow::Result<String> {
    let output = Command::new("wrk")
        .args([
            format!("-t{THREADS}"),
            format!("-c{CONNECTIONS}"),
            format!("-d{seconds}s"),
            "--latency".into(),
            "-s".into(),
            script.display().to_string(),
            base_url.to_owned(),
            "--".into(),
            requests.display().to_string(),
            THREADS.to_string(),
        ])
        .output()
        .context("running wrk (apt-get install wrk)")?;
    if !output.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn millis(value: &str) -> f64 {
    let number: f64 = value
        .trim_end_matches(|c: char| c.is_alphabetic())
        .parse()
        .unwrap_or(f64::NAN);
    match value.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.') {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => f64::NAN,
    }
}

fn parse(workload: &Workload, output: &str, cpu: crate::cpu::Usage) -> Measured {
    let field = |prefix: &str| {
        output
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_default()
            .to_owned()
    };
    let socket_errors: u64 = output
        .lines()
        .find(|l| l.trim().starts_with("Socket errors:"))
        .map(|l| {
            l.split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Measured {
        name: workload.name,
        service: workload.service,
        requests_per_second: field("Requests/sec:").parse().unwrap_or(0.0),
        p50_ms: millis(&field("50%")),
        p99_ms: millis(&field("99%")),
        errors: field("Non-2xx or 3xx responses:")
            .parse::<u64>()
            .unwrap_or(0)
            + socket_errors,
        cpu,
    }
}

pub fn run(workload: &Workload, work: &Path, service_pids: &[u32]) -> anyhow::Result<Measured> {
    let script = work.join("requests.lua");
    std::fs::write(&script, SCRIPT)?;
    let slug: String = workload
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let (warmup_lines, run_lines) = if workload.consumes {
        let split = workload.lines.len() / 5;
        (&workload.lines[..split], &workload.lines[split..])
    } else {
        (&workload.lines[..], &workload.lines[..])
    };
    let warmup_file = work.join(format!("{slug}.warmup.txt"));
    let run_file = work.join(format!("{slug}.txt"));
    std::fs::write(&warmup_file, warmup_lines.join("\n"))?;
    std::fs::write(&run_file, run_lines.join("\n"))?;
    wrk(&workload.base_url, &script, &warmup_file, WARMUP_SECONDS)?;
    let before = crate::cpu::sample(service_pids);
    let output = wrk(&workload.base_url, &script, &run_file, SECONDS)?;
    let after = crate::cpu::sample(service_pids);
    std::fs::write(work.join(format!("{slug}.wrk.txt")), &output)?;
    let requests = output
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0);
    Ok(parse(
        workload,
        &output,
        crate::cpu::usage(&before, &after, requests),
    ))
}
