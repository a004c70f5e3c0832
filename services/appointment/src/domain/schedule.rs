//! A doctor's calendar in the doctor's own time zone, converted to UTC: the weekly rule or
//! a date's override, minus breaks and time off, within the notice and the horizon.
//! DST-correct: local 09:00 in America/New_York is 14:00Z in January and 13:00Z in July, a
//! local time skipped by a spring-forward change is never offered, and a 12:00 break is
//! at 12:00 local on the day the clocks change too.

use super::profile::{Availability, BookingPolicy, Break, format_time};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
};
use std::collections::BTreeMap;

/// A bookable slot: a span of the slot length on the doctor's grid.
pub type Slot = Span;

fn works_on(availability: &Availability, date: NaiveDate) -> bool {
    let weekday = u8::try_from(date.weekday().number_from_monday()).unwrap_or(0);
    availability.working_days.contains(&weekday)
}

/// One local date's hours, when the doctor works that date at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl Hours {
    /// Whether `[start, end)` lies wholly inside these hours of one local date in `zone`.
    pub fn contain(&self, zone: chrono_tz::Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let (local_start, local_end) = (start.with_timezone(&zone), end.with_timezone(&zone));
        local_start.time() >= self.from
            && local_end.date_naive() == local_start.date_naive()
            && local_end.time() <= self.to
            && local_end > local_start
    }
}

/// What a date override says about its date: other hours, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOverride {
    Open(Hours),
    Closed,
}

/// A range of instants, `[start, end)`: time off, a booked appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Span {
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.start < end && start < self.end
    }
}

/// Everything that decides whether a doctor takes a booking at a given time, loaded for the
/// days in question: the weekly rule with its breaks, the booking rules, the date overrides
/// and the time off. Slots, booking and rescheduling all ask `check`, so there is one copy
/// of the rules; what is already booked is the database's exclusion constraints' to refuse
/// (and `free_slots` leaves it out).
#[derive(Debug, Clone)]
pub struct Calendar {
    pub availability: Availability,
    pub policy: BookingPolicy,
    pub overrides: BTreeMap<NaiveDate, DayOverride>,
    pub time_off: Vec<Span>,
}

impl Calendar {
    /// The hours of the doctor's local `date`: its override, else the weekly rule.
    pub fn hours_on(&self, date: NaiveDate) -> Result<Hours, Unbookable> {
        match self.overrides.get(&date) {
            Some(DayOverride::Open(hours)) => Ok(*hours),
            Some(DayOverride::Closed) => Err(Unbookable::ClosedThatDay),
            None if works_on(&self.availability, date) => Ok(Hours {
                from: self.availability.available_from,
                to: self.availability.available_to,
            }),
            None => Err(Unbookable::DayOff),
        }
    }

    /// Whether an appointment `[start, start + length)` may be booked (or moved there) at
    /// `now`: its end, or the first rule it breaks.
    pub fn check(
        &self,
        start: DateTime<Utc>,
        length: Duration,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, Unbookable> {
        let policy = &self.policy;
        if start <= now {
            return Err(Unbookable::InThePast);
        }
        if start < now + Duration::minutes(i64::from(policy.min_notice_minutes)) {
            return Err(Unbookable::TooSoon(policy.min_notice_minutes));
        }
        if start > now + Duration::days(i64::from(policy.booking_horizon_days)) {
            return Err(Unbookable::BeyondHorizon(policy.booking_horizon_days));
        }
        let zone = self.availability.timezone;
        let end = start + length;
        let (local_start, local_end) = (start.with_timezone(&zone), end.with_timezone(&zone));
        let hours = self.hours_on(local_start.date_naive())?;
        if !hours.contain(zone, start, end) {
            return Err(Unbookable::OutsideHours(hours));
        }
        let (from, to) = (local_start.time(), local_end.time());
        if let Some(pause) = self
            .availability
            .breaks
            .iter()
            .find(|b| from < b.to && b.from < to)
        {
            return Err(Unbookable::DuringBreak(*pause));
        }
        if let Some(off) = self.time_off.iter().find(|off| off.overlaps(start, end)) {
            return Err(Unbookable::DuringTimeOff(*off));
        }
        Ok(end)
    }

    /// The slots of `date` (the doctor's local date) that `check` allows and that overlap
    /// nothing in `busy`, in order, in UTC.
    pub fn free_slots(&self, date: NaiveDate, busy: &[Span], now: DateTime<Utc>) -> Vec<Slot> {
        let Ok(hours) = self.hours_on(date) else {
            return Vec::new();
        };
        let length = Duration::minutes(i64::from(self.availability.slot_minutes));
        grid(&self.availability, date, hours)
            .into_iter()
            .filter(|slot| self.check(slot.start, length, now).is_ok())
            .filter(|slot| !busy.iter().any(|b| b.overlaps(slot.start, slot.end)))
            .collect()
    }
}

impl Calendar {
    /// The free slots of the doctor's local dates `first..=last`, in order.
    pub fn free_slots_between(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        busy: &[Span],
        now: DateTime<Utc>,
    ) -> Vec<Slot> {
        first
            .iter_days()
            .take_while(|day| *day <= last)
            .flat_map(|day| self.free_slots(day, busy, now))
            .collect()
    }
}

/// Every whole slot of `hours` on `date` (the doctor's local date), in order, in UTC: the
/// weekly rule's grid, anchored at the opening time.
fn grid(availability: &Availability, date: NaiveDate, hours: Hours) -> Vec<Slot> {
    let length = Duration::minutes(i64::from(availability.slot_minutes));
    // Seconds since local midnight: NaiveTime arithmetic wraps at midnight and would loop.
    let close = i64::from(hours.to.num_seconds_from_midnight());
    let step = length.num_seconds().max(60);
    let mut slots = Vec::new();
    let mut offset = i64::from(hours.from.num_seconds_from_midnight());
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

/// The first instant of the doctor's local `date`, in UTC (the earliest, if midnight
/// repeats; the first after it, if a change skips midnight).
fn local_midnight(zone: chrono_tz::Tz, date: NaiveDate) -> DateTime<Utc> {
    let mut time = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A zone that skips midnight starts its day at 01:00 (or later): step to the first hour
    // that exists.
    for _ in 0..4 {
        if let Some(t) = zone.from_local_datetime(&time).earliest() {
            return t.with_timezone(&Utc);
        }
        time += Duration::hours(1);
    }
    time.and_utc()
}

/// The doctor's local `date` as instants, `[midnight, next midnight)`.
pub fn local_day(availability: &Availability, date: NaiveDate) -> Span {
    let zone = availability.timezone;
    Span {
        start: local_midnight(zone, date),
        end: local_midnight(zone, date.succ_opt().unwrap_or(date)),
    }
}

/// The doctor's local dates `first..=last` as instants, for fetching what those days hold.
pub fn local_days(availability: &Availability, first: NaiveDate, last: NaiveDate) -> Span {
    Span {
        start: local_day(availability, first).start,
        end: local_day(availability, last).end,
    }
}

/// The furthest ahead anyone may ask about, whatever a doctor's horizon: a request for
/// slots ten years out is a mistake or a probe, not a patient.
pub const MAX_HORIZON_DAYS: i64 = 730;

/// Whether `date` lies beyond the furthest horizon any doctor may have, from `today`.
pub fn beyond_any_horizon(date: NaiveDate, today: NaiveDate) -> bool {
    date > today + Duration::days(MAX_HORIZON_DAYS)
}

/// Why a time cannot be booked; each names the rule in words a patient understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbookable {
    InThePast,
    /// Sooner than the doctor's minimum notice, in minutes.
    TooSoon(u32),
    /// Later than the doctor's booking horizon, in days.
    BeyondHorizon(u32),
    /// Not a working day of the weekly rule.
    DayOff,
    /// A date override closes that date.
    ClosedThatDay,
    OutsideHours(Hours),
    DuringBreak(Break),
    DuringTimeOff(Span),
}

impl Unbookable {
    pub fn message(&self, availability: &Availability) -> String {
        let zone = availability.timezone;
        match self {
            Self::InThePast => "must be in the future".to_owned(),
            Self::TooSoon(minutes) => format!(
                "is too soon: the doctor's notice is {minutes} minutes, so book at least that far ahead"
            ),
            Self::BeyondHorizon(days) => format!(
                "is beyond the doctor's booking horizon: bookings open at most {days} days ahead"
            ),
            Self::DayOff => format!(
                "falls on a day the doctor is closed (working days {:?}, {zone})",
                availability.working_days
            ),
            Self::ClosedThatDay => "falls on a date the doctor is closed".to_owned(),
            Self::OutsideHours(hours) => format!(
                "must lie wholly within the doctor's hours {}-{} that day ({zone})",
                format_time(hours.from),
                format_time(hours.to),
            ),
            Self::DuringBreak(pause) => format!(
                "falls in the doctor's break {}-{} ({zone})",
                format_time(pause.from),
                format_time(pause.to)
            ),
            Self::DuringTimeOff(off) => format!(
                "falls in the doctor's time off from {} to {}",
                off.start.to_rfc3339(),
                off.end.to_rfc3339()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn time(hh_mm: &str) -> NaiveTime {
        NaiveTime::parse_from_str(hh_mm, "%H:%M").unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// New York, every day 09:00-17:00, 30-minute slots, no notice, two years ahead.
    fn new_york() -> Calendar {
        Calendar {
            availability: Availability {
                timezone: chrono_tz::America::New_York,
                working_days: vec![1, 2, 3, 4, 5, 6, 7],
                ..Availability::default()
            },
            policy: BookingPolicy {
                min_notice_minutes: 0,
                booking_horizon_days: 730,
                ..BookingPolicy::default()
            },
            overrides: BTreeMap::new(),
            time_off: Vec::new(),
        }
    }

    const NOW: &str = "2031-01-01T00:00:00Z";

    fn slots(calendar: &Calendar, date: &str) -> Vec<Slot> {
        calendar.free_slots(day(date), &[], utc(NOW))
    }

    #[test]
    fn new_york_nine_oclock_follows_daylight_saving() {
        let january = slots(&new_york(), "2031-01-15");
        let july = slots(&new_york(), "2031-07-15");
        assert_eq!(january[0].start, utc("2031-01-15T14:00:00Z"));
        assert_eq!(july[0].start, utc("2031-07-15T13:00:00Z"));
        assert_eq!(january.len(), 16);
    }

    #[test]
    fn a_skipped_local_time_is_never_offered() {
        let mut night = new_york();
        night.availability.available_from = time("01:00");
        night.availability.available_to = time("04:00");
        night.availability.slot_minutes = 60;
        // 2031-03-09: clocks jump from 02:00 to 03:00 in New York.
        let starts: Vec<_> = slots(&night, "2031-03-09")
            .iter()
            .map(|s| s.start)
            .collect();
        assert_eq!(
            starts,
            [utc("2031-03-09T06:00:00Z"), utc("2031-03-09T07:00:00Z")]
        );
    }

    #[test]
    fn a_day_that_ends_at_midnight_ends() {
        let mut all_day = new_york();
        all_day.availability.available_from = time("00:00");
        all_day.availability.available_to = time("23:59");
        assert_eq!(slots(&all_day, "2031-01-15").len(), 47);
    }

    #[test]
    fn a_lunch_break_stays_at_local_noon_across_a_clock_change() {
        let mut lunch = new_york();
        lunch.availability.breaks = vec![Break {
            from: time("12:00"),
            to: time("13:00"),
        }];
        // 2031-03-09 is the spring-forward day: noon is 16:00Z, a day before it was 17:00Z.
        for (date, noon) in [
            ("2031-03-08", "2031-03-08T17:00:00Z"),
            ("2031-03-09", "2031-03-09T16:00:00Z"),
        ] {
            let starts: Vec<_> = slots(&lunch, date).iter().map(|s| s.start).collect();
            assert_eq!(starts.len(), 14, "{date}: two slots fewer");
            let noon = utc(noon);
            assert!(!starts.contains(&noon), "{date}: 12:00 is the break");
            assert!(!starts.contains(&(noon + Duration::minutes(30))));
            assert!(starts.contains(&(noon - Duration::minutes(30))));
            assert!(starts.contains(&(noon + Duration::hours(1))));
            let half_hour = Duration::minutes(30);
            assert_eq!(
                lunch.check(noon + Duration::minutes(15), half_hour, utc(NOW)),
                Err(Unbookable::DuringBreak(lunch.availability.breaks[0]))
            );
        }
    }

    #[test]
    fn booking_checks_hours_in_the_doctors_zone() {
        let hours = new_york();
        let now = utc(NOW);
        let half_hour = Duration::minutes(30);
        assert!(
            hours
                .check(utc("2031-01-15T14:00:00Z"), half_hour, now)
                .is_ok()
        );
        let nine_to_five = Unbookable::OutsideHours(Hours {
            from: time("09:00"),
            to: time("17:00"),
        });
        assert_eq!(
            hours.check(utc("2031-01-15T13:30:00Z"), half_hour, now),
            Err(nine_to_five.clone()),
            "08:30 local is before opening"
        );
        assert_eq!(
            hours.check(utc("2031-01-15T21:45:00Z"), half_hour, now),
            Err(nine_to_five),
            "16:45 local straddles closing"
        );
        assert_eq!(
            hours.check(utc("2030-12-31T14:00:00Z"), half_hour, now),
            Err(Unbookable::InThePast)
        );
    }

    #[test]
    fn an_override_replaces_the_weekly_rule_for_its_date_only() {
        let mut calendar = new_york();
        calendar.availability.working_days = vec![1, 2, 3, 4, 5];
        // 2031-01-18 is a Saturday; 2031-01-15 a Wednesday.
        calendar.overrides.insert(
            day("2031-01-18"),
            DayOverride::Open(Hours {
                from: time("10:00"),
                to: time("12:00"),
            }),
        );
        calendar
            .overrides
            .insert(day("2031-01-15"), DayOverride::Closed);
        assert_eq!(slots(&calendar, "2031-01-18").len(), 4);
        assert_eq!(
            slots(&calendar, "2031-01-18")[0].start,
            utc("2031-01-18T15:00:00Z")
        );
        assert!(slots(&calendar, "2031-01-15").is_empty());
        assert_eq!(slots(&calendar, "2031-01-16").len(), 16);
        assert!(
            slots(&calendar, "2031-01-25").is_empty(),
            "the next Saturday"
        );
    }

    #[test]
    fn notice_and_horizon_bound_the_start_to_the_minute() {
        let mut calendar = new_york();
        calendar.availability.available_from = time("00:00");
        calendar.availability.available_to = time("23:59");
        calendar.availability.slot_minutes = 5;
        calendar.policy.min_notice_minutes = 60;
        calendar.policy.booking_horizon_days = 1;
        let now = utc("2031-01-15T15:00:00Z");
        let five = Duration::minutes(5);
        let minute = Duration::minutes(1);
        let notice = now + Duration::minutes(60);
        assert!(calendar.check(notice, five, now).is_ok());
        assert_eq!(
            calendar.check(notice - minute, five, now),
            Err(Unbookable::TooSoon(60))
        );
        let horizon = now + Duration::days(1);
        assert!(calendar.check(horizon - minute, five, now).is_ok());
        assert_eq!(
            calendar.check(horizon + minute, five, now),
            Err(Unbookable::BeyondHorizon(1))
        );
    }

    #[test]
    fn time_off_removes_what_it_covers() {
        let mut calendar = new_york();
        calendar.time_off.push(Span {
            start: utc("2031-01-15T17:00:00Z"),
            end: utc("2031-01-15T18:15:00Z"),
        });
        let day_slots = slots(&calendar, "2031-01-15");
        assert_eq!(day_slots.len(), 13, "12:00-13:15 local takes three slots");
        assert!(
            day_slots
                .iter()
                .all(|s| !calendar.time_off[0].overlaps(s.start, s.end))
        );
    }

    #[test]
    fn a_local_day_runs_from_midnight_to_midnight() {
        let calendar = new_york();
        let summer_change = local_day(&calendar.availability, day("2031-03-09"));
        assert_eq!(summer_change.start, utc("2031-03-09T05:00:00Z"));
        assert_eq!(summer_change.end - summer_change.start, Duration::hours(23));
    }
}
