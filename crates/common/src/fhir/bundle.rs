//! Searches: `_count`/`_offset` paging, references given as search values, and the
//! `searchset` Bundle with its total and its self/next/previous links.

use crate::validation::{Paging, Validator};
use serde::Serialize;

/// A search's page: `_count` 0 to 200 (default 50) results from `_offset` (default 0).
/// `_count=0`, like `_summary=count`, asks for the total alone (R4: a `searchset` with
/// `total` and no entries); other `_summary` values are not served and are ignored.
pub fn page(
    v: &mut Validator,
    count: Option<&str>,
    offset: Option<&str>,
    summary: Option<&str>,
) -> Option<Paging> {
    let count = match (count, summary) {
        (_, Some("count")) => Some(0),
        (None, _) => Some(Paging::DEFAULT_LIMIT),
        (Some(raw), _) => v.check(
            "_count",
            raw.parse::<i64>()
                .ok()
                .filter(|n| (0..=Paging::MAX_LIMIT).contains(n))
                .ok_or_else(|| format!("must be an integer from 0 to {}", Paging::MAX_LIMIT)),
        ),
    };
    let offset = match offset {
        None => Some(0),
        Some(raw) => v.check(
            "_offset",
            raw.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| "must be a non-negative integer".to_owned()),
        ),
    };
    Some(Paging {
        limit: count?,
        offset: offset?,
    })
}

/// The id in a reference search value: `Patient/<uuid>` (for `kind` Patient), an absolute
/// URL ending so, or the bare `<uuid>`.
pub fn referenced_id(raw: &str, kind: &str) -> Result<uuid::Uuid, String> {
    let id = match raw.rsplit_once('/') {
        Some((before, id)) if before == kind || before.ends_with(&format!("/{kind}")) => id,
        Some(_) => return Err(format!("must be {kind}/<id> or <id>")),
        None => raw,
    };
    uuid::Uuid::parse_str(id).map_err(|_| format!("must be {kind}/<id> with a UUID id"))
}

#[derive(Debug, Serialize)]
pub struct Bundle<R> {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    total: i64,
    link: Vec<Link>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    entry: Vec<Entry<R>>,
}

#[derive(Debug, Serialize)]
struct Link {
    relation: &'static str,
    url: String,
}

#[derive(Debug, Serialize)]
struct Entry<R> {
    #[serde(rename = "fullUrl")]
    full_url: String,
    resource: R,
    search: SearchMode,
}

#[derive(Debug, Serialize)]
struct SearchMode {
    mode: &'static str,
}

/// What a search found: one page of `(id, resource)` of `kind`, and the total before
/// paging. `base` is the service's FHIR base as the client reached it
/// (`http://host:8003/fhir`); `query` the search's own parameters, paging aside.
pub struct Found<R> {
    pub kind: &'static str,
    pub resources: Vec<(String, R)>,
    pub total: i64,
}

impl<R> Found<R> {
    /// The page `paging` asks for out of every match, found in memory.
    pub fn page_of(
        kind: &'static str,
        all: impl ExactSizeIterator<Item = (String, R)>,
        paging: Paging,
    ) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from(paging.offset).unwrap_or(usize::MAX);
        let take = usize::try_from(paging.limit).unwrap_or(0);
        Self {
            kind,
            resources: all.skip(skip).take(take).collect(),
            total,
        }
    }

    pub fn into_bundle(self, base: &str, query: &[(&str, String)], paging: Paging) -> Bundle<R> {
        let search = format!("{base}/{}", self.kind);
        let link_to = |offset: i64| {
            let mut pairs: Vec<(&str, String)> = query.to_vec();
            pairs.push(("_count", paging.limit.to_string()));
            pairs.push(("_offset", offset.to_string()));
            let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            format!("{search}?{encoded}")
        };
        let mut link = vec![Link {
            relation: "self",
            url: link_to(paging.offset),
        }];
        // A count alone (`_count=0`) has no pages to link to.
        if paging.limit > 0 && paging.offset.saturating_add(paging.limit) < self.total {
            link.push(Link {
                relation: "next",
                url: link_to(paging.offset.saturating_add(paging.limit)),
            });
        }
        if paging.limit > 0 && paging.offset > 0 {
            link.push(Link {
                relation: "previous",
                url: link_to((paging.offset - paging.limit).max(0)),
            });
        }
        let entry = self
            .resources
            .into_iter()
            .map(|(id, resource)| Entry {
                full_url: format!("{search}/{id}"),
                resource,
                search: SearchMode { mode: "match" },
            })
            .collect();
        Bundle {
            resource_type: "Bundle",
            kind: "searchset",
            total: self.total,
            link,
            entry,
        }
    }
}

/// The FHIR base of the service as clients reach it (`PUBLIC_BASE_URL/fhir`, else
/// `http://host:port/fhir` as the request came in).
pub fn base_url(req: &actix_web::HttpRequest) -> String {
    format!("{}{}", crate::http::public_base(req), super::BASE_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_taken_typed_absolute_or_bare_and_refused_as_another_type() {
        let id = uuid::Uuid::new_v4();
        assert_eq!(referenced_id(&format!("Patient/{id}"), "Patient"), Ok(id));
        let absolute = format!("https://ehr.example/fhir/Patient/{id}");
        assert_eq!(referenced_id(&absolute, "Patient"), Ok(id));
        assert_eq!(referenced_id(&id.to_string(), "Patient"), Ok(id));
        assert!(referenced_id(&format!("Practitioner/{id}"), "Patient").is_err());
        assert!(referenced_id("Patient/42", "Patient").is_err());
    }

    #[test]
    fn links_page_forward_and_back_and_stop_at_the_total() {
        let found = Found {
            kind: "MedicationRequest",
            resources: vec![("a".to_owned(), 1)],
            total: 5,
        };
        let paging = Paging {
            limit: 2,
            offset: 2,
        };
        let bundle = found.into_bundle("http://h/fhir", &[("status", "active".into())], paging);
        let links: Vec<(&str, &str)> = bundle
            .link
            .iter()
            .map(|l| (l.relation, l.url.as_str()))
            .collect();
        assert_eq!(
            links,
            [
                (
                    "self",
                    "http://h/fhir/MedicationRequest?status=active&_count=2&_offset=2"
                ),
                (
                    "next",
                    "http://h/fhir/MedicationRequest?status=active&_count=2&_offset=4"
                ),
                (
                    "previous",
                    "http://h/fhir/MedicationRequest?status=active&_count=2&_offset=0"
                ),
            ]
        );
        assert_eq!(
            bundle.entry[0].full_url,
            "http://h/fhir/MedicationRequest/a"
        );
    }

    #[test]
    fn the_largest_offset_has_no_next_page_and_does_not_overflow() {
        let found: Found<i32> = Found {
            kind: "MedicationRequest",
            resources: Vec::new(),
            total: 5,
        };
        let paging = Paging {
            limit: 200,
            offset: i64::MAX,
        };
        let bundle = found.into_bundle("http://h/fhir", &[], paging);
        assert!(bundle.link.iter().all(|l| l.relation != "next"));
    }
}
