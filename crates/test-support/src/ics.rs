//! Calendars and mails read back by the clients people use: Python's `icalendar` (what
//! calendar tools build on) and Python's `email` with its default policy (a mail client's
//! MIME reading), so a test sees what a calendar app or a mail client would.

use serde_json::Value;

const READ_CALENDAR: &str = r#"
import sys, json
from icalendar import Calendar
calendar = Calendar.from_ical(sys.argv[1])
def event(e):
    return {
        "uid": str(e.get("uid")),
        "summary": str(e.get("summary")),
        "location": str(e["location"]) if "location" in e else None,
        "status": str(e.get("status")),
        "sequence": int(e.get("sequence", 0)),
        "start": e.decoded("dtstart").isoformat(),
        "end": e.decoded("dtend").isoformat(),
        "description": str(e["description"]) if "description" in e else None,
        "organizer": str(e["organizer"]) if "organizer" in e else None,
        "attendee": str(e["attendee"]) if "attendee" in e else None,
    }
print(json.dumps({
    "method": str(calendar["method"]) if "method" in calendar else None,
    "name": str(calendar["x-wr-calname"]) if "x-wr-calname" in calendar else None,
    "events": [event(e) for e in calendar.walk("VEVENT")],
}))
"#;

/// `ics` as `icalendar` reads it: `{method, name, events: [{uid, summary, location,
/// status, sequence, start, end (ISO 8601, UTC), description, organizer, attendee}]}`.
pub async fn read_calendar(ics: &str) -> Value {
    let printed = crate::python::run_script(READ_CALENDAR, vec![ics.to_owned()]).await;
    serde_json::from_str(&printed).expect("the reader's JSON")
}

const READ_MAIL: &str = r#"
import sys, json
from email import message_from_string, policy
message = message_from_string(sys.argv[1], policy=policy.default)
calendar = next((p for p in message.walk() if p.get_content_type() == "text/calendar"), None)
print(json.dumps({
    "subject": str(message["subject"]),
    "content_type": message.get_content_type(),
    "text": message.get_body(preferencelist=("plain",)).get_content(),
    "calendar_method": calendar.get_param("method") if calendar else None,
    "calendar": calendar.get_content() if calendar else None,
}))
"#;

/// A mail as sent (`SmtpSink`'s `raw`), as Python's `email` reads it: `{subject,
/// content_type, text, calendar_method, calendar}` (the `text/calendar` part, if any).
pub async fn read_mail(raw: &str) -> Value {
    let printed = crate::python::run_script(READ_MAIL, vec![raw.to_owned()]).await;
    serde_json::from_str(&printed).expect("the reader's JSON")
}
