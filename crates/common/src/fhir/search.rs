//! Search values FHIR clients send: a parameter that may repeat (`date=ge2026-12-01&
//! date=lt2026-12-08`), and date values with a comparison prefix, read into the half-open
//! range `[from, to)` the native queries take.

use crate::validation::{Validator, date, timestamp};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The query string as `(name, value)` pairs, repeats kept in order; `None` when it is
/// not a form-encoded query at all.
pub fn pairs(query: &str) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_str(query).ok()
}

/// Every value given for `name`.
pub fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .collect()
}

/// The one value given for `name`; a repeat is refused (it would be ambiguous).
pub fn single<'a>(v: &mut Validator, pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    match values(pairs, name).as_slice() {
        [] => None,
        [one] => Some(one),
        _ => {
            v.push(name, "may be given once");
            None
        }
    }
}

/// A half-open range of instants; `None` ends are open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Range {
    fn narrow_from(&mut self, from: DateTime<Utc>) {
        self.from = Some(self.from.map_or(from, |f| f.max(from)));
    }

    fn narrow_to(&mut self, to: DateTime<Utc>) {
        self.to = Some(self.to.map_or(to, |t| t.min(to)));
    }
}

/// The instants a value covers: a whole UTC day for `YYYY-MM-DD`, one instant otherwise.
fn covered(raw: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    if raw.len() == 10 {
        let day: NaiveDate = date(raw)?;
        let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        return Ok((start, start + Duration::days(1)));
    }
    let at = timestamp(raw.to_owned()).map_err(|_| {
        "must be a date (YYYY-MM-DD) or a date-time, after ge, gt, le, lt or eq".to_owned()
    })?;
    Ok((at, at + Duration::microseconds(1)))
}

/// Every value of a date parameter (`ge`, `gt`, `le`, `lt`, `eq` or no prefix), all
/// holding at once.
pub fn date_range(v: &mut Validator, name: &str, raw: &[&str]) -> Option<Range> {
    let mut range = Range::default();
    for value in raw {
        let (prefix, rest) = match value.get(..2) {
            Some(p @ ("ge" | "gt" | "le" | "lt" | "eq")) => (p, &value[2..]),
            _ => ("eq", *value),
        };
        let (start, end) = match covered(rest) {
            Ok(bounds) => bounds,
            Err(message) => {
                v.push(name, message);
                return None;
            }
        };
        match prefix {
            "ge" => range.narrow_from(start),
            "gt" => range.narrow_from(end),
            "le" => range.narrow_to(end),
            "lt" => range.narrow_to(start),
            _ => {
                range.narrow_from(start);
                range.narrow_to(end);
            }
        }
    }
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_default()
    }

    #[test]
    fn prefixes_narrow_one_half_open_range() {
        let mut v = Validator::new();
        let range = date_range(&mut v, "date", &["ge2026-12-01", "lt2026-12-08"]);
        assert_eq!(
            range,
            Some(Range {
                from: Some(at("2026-12-01T00:00:00Z")),
                to: Some(at("2026-12-08T00:00:00Z")),
            })
        );
        let day = date_range(&mut v, "date", &["2026-12-01"]);
        assert_eq!(day.and_then(|r| r.to), Some(at("2026-12-02T00:00:00Z")));
        let after = date_range(&mut v, "date", &["gt2026-12-01"]);
        assert_eq!(after.and_then(|r| r.from), Some(at("2026-12-02T00:00:00Z")));
        assert!(v.is_valid());
    }

    #[test]
    fn a_value_that_is_no_date_is_named() {
        let mut v = Validator::new();
        assert_eq!(date_range(&mut v, "date", &["ge-tomorrow"]), None);
        assert!(!v.is_valid());
    }

    #[test]
    fn repeats_are_kept_and_a_single_parameter_refuses_them() {
        let pairs = pairs("date=ge2026-12-01&date=lt2026-12-08&status=booked").unwrap_or_default();
        assert_eq!(values(&pairs, "date"), ["ge2026-12-01", "lt2026-12-08"]);
        let mut v = Validator::new();
        assert_eq!(single(&mut v, &pairs, "status"), Some("booked"));
        assert_eq!(single(&mut v, &pairs, "date"), None);
        assert!(!v.is_valid());
    }
}
