//! The OpenAPI document: built from the handlers' `#[utoipa::path]`
//! attributes, served at `/api/v1/openapi.json` and committed as
//! `openapi/openapi.json` (a test fails when the two differ).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::Problem;

pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Between API",
        description = "Between supports people in therapy during the 167 hours a week they are not in the \
therapy room, and gives their therapist a safe window into the parts the client chooses to share.\n\n\
Conventions: JSON in and out; times are RFC 3339 in UTC, local times carry an IANA zone name; \
errors are `application/problem+json` (RFC 9457) with a stable `code`; lists are \
`{\"items\": [...], \"next_cursor\": string | null}` with cursor paging; every response carries \
`X-Request-Id`.",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only"),
    ),
    components(schemas(Problem, domain::FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Sign-up, login, tokens, email verification and passwords"),
        (name = "me", description = "The signed-in person: profile, access log, therapist link"),
        (name = "invitations", description = "How a therapist brings a client in"),
        (name = "journal", description = "A client's private journal, and sharing entries item by item"),
        (name = "practice", description = "A therapist's clients and what they share"),
        (name = "exercises", description = "Between-session exercises: the template library, assignments on a schedule in the client's time zone, responses, drafts, comments and adherence"),
        (name = "habits", description = "A client's habits: yes/no or numeric, on a frequency, checked in by local date, with a strength score, streaks and completion; therapists suggest habits and read the ones shared with them"),
        (name = "daily check-ins", description = "Mood, energy, sleep and tags once a day, a weekly summary, and sharing the series"),
        (name = "booking", description = "The free consultation: a therapist's booking profile, settings and availability in their own time zone, and the public profile and open slots anyone can see"),
        (name = "notifications", description = "Reminder settings (kinds, times, quiet hours, zone) and one-click unsubscribe"),
        (name = "admin", description = "Accounts, for administrators; never client content"),
        (name = "operations", description = "Liveness, readiness and metrics for operators and load balancers"),
    ),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login` or `/auth/refresh`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The complete document, as the running service serves it.
pub fn document() -> Document {
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    doc
}

/// The published contract: the document, finished (see [`crate::contract`]).
pub fn contract() -> Result<serde_json::Value, serde_json::Error> {
    let mut doc = serde_json::to_value(document())?;
    crate::contract::finish(&mut doc);
    Ok(doc)
}

/// The contract as committed: pretty JSON with a trailing newline.
pub fn document_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&contract()?).map(|json| json + "\n")
}
