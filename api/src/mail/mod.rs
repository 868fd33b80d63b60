//! Email: templates, composition and transports.
//!
//! Features never send directly: they queue a [`domain::outbox::NewEmail`]
//! naming a template and its data, in the same transaction as their change.
//! The worker ([`crate::jobs`]) renders and sends it.
//!
//! Emails carry minimal health information: no client-written text, mood or
//! clinical detail in any subject or body; a reminder says what and when,
//! never why.

mod templates;
mod transport;

pub use templates::{Rendered, Templates};
pub use transport::{Mailer, SendError, Transport};

use domain::ids::JobId;
use lettre::message::{header, Mailbox, MultiPart};
use lettre::Message;

/// Builds the message for a job: multipart text and HTML, a `Message-ID`
/// derived from the job id (so a retried send carries the same id and the
/// receiver can drop the duplicate) and the current `Date`.
pub fn compose(
    from: &Mailbox,
    id: JobId,
    recipient: &str,
    rendered: Rendered,
) -> Result<Message, String> {
    let to: Mailbox = recipient
        .parse()
        .map_err(|e| format!("invalid recipient address: {e}"))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .date_now()
        .header(header::MIME_VERSION_1_0)
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}
