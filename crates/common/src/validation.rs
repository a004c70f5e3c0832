//! Validation that reports every bad field at once.
//!
//! Request bodies are parsed into a loose form whose fields are `Field<T>`: a field of the
//! wrong type does not abort parsing, it becomes `Field::Invalid`. A `Validator` then walks
//! the fields, turning each into a validated value or a `FieldError`, and answers 422 with
//! all of them together.

use crate::error::{ApiError, FieldError};
use chrono::Datelike;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// One field of a loosely parsed body. Use with `#[serde(default)]` so absence is `Missing`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Missing,
    Null,
    /// Present but not a `T`; holds serde's explanation.
    Invalid(String),
    Present(T),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Null);
        }
        Ok(match T::deserialize(value) {
            Ok(parsed) => Field::Present(parsed),
            Err(e) => Field::Invalid(e.to_string()),
        })
    }
}

/// A JSON body (taken whole, e.g. for an idempotency fingerprint) read as the form `T`;
/// a body of another shape is a 422.
pub fn parse_body<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::validation("body", format!("unexpected shape: {e}")))
}

#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A field that must be present and pass `parse`.
    pub fn required<T, U>(
        &mut self,
        field: &str,
        value: Field<T>,
        parse: impl FnOnce(T) -> Result<U, String>,
    ) -> Option<U> {
        match value {
            Field::Present(raw) => self.check(field, parse(raw)),
            Field::Missing | Field::Null => {
                self.push(field, "is required");
                None
            }
            Field::Invalid(why) => {
                self.push(field, why);
                None
            }
        }
    }

    /// A field that may be absent (or null); when present it must pass `parse`.
    /// `None` means it was invalid; `Some(None)` means it was absent.
    pub fn optional<T, U>(
        &mut self,
        field: &str,
        value: Field<T>,
        parse: impl FnOnce(T) -> Result<U, String>,
    ) -> Option<Option<U>> {
        match value {
            Field::Present(raw) => self.check(field, parse(raw)).map(Some),
            Field::Missing | Field::Null => Some(None),
            Field::Invalid(why) => {
                self.push(field, why);
                None
            }
        }
    }

    pub fn check<U>(&mut self, field: &str, result: Result<U, String>) -> Option<U> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.push(field, message);
                None
            }
        }
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }

    /// The 422 for what was collected. Called when some field came back `None`, which only
    /// happens after an error was pushed; the fallback keeps that invariant from panicking.
    pub fn into_error(self) -> ApiError {
        if self.errors.is_empty() {
            ApiError::validation("body", "is invalid")
        } else {
            ApiError::Validation(self.errors)
        }
    }
}

/// One line of `min` to `max` characters, trimmed: names, specialities, dosages. Control
/// characters (CR and LF above all) are refused, so no value can forge a line in a log, a
/// header or a printed prescription.
pub fn text(min: usize, max: usize) -> impl FnOnce(String) -> Result<String, String> {
    move |raw| {
        checked_text(
            raw,
            min,
            max,
            |c| c.is_control() || is_invisible_formatting(c),
            "must be a single line without control characters, bidirectional overrides or \
             invisible characters",
        )
    }
}

/// Characters that change how text around them is shown without being seen themselves:
/// zero-width characters, bidirectional marks, embeddings, overrides and isolates, line
/// and paragraph separators, word joiners and the byte-order mark. In a name they can
/// make "Dr. House" display as someone else, or reorder what a log line appears to say.
pub fn is_invisible_formatting(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

/// Free text such as notes: like `text`, but line breaks and tabs are allowed.
pub fn multiline_text(min: usize, max: usize) -> impl FnOnce(String) -> Result<String, String> {
    move |raw| {
        checked_text(
            raw,
            min,
            max,
            |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'),
            "must not contain control characters other than line breaks and tabs",
        )
    }
}

fn checked_text(
    raw: String,
    min: usize,
    max: usize,
    forbidden: impl Fn(char) -> bool,
    forbidden_message: &str,
) -> Result<String, String> {
    let trimmed = raw.trim();
    let length = trimmed.chars().count();
    if length < min || length > max {
        if min == 1 && length == 0 {
            Err(format!("must not be empty (at most {max} characters)"))
        } else {
            Err(format!("must be {min} to {max} characters long"))
        }
    } else if trimmed.chars().any(forbidden) {
        Err(forbidden_message.to_owned())
    } else {
        Ok(trimmed.to_owned())
    }
}

/// `limit` and `offset` of a list endpoint, after validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Paging {
    pub const DEFAULT_LIMIT: i64 = 50;
    pub const MAX_LIMIT: i64 = 200;

    /// Query values arrive as text so that a bad one is named rather than failing the whole query.
    pub fn parse(v: &mut Validator, limit: Option<&str>, offset: Option<&str>) -> Option<Paging> {
        let limit = match limit {
            None => Some(Self::DEFAULT_LIMIT),
            Some(raw) => v.check(
                "limit",
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                    .ok_or_else(|| format!("must be an integer from 1 to {}", Self::MAX_LIMIT)),
            ),
        };
        let offset = match offset {
            None => Some(0),
            Some(raw) => v.check(
                "offset",
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| "must be a non-negative integer".to_owned()),
            ),
        };
        Some(Paging {
            limit: limit?,
            offset: offset?,
        })
    }
}

/// An RFC 3339 timestamp; one without an offset is read as UTC.
pub fn timestamp(raw: String) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let parsed = parse_timestamp(raw.trim())?;
    if !YEARS.contains(&parsed.year()) {
        return Err(OUT_OF_RANGE.to_owned());
    }
    Ok(parsed)
}

/// Years a date or time may fall in. chrono reads years from -262143 to 262142, PostgreSQL
/// stores 4713 BC to 294276 AD and date arithmetic near either end overflows: a bound
/// well inside all three keeps such input a 422 instead of a 500 or a panic.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;
const OUT_OF_RANGE: &str = "must lie between the years 0001 and 9999";

/// What a timestamp may be, as a 422 says it: the rule as it is, offset optional.
pub const TIMESTAMP_RULE: &str = "must be a date and time: 2030-01-31T09:30:00Z or with an offset \
     (2030-01-31T10:30:00+01:00); without an offset (2030-01-31T09:30:00) it is read as UTC";

fn parse_timestamp(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(with_offset) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(with_offset.with_timezone(&chrono::Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
    .map(|naive| naive.and_utc())
    .ok_or_else(|| TIMESTAMP_RULE.to_owned())
}

/// A time of day, `HH:MM` or `HH:MM:SS`.
pub fn time_of_day(raw: String) -> Result<chrono::NaiveTime, String> {
    let raw = raw.trim();
    chrono::NaiveTime::parse_from_str(raw, "%H:%M:%S")
        .or_else(|_| chrono::NaiveTime::parse_from_str(raw, "%H:%M"))
        .map_err(|_| "must be a time of day, HH:MM or HH:MM:SS".to_owned())
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(raw: &str) -> Result<chrono::NaiveDate, String> {
    let parsed = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date, YYYY-MM-DD".to_owned())?;
    if !YEARS.contains(&parsed.year()) {
        return Err(OUT_OF_RANGE.to_owned());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_offset_is_utc_and_the_422_says_so() {
        let naive = timestamp("2030-01-31T09:30:00".into()).unwrap();
        assert_eq!(naive.to_rfc3339(), "2030-01-31T09:30:00+00:00");
        let refused = timestamp("31/01/2030 09:30".into()).unwrap_err();
        assert!(refused.contains("without an offset"), "{refused}");
        assert!(refused.contains("read as UTC"), "{refused}");
    }

    #[test]
    fn dates_and_times_outside_years_1_to_9999_are_refused_not_overflowed() {
        assert!(date("-262143-01-01").is_err());
        assert!(date("+262142-12-31").is_err());
        assert!(date("0000-12-31").is_err());
        assert!(date("0001-01-01").is_ok());
        assert!(date("9999-12-31").is_ok());
        assert!(timestamp("-4714-01-01T00:00:00".into()).is_err());
        assert!(timestamp("10000-01-01T00:00:00Z".into()).is_err());
        assert!(timestamp("9999-12-31T23:59:59Z".into()).is_ok());
    }

    #[test]
    fn a_timestamp_without_offset_is_utc_and_offsets_are_converted() {
        let utc = timestamp("2030-01-15T14:00:00Z".into()).unwrap();
        assert_eq!(timestamp("2030-01-15T14:00:00".into()).unwrap(), utc);
        assert_eq!(timestamp("2030-01-15T09:00:00-05:00".into()).unwrap(), utc);
        assert!(timestamp("yesterday".into()).is_err());
    }

    #[test]
    fn one_line_texts_refuse_bidi_overrides_separators_and_zero_width_characters() {
        for hidden in [
            '\u{202E}', '\u{2066}', '\u{2028}', '\u{2029}', '\u{200B}', '\u{FEFF}',
        ] {
            assert!(
                text(1, 100)(format!("Gregory{hidden}House")).is_err(),
                "{hidden:?}"
            );
        }
        assert_eq!(
            text(1, 100)("Zoë Ångström".into()),
            Ok("Zoë Ångström".to_owned())
        );
    }

    #[test]
    fn one_line_texts_refuse_line_breaks_and_notes_refuse_only_other_controls() {
        assert!(text(1, 100)("Eve\r\nINFO forged".into()).is_err());
        assert!(text(1, 100)("tab\there".into()).is_err());
        assert_eq!(text(1, 100)("  Eve  ".into()), Ok("Eve".to_owned()));
        assert!(multiline_text(0, 2000)("first\r\nsecond\tthird".into()).is_ok());
        assert!(multiline_text(0, 2000)("bell\u{7}".into()).is_err());
    }

    #[test]
    fn times_of_day_take_minutes_or_seconds() {
        assert_eq!(
            time_of_day("09:30".into()).unwrap(),
            chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
        assert_eq!(
            time_of_day("09:30:15".into()).unwrap(),
            chrono::NaiveTime::from_hms_opt(9, 30, 15).unwrap()
        );
        assert!(time_of_day("25:00".into()).is_err());
    }
}
