//! The checks every service runs on its OpenAPI document.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// Every route the service registers (its own and the platform's) is in `doc`, with the
/// bearer security scheme and the problem schema; a trailing-slash twin of a documented
/// path counts as documented.
pub fn assert_documents_every_route(doc: &Value, routes: &[(&str, &str)]) {
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    let paths = doc["paths"].as_object().expect("paths");
    let normalize = |p: &str| p.trim_end_matches('/').to_owned();
    for (method, path) in routes.iter().chain(common::openapi::PLATFORM_ROUTES) {
        let documented = paths
            .iter()
            .any(|(p, item)| normalize(p) == normalize(path) && item.get(*method).is_some());
        assert!(
            documented,
            "{method} {path} is registered but not documented"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

/// The service's own `/openapi.json`, asserting it is served.
pub async fn fetch_document(api: &impl crate::api::Api) -> Value {
    let res = api
        .client()
        .get(api.url("/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    res.json().await.expect("the document is JSON")
}

/// No two operations share an `operationId`: generated clients name their functions by it.
pub fn assert_operation_ids_are_unique(doc: &Value) {
    let mut seen = std::collections::HashMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(id) = operation["operationId"].as_str() else {
                panic!("{method} {path} has no operationId");
            };
            if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                panic!("operationId {id} is used by {other} and {method} {path}");
            }
        }
    }
}

/// An executable of the Python test tools `cargo xtask test` installs (`python` is their
/// interpreter, with authlib and requests).
pub fn python_tool(name: &str) -> PathBuf {
    let tools = std::env::var_os("PYTHON_TOOLS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data/python-tools/bin"),
        PathBuf::from,
    );
    let tool = tools.join(name);
    assert!(
        tool.exists(),
        "{name} is not installed: `cargo xtask test` installs it (PyPI)"
    );
    tool
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} refused the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The document passes `openapi-spec-validator` and `openapi-python-client` generates a
/// client from it without a warning and without configuration: what a client developer's
/// tooling will do first.
pub fn assert_client_generators_accept(doc: &Value, service: &str) {
    let dir = generated_client(doc, &service.replace('-', "_"));
    let _ = std::fs::remove_dir_all(dir.parent().expect("the client's temp dir"));
}

/// The Python package `openapi-python-client` generates from `doc` (with no configuration
/// and no warning allowed), named `package`; its parent directory goes on `PYTHONPATH`.
pub fn generated_client(doc: &Value, package: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openapi-{package}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(doc).expect("json")).expect("write");
    run(
        Command::new(python_tool("openapi-spec-validator")).arg(&file),
        "openapi-spec-validator",
    );
    let generator = python_tool("openapi-python-client");
    // It formats what it generates with ruff, installed beside it.
    let tools = generator.parent().expect("tools dir").to_owned();
    let path = std::env::join_paths(std::iter::once(tools).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let client = dir.join(package);
    run(
        Command::new(&generator)
            .env("PATH", path)
            .args(["generate", "--fail-on-warning", "--meta", "none", "--path"])
            .arg(&file)
            .arg("--output-path")
            .arg(&client),
        "openapi-python-client",
    );
    client
}

/// Values at and past the ends of what a parameter of each kind can hold.
fn extremes(schema: &Value) -> &'static [&'static str] {
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (_, Some("date")) => &["-262143-01-01", "+262142-12-31", "0000-01-01", "9999-12-31"],
        (_, Some("date-time")) => &[
            "-4714-01-01T00:00:00",
            "-262143-01-01T00:00:00Z",
            "+262142-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ],
        (Some("integer" | "number"), _) => &[
            "-9223372036854775809",
            "-9223372036854775808",
            "-1",
            "0",
            "2147483648",
            "9223372036854775807",
            "99999999999999999999999",
        ],
        _ => &[],
    }
}

/// The schema of a parameter, looking through `oneOf`/`anyOf` with null (optional ones).
fn parameter_schema(parameter: &Value) -> Value {
    let schema = &parameter["schema"];
    for key in ["oneOf", "anyOf"] {
        if let Some(real) = schema[key]
            .as_array()
            .and_then(|options| options.iter().find(|s| s["type"] != "null"))
        {
            return real.clone();
        }
    }
    if let Some(types) = schema["type"].as_array() {
        let mut real = schema.clone();
        real["type"] = types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or_default();
        return real;
    }
    schema.clone()
}

/// The check below on the service's own document, as an admin, a doctor and a patient.
pub async fn assert_extreme_parameters_are_client_errors_for_every_role(
    api: &impl crate::api::Api,
) {
    let doc = fetch_document(api).await;
    for role in [
        common::Role::Admin,
        common::Role::Doctor,
        common::Role::Patient,
    ] {
        assert_extreme_parameters_are_client_errors(api, &doc, &crate::api::caller(role)).await;
    }
}

/// Every GET route's date, time and number query parameter, fed each extreme value in
/// turn (path ids are a fresh UUID), as `who`: no answer may be a 5xx.
pub async fn assert_extreme_parameters_are_client_errors(
    api: &impl crate::api::Api,
    doc: &Value,
    who: &(impl crate::api::Bearer + ?Sized),
) {
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(operation) = item.get("get") else {
            continue;
        };
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for parameter in parameters.iter().filter(|p| p["in"] == "query") {
            let name = parameter["name"].as_str().expect("parameter name");
            for value in extremes(&parameter_schema(parameter)) {
                let url = format!("{concrete}?{name}={}", value.replace('+', "%2B"));
                let res = api.get(&url, who).await;
                assert!(
                    res.status().as_u16() < 500,
                    "GET {url} answered {}: {}",
                    res.status(),
                    res.text().await.unwrap_or_default()
                );
                tried += 1;
            }
        }
    }
    assert!(
        tried > 0,
        "the document has no date, time or number parameter"
    );
}
