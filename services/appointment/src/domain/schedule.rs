//! A doctor's day in the doctor's own time zone, converted to UTC. DST-correct: local
//! 09:00 in America/New_York is 14:00Z in January and 13:00Z in July, and a local time
//! skipped by a spring-forward change is never offered.

use super::profile::Availability;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Slot {
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.start < end && start < self.end
    }
}

fn works_on(availability: &Availability, date: NaiveDate) -> bool {
    let weekday = u8::try_from(date.weekday().number_from_monday()).unwrap_or(0);
    availability.working_days.contains(&weekday)
}

/// Every whole slot of `date` (the doctor's local date), in order, in UTC; `[]` on a day off.
pub fn day_slots(availability: &Availability, date: NaiveDate) -> Vec<Slot> {
    if !works_on(availability, date) {
        return Vec::new();
    }
    let length = Duration::minutes(i64::from(availability.slot_minutes));
    // Seconds since local midnight: NaiveTime arithmetic wraps at midnight and would loop.
    let close = i64::from(availability.available_to.num_seconds_from_midnight());
    let step = length.num_seconds().max(60);
    let mut slots = Vec::new();
    let mut offset = i64::from(availability.available_from.num_seconds_from_midnight());
    while offset + step <= close {
        let local = u32::try_from(offset)
            .ok()
            .and_then(|secs| NaiveTime::from_num_seconds_from_midnight_opt(secs, 0));
        let Some(local) = local else { break };
        let start = match availability
            .timezone
            .from_local_datetime(&date.and_time(local))
        {
            LocalResult::Single(start) => Some(start),
            // A repeated hour (autumn): the first occurrence is the one that comes first.
            LocalResult::Ambiguous(first, _) => Some(first),
            // A skipped hour (spring): that local time does not exist.
            LocalResult::None => None,
        };
        if let Some(start) = start {
            let start = start.with_timezone(&Utc);
            slots.push(Slot {
                start,
                end: start + length,
            });
        }
        offset += step;
    }
    slots
}

/// The UTC instants bounding the doctor's local `date`, for fetching that day's bookings.
pub fn day_bounds(availability: &Availability, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |d: NaiveDate| {
        availability
            .timezone
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
    };
    let next = date.succ_opt().unwrap_or(date);
    // A few hours of margin cover zones whose midnight itself is skipped.
    (
        midnight(date) - Duration::hours(3),
        midnight(next) + Duration::hours(3),
    )
}

/// How far ahead bookings open: two years covers any follow-up a clinic schedules, and
/// a request for slots ten years out is a mistake or a probe, not a patient.
pub const BOOKING_HORIZON_DAYS: i64 = 730;

/// Whether `date` lies beyond the booking horizon counted from `today`.
pub fn beyond_horizon(date: NaiveDate, today: NaiveDate) -> bool {
    date > today + Duration::days(BOOKING_HORIZON_DAYS)
}

/// Why a time cannot be booked; each names the rule in words a patient understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbookable {
    InThePast,
    BeyondHorizon,
    DayOff,
    OutsideHours,
}

impl Unbookable {
    pub fn message(&self, availability: &Availability) -> String {
        match self {
            Self::InThePast => "must be in the future".to_owned(),
            Self::BeyondHorizon => {
                format!("must be within the next {BOOKING_HORIZON_DAYS} days")
            }
            Self::DayOff => format!(
                "falls on a day the doctor does not work (working days {:?}, {})",
                availability.working_days, availability.timezone
            ),
            Self::OutsideHours => format!(
                "must lie wholly within the doctor's hours {}-{} ({})",
                super::profile::format_time(availability.available_from),
                super::profile::format_time(availability.available_to),
                availability.timezone
            ),
        }
    }
}

/// The end of an appointment starting at `start`, if the doctor takes bookings then:
/// in the future, on a working day, wholly inside the hours, all in the doctor's zone.
pub fn bookable_end(
    availability: &Availability,
    start: DateTime<Utc>,
    length: Duration,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Unbookable> {
    if start <= now {
        return Err(Unbookable::InThePast);
    }
    if beyond_horizon(start.date_naive(), now.date_naive()) {
        return Err(Unbookable::BeyondHorizon);
    }
    let local_start = start.with_timezone(&availability.timezone);
    let end = start + length;
    let local_end = end.with_timezone(&availability.timezone);
    if !works_on(availability, local_start.date_naive()) {
        return Err(Unbookable::DayOff);
    }
    let inside = local_start.time() >= availability.available_from
        && local_end.date_naive() == local_start.date_naive()
        && local_end.time() <= availability.available_to
        && local_end > local_start;
    if inside {
        Ok(end)
    } else {
        Err(Unbookable::OutsideHours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_york() -> Availability {
        Availability {
            timezone: chrono_tz::America::New_York,
            working_days: vec![1, 2, 3, 4, 5, 6, 7],
            ..Availability::default()
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn new_york_nine_oclock_follows_daylight_saving() {
        let january = day_slots(&new_york(), NaiveDate::from_ymd_opt(2031, 1, 15).unwrap());
        let july = day_slots(&new_york(), NaiveDate::from_ymd_opt(2031, 7, 15).unwrap());
        assert_eq!(january[0].start, utc("2031-01-15T14:00:00Z"));
        assert_eq!(july[0].start, utc("2031-07-15T13:00:00Z"));
        assert_eq!(january.len(), 16);
    }

    #[test]
    fn a_skipped_local_time_is_never_offered() {
        let mut night = new_york();
        night.available_from = NaiveTime::from_hms_opt(1, 0, 0).unwrap();
        night.available_to = NaiveTime::from_hms_opt(4, 0, 0).unwrap();
        night.slot_minutes = 60;
        // 2031-03-09: clocks jump from 02:00 to 03:00 in New York.
        let slots = day_slots(&night, NaiveDate::from_ymd_opt(2031, 3, 9).unwrap());
        let starts: Vec<_> = slots.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            [utc("2031-03-09T06:00:00Z"), utc("2031-03-09T07:00:00Z")]
        );
    }

    #[test]
    fn a_day_that_ends_at_midnight_ends() {
        let mut all_day = new_york();
        all_day.available_from = NaiveTime::from_hms_opt(0, 0, 0).unwrap();
        all_day.available_to = NaiveTime::from_hms_opt(23, 59, 0).unwrap();
        let slots = day_slots(&all_day, NaiveDate::from_ymd_opt(2031, 1, 15).unwrap());
        assert_eq!(slots.len(), 47);
    }

    #[test]
    fn booking_checks_hours_in_the_doctors_zone() {
        let hours = new_york();
        let now = utc("2031-01-01T00:00:00Z");
        let half_hour = Duration::minutes(30);
        assert!(bookable_end(&hours, utc("2031-01-15T14:00:00Z"), half_hour, now).is_ok());
        assert_eq!(
            bookable_end(&hours, utc("2031-01-15T13:30:00Z"), half_hour, now),
            Err(Unbookable::OutsideHours),
            "08:30 local is before opening"
        );
        assert_eq!(
            bookable_end(&hours, utc("2031-01-15T21:45:00Z"), half_hour, now),
            Err(Unbookable::OutsideHours),
            "16:45 local straddles closing"
        );
        assert_eq!(
            bookable_end(&hours, utc("2030-12-31T14:00:00Z"), half_hour, now),
            Err(Unbookable::InThePast)
        );
    }
}
