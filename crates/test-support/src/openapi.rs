//! The check every service runs on its OpenAPI document.

use serde_json::Value;

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
