//! Dates a test can book on without racing the clock.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

/// The first `weekday` at least a week from now.
pub fn next(weekday: Weekday) -> NaiveDate {
    let mut day = Utc::now().date_naive() + Duration::days(7);
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    day
}

/// `hh_mm` UTC on `day`.
pub fn at(day: NaiveDate, hh_mm: &str) -> DateTime<Utc> {
    let time = chrono::NaiveTime::parse_from_str(hh_mm, "%H:%M").expect("hh:mm");
    day.and_time(time).and_utc()
}

/// RFC 3339 to the second, as a client would send it.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
