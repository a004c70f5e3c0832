//! Appointments as RFC 5545 events (contract part 3, section 15): one event for "add to
//! calendar", the same event inside the mails (iTIP `REQUEST` / `CANCEL`, RFC 5546), and a
//! private feed of many. appointment-service and auth-service's mails write the same
//! event, so a calendar that has it once updates it in place (same `UID`, higher
//! `SEQUENCE`) instead of showing two visits. Folding and escaping are icalendar's.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

/// The media type of every calendar answer and mail part.
pub const TEXT_CALENDAR: &str = "text/calendar";

/// What a calendar shows of one appointment; never its notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitEvent {
    /// `<appointment id>@<host>`: the same in the single event, the mail and the feed.
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub location: Option<String>,
    pub status: VisitStatus,
    /// Grows with each reschedule and status change (`appointments.calendar_sequence`).
    pub sequence: u32,
    /// When the appointment last changed (`DTSTAMP`, `LAST-MODIFIED`).
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitStatus {
    /// A hold not confirmed yet.
    Tentative,
    Confirmed,
    Cancelled,
}

/// Why a calendar is sent: published for reading (a download, a feed), or in a mail as an
/// invitation to add or update the event, or to remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Publish,
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Publish => "PUBLISH",
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// The clinic sending a mail and the person it goes to: an iTIP `REQUEST` or `CANCEL`
/// names both (RFC 5546 section 3.2), or mail clients will not offer to add it.
#[derive(Debug, Clone)]
pub struct Invitation<'a> {
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub attendee_email: &'a str,
}

/// The `UID` of an appointment's event: its id at `host` (`PUBLIC_BASE_URL`'s host of
/// appointment-service, which every copy of the event carries).
pub fn uid(appointment_id: impl std::fmt::Display, host: &str) -> String {
    format!("{appointment_id}@{host}")
}

/// A calendar of `events` (a feed; a single download), named `name` where a calendar app
/// shows one.
pub fn published(events: &[VisitEvent], name: Option<&str>) -> String {
    let mut calendar = Calendar::new();
    calendar.append_property(Property::new("METHOD", Method::Publish.as_str()));
    if let Some(name) = name {
        calendar.name(name);
    }
    for event in events {
        calendar.push(component(event));
    }
    calendar.done().to_string()
}

/// The mail part for `event`: `REQUEST` to add or update it, `CANCEL` to remove it.
pub fn invitation(event: &VisitEvent, method: Method, to: &Invitation<'_>) -> String {
    let mut vevent = component(event);
    vevent.append_property(
        Property::new("ORGANIZER", format!("mailto:{}", to.organizer_email))
            .add_parameter("CN", to.organizer_name)
            .done(),
    );
    vevent.append_property(
        Property::new("ATTENDEE", format!("mailto:{}", to.attendee_email))
            .add_parameter("ROLE", "REQ-PARTICIPANT")
            .add_parameter("PARTSTAT", "ACCEPTED")
            .done(),
    );
    let mut calendar = Calendar::new();
    calendar.append_property(Property::new("METHOD", method.as_str()));
    calendar.push(vevent);
    calendar.done().to_string()
}

fn component(event: &VisitEvent) -> Event {
    let mut vevent = Event::with_uid(&event.uid);
    vevent
        .timestamp(event.changed_at)
        .starts(event.start)
        .ends(event.end)
        .summary(&event.summary)
        .sequence(event.sequence)
        .status(match event.status {
            VisitStatus::Tentative => EventStatus::Tentative,
            VisitStatus::Confirmed => EventStatus::Confirmed,
            VisitStatus::Cancelled => EventStatus::Cancelled,
        })
        .add_property(
            "LAST-MODIFIED",
            event.changed_at.format("%Y%m%dT%H%M%SZ").to_string(),
        );
    if let Some(location) = &event.location {
        vevent.location(location);
    }
    vevent.done()
}

/// A private feed's secret (256 random bits, URL-safe) and the hash that is all we keep:
/// it is the only key to the feed, and a calendar app sends it with every poll.
pub fn new_feed_secret() -> anyhow::Result<(String, Vec<u8>)> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = feed_secret_hash(&secret);
    Ok((secret, hash))
}

/// A plain SHA-256 suffices: the secret has 256 bits of entropy, nothing to brute-force.
pub fn feed_secret_hash(secret: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes()).to_vec()
}
