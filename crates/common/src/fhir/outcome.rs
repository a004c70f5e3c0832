//! Errors under `/fhir` as FHIR `OperationOutcome`s: every problem+json answer a FHIR
//! request gets (from a handler, an extractor, the auth check or an unknown path) is
//! rewritten here with the same status and headers, so a FHIR client parses one shape.

use super::FHIR_JSON;
use crate::error::{PROBLEM_CONTENT_TYPE, Problem};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = OperationOutcome)]
pub struct OperationOutcome {
    /// Always `OperationOutcome`.
    #[serde(rename = "resourceType")]
    #[schema(value_type = String)]
    pub resource_type: &'static str,
    pub issue: Vec<Issue>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Issue {
    /// `error` (or `fatal` for a server fault)
    #[schema(value_type = String)]
    pub severity: &'static str,
    /// The FHIR issue type for the status (`not-found`, `login`, `invalid`...)
    #[schema(value_type = String)]
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    /// The parameter an invalid value was given in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<String>,
}

/// The FHIR issue type (R4 `issue-type` value set) that says what `status` says.
fn issue_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "login",
        403 => "forbidden",
        404 | 410 => "not-found",
        405 | 406 | 415 => "not-supported",
        408 | 504 => "timeout",
        409 => "conflict",
        413 | 414 | 431 => "too-long",
        429 => "throttled",
        502 | 503 => "transient",
        400..=499 => "invalid",
        _ => "exception",
    }
}

impl OperationOutcome {
    pub fn from_problem(problem: Problem, status: StatusCode) -> Self {
        let severity = if status.is_server_error() {
            "fatal"
        } else {
            "error"
        };
        let code = issue_code(status);
        let mut issue: Vec<Issue> = problem
            .errors
            .into_iter()
            .map(|field| Issue {
                severity,
                code,
                diagnostics: Some(format!("{} {}", field.field, field.message)),
                expression: vec![field.field],
            })
            .collect();
        if issue.is_empty() {
            issue.push(Issue {
                severity,
                code,
                diagnostics: Some(problem.detail.unwrap_or(problem.title)),
                expression: Vec::new(),
            });
        }
        Self {
            resource_type: "OperationOutcome",
            issue,
        }
    }
}

/// Whether `path` is one of the FHIR endpoints.
pub fn is_fhir_path(path: &str) -> bool {
    path == super::BASE_PATH
        || path
            .strip_prefix(super::BASE_PATH)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Middleware: rewrites the problem+json answers of FHIR paths as OperationOutcomes.
pub async fn rewrite_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !is_fhir_path(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(error) => return Err(error),
    };
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_CONTENT_TYPE.as_bytes());
    if !is_problem {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let status = res.status();
    let (mut head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let problem: Problem = serde_json::from_slice(&bytes).unwrap_or(Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: None,
        errors: Vec::new(),
        conflicts: Vec::new(),
    });
    let outcome = OperationOutcome::from_problem(problem, status);
    head.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    let body = serde_json::to_vec(&outcome).unwrap_or_default();
    let res = head.set_body(BoxBody::new(body));
    Ok(ServiceResponse::new(req, res))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    #[test]
    fn only_the_fhir_base_and_what_is_under_it_are_fhir_paths() {
        assert!(is_fhir_path("/fhir"));
        assert!(is_fhir_path("/fhir/Patient/1"));
        assert!(!is_fhir_path("/fhirst"));
        assert!(!is_fhir_path("/users/fhir"));
    }

    #[test]
    fn each_invalid_field_is_an_issue_naming_its_parameter() {
        let problem = Problem {
            kind: "about:blank".into(),
            title: "Unprocessable Entity".into(),
            status: 422,
            detail: None,
            errors: vec![FieldError::new("date", "must be a date")],
            conflicts: Vec::new(),
        };
        let outcome = OperationOutcome::from_problem(problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(outcome.issue.len(), 1);
        assert_eq!(outcome.issue[0].code, "invalid");
        assert_eq!(outcome.issue[0].expression, ["date"]);
    }
}
