//! Email: templates, composition and transports.
//!
//! Features never send directly: they queue a typed
//! [`domain::outbox::Outgoing`] in the same transaction as their change. The
//! worker ([`crate::jobs`]) renders the kind's template with its payload
//! and sends it, with a calendar invite when the kind carries one.
//!
//! Emails carry minimal health information: no client-written text, mood or
//! clinical detail in any subject or body; a reminder says what and when,
//! never why.

mod calendar;
mod templates;
mod transport;

pub use calendar::{ics, PRODUCT_ID};
pub use templates::{Rendered, Templates};
pub use transport::{Mailer, SendError, Transport};

use domain::ids::JobId;
use domain::outbox::CalendarEvent;
use lettre::message::header::ContentType;
use lettre::message::{header, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// Builds the message for a job: multipart text and HTML (and the calendar
/// invite, when there is one, as a `text/calendar` part whose `method`
/// parameter matches the invite's `METHOD`), a `Message-ID` derived from
/// the job id (so a retried send carries the same id and the receiver can
/// drop the duplicate) and the current `Date`. A reminder carries its
/// one-click unsubscribe URL in `List-Unsubscribe` with
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
pub fn compose(
    from: &Mailbox,
    id: JobId,
    recipient: &str,
    rendered: Rendered,
    invite: Option<&CalendarEvent>,
    unsubscribe: Option<&str>,
) -> Result<Message, String> {
    let to: Mailbox = recipient
        .parse()
        .map_err(|e| format!("invalid recipient address: {e}"))?;
    let domain = from.email.domain().to_owned();
    let mut body = MultiPart::alternative()
        .singlepart(SinglePart::plain(rendered.text))
        .singlepart(SinglePart::html(rendered.html));
    if let Some(event) = invite {
        let content_type = ContentType::parse(&format!(
            "text/calendar; method={}; charset=UTF-8",
            event.method.as_str()
        ))
        .map_err(|e| format!("cannot build the calendar part: {e}"))?;
        body = body.singlepart(
            SinglePart::builder()
                .header(content_type)
                .body(calendar::ics(event)),
        );
    }
    let mut builder = Message::builder();
    if let Some(url) = unsubscribe {
        if !url.is_ascii() || url.contains(['<', '>', '\r', '\n', ' ']) {
            // Not the URL itself: it carries the token.
            return Err(
                "the unsubscribe URL is unfit for a header (PUBLIC_BASE_URL must be plain ASCII)"
                    .into(),
            );
        }
        builder = builder
            .raw_header(header::HeaderValue::new(
                header::HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(header::HeaderValue::new(
                header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .from(from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .date_now()
        .header(header::MIME_VERSION_1_0)
        .multipart(body)
        .map_err(|e| format!("cannot build the message: {e}"))
}
