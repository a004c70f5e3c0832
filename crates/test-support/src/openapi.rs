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

/// The directory of the Python test tools `cargo xtask test` installs.
fn python_tool(name: &str) -> PathBuf {
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
/// client from it without a warning: what a client developer's tooling will do first.
pub fn assert_client_generators_accept(doc: &Value, service: &str) {
    let dir = std::env::temp_dir().join(format!("openapi-{service}-{}", uuid::Uuid::new_v4()));
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
    run(
        Command::new(&generator)
            .env("PATH", path)
            .args(["generate", "--fail-on-warning", "--meta", "none", "--path"])
            .arg(&file)
            .arg("--output-path")
            .arg(dir.join("client")),
        "openapi-python-client",
    );
    let _ = std::fs::remove_dir_all(&dir);
}
