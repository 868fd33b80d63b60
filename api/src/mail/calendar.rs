//! The calendar part of an email: one VEVENT written by the `icalendar`
//! crate (RFC 5545 folding and TEXT escaping), with the values cleaned
//! first where the crate does not: a carriage return in a name, or a quote
//! or line break in a parameter such as `CN`, could otherwise start a new
//! content line (`\r\nATTENDEE:…`).

use domain::outbox::{CalendarEvent, CalendarMethod};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

/// The product identifier every invite carries.
pub const PRODUCT_ID: &str = "-//Between//Between//EN";

/// TEXT values (summary, description): line breaks become `\n` (escaped by
/// the writer), other control characters go.
fn text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// Values written as they are (UID, URL, addresses): no control characters.
fn raw_value(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).collect()
}

/// Parameter values (`CN`): no control characters and no double quotes,
/// which the writer would not escape.
fn parameter(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect()
}

fn party(key: &str, name: &str, email: &str) -> Property {
    Property::new(key, format!("mailto:{}", raw_value(email)))
        .add_parameter("CN", &parameter(name))
        .done()
}

/// Writes the invite: `METHOD`, one VEVENT with `UID`, `SEQUENCE`,
/// `DTSTAMP`, `DTSTART`/`DTEND` in UTC, organizer and attendee.
pub fn ics(event: &CalendarEvent) -> String {
    let mut vevent = Event::new();
    vevent
        .uid(&raw_value(&event.uid))
        .sequence(event.sequence)
        .timestamp(chrono::Utc::now())
        .starts(event.starts_at.0)
        .ends(event.ends_at.0)
        .summary(&text(&event.summary))
        .description(&text(&event.description))
        .status(match event.method {
            CalendarMethod::Request => EventStatus::Confirmed,
            CalendarMethod::Cancel => EventStatus::Cancelled,
        })
        .append_property(party(
            "ORGANIZER",
            &event.organizer.name,
            &event.organizer.email,
        ))
        .append_multi_property({
            let mut attendee = party("ATTENDEE", &event.attendee.name, &event.attendee.email);
            attendee
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("PARTSTAT", "ACCEPTED")
                .add_parameter("RSVP", "FALSE");
            attendee.done()
        });
    if let Some(url) = &event.url {
        vevent.url(&raw_value(url));
    }
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODUCT_ID))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", event.method.as_str()))
        .push(vevent.done());
    calendar.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::outbox::Party;
    use domain::Timestamp;

    fn event(name: &str) -> CalendarEvent {
        let start = chrono::DateTime::parse_from_rfc3339("2026-03-29T00:30:00Z")
            .map(|t| Timestamp(t.to_utc()))
            .unwrap_or_else(|_| Timestamp::now());
        CalendarEvent {
            method: CalendarMethod::Request,
            uid: "consultation-1@between.test".into(),
            sequence: 2,
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(15),
            summary: format!("Consultation with {name}"),
            description: "Line one\r\nLine two; with, punctuation".into(),
            url: Some("https://app.between.test/manage?token=abc".into()),
            organizer: Party {
                name: "Dr. Rivera".into(),
                email: "rivera@example.org".into(),
            },
            attendee: Party {
                name: name.into(),
                email: "ada@example.org".into(),
            },
        }
    }

    #[test]
    fn invites_carry_method_uid_sequence_and_utc_times() {
        let ics = ics(&event("Ada"));
        assert!(ics.contains("METHOD:REQUEST\r\n"), "{ics}");
        assert!(ics.contains("UID:consultation-1@between.test\r\n"), "{ics}");
        assert!(ics.contains("SEQUENCE:2\r\n"), "{ics}");
        assert!(ics.contains("DTSTART:20260329T003000Z\r\n"), "{ics}");
        assert!(ics.contains("DTEND:20260329T004500Z\r\n"), "{ics}");
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two\\; with\\, punctuation"));
        assert!(ics.lines().all(|l| l.len() <= 76), "{ics}");
    }

    #[test]
    fn line_breaks_and_quotes_in_names_cannot_add_lines() {
        let ics = ics(&event("Eve\r\nATTENDEE:mailto:x@evil.example\"; X=\"y"));
        let starts: Vec<&str> = ics
            .split("\r\n")
            .filter(|l| !l.starts_with(' '))
            .filter(|l| l.starts_with("ATTENDEE"))
            .collect();
        assert_eq!(starts.len(), 1, "{ics}");
        assert!(!ics.contains("\r\nATTENDEE:mailto:x@evil"), "{ics}");
        assert!(!ics.replace("\r\n", "").contains('\r'), "{ics}");
    }
}
