//! The published contract: the document utoipa builds from the handlers,
//! finished in one place with what applies to many operations alike.
//!
//! - `servers`, and the shared response headers (`X-Request-Id` on every
//!   response, `WWW-Authenticate` on 401, `Retry-After` on 429, `ETag`,
//!   `Location`, `Idempotent-Replayed` where the handlers send them);
//! - the statuses any operation can answer, declared once in
//!   `components/responses` and referenced by every operation they apply
//!   to, so no operation answers a status its entry does not list;
//! - a `HEAD` operation for every `GET` (answered by the GET route);
//! - list pages that reference their item schema;
//! - every property of a response-only schema `required` (nullable where
//!   it can be null), except the few a response may leave out;
//! - the closed sets of problem and field error codes.

use serde_json::{json, Map, Value};

use crate::error::{FIELD_ERROR_CODES, PROBLEM_CODES};

/// Operations that count attempts per client address (429).
const RATE_LIMITED: &[&str] = &[
    "signup",
    "login",
    "refresh_tokens",
    "verify_email",
    "change_password",
    "request_password_reset",
    "confirm_password_reset",
    "accept_invitation",
];

/// Operations that take no database work (no 503).
const WITHOUT_DATABASE: &[&str] = &["get_healthz", "get_metrics"];

/// Operations whose JSON body may be left out.
const OPTIONAL_BODIES: &[&str] = &[
    "share_journal_entry",
    "share_habit",
    "share_daily_check_ins",
    "cancel_consultation",
];

/// Response properties a response may leave out (`skip_serializing_if`).
const OMITTED_WHEN_EMPTY: &[(&str, &str)] = &[
    ("EntryView", "replies"),
    ("SharedEntryView", "replies"),
    ("Problem", "errors"),
    // Only the reminder kinds of the reader's role are present.
    ("NotificationPreferences", "consultation_reminders"),
    ("NotificationPreferences", "therapist_digest"),
    ("NotificationPreferences", "exercise_reminders"),
    ("NotificationPreferences", "habit_reminders"),
    ("NotificationPreferences", "weekly_summary"),
];

/// Operations on which a therapist reaches a client's data through the
/// care access: each is written to the client's access log, one row per
/// item shown or acted on. Published as `x-access-logged: true`.
pub const ACCESS_LOGGED: &[&str] = &[
    "list_clients",
    "get_client",
    "end_client_link",
    "list_shared_entries",
    "get_shared_entry",
    "create_shared_entry_reply",
    "get_client_agenda",
    "mark_agenda_item_discussed",
    "get_client_adherence",
    "create_assignment",
    "list_assignments",
    "get_assignment",
    "update_assignment",
    "list_assignment_responses",
    "get_assignment_response",
    "create_response_comment",
    "get_assignment_adherence",
    "suggest_habit",
    "list_client_habits",
    "get_client_habit_stats",
    "list_client_daily_check_ins",
    "get_dashboard",
    "get_client_summary",
];

/// Response headers the handlers send, by operation and status.
const HEADERS: &[(&str, &str, &[&str])] = &[
    ("get_journal_entry", "200", &["ETag"]),
    ("update_journal_entry", "200", &["ETag"]),
    (
        "create_journal_entry",
        "201",
        &["Location", "Idempotent-Replayed"],
    ),
    ("create_invitation", "201", &["Location"]),
    (
        "create_exercise_template",
        "201",
        &["Location", "Idempotent-Replayed"],
    ),
    (
        "copy_exercise_template",
        "201",
        &["Location", "Idempotent-Replayed"],
    ),
    (
        "create_assignment",
        "201",
        &["Location", "Idempotent-Replayed"],
    ),
    (
        "create_assignment_response",
        "201",
        &["Location", "Idempotent-Replayed"],
    ),
    ("create_response_comment", "201", &["Idempotent-Replayed"]),
    ("accept_invitation", "201", &["Location"]),
];

fn header_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/headers/{name}") })
}

fn shared_headers() -> Value {
    json!({
        "X-Request-Id": {
            "description": "The request's id: the one sent in `X-Request-Id` if it was 1 to 128 letters, digits, `-`, `_`, `.` or `:`, else a new one. Every log line of the request carries it.",
            "schema": { "type": "string", "maxLength": 128 }
        },
        "ETag": {
            "description": "The entry's version; send it back as `If-Match` to change or delete the entry safely.",
            "schema": { "type": "string", "pattern": "^\"[0-9]+\"$", "examples": ["\"3\""] }
        },
        "Location": {
            "description": "Where the created resource is.",
            "schema": { "type": "string", "format": "uri-reference" }
        },
        "Idempotent-Replayed": {
            "description": "Present on a repeated create with the same `Idempotency-Key`: this is the first answer again, and nothing new was created.",
            "schema": { "type": "string", "enum": ["true"] }
        },
        "Retry-After": {
            "description": "Seconds to wait before trying again (rounded up).",
            "schema": { "type": "integer", "minimum": 1 }
        },
        "WWW-Authenticate": {
            "description": "The bearer challenge (RFC 6750), with `error=\"invalid_token\"` when a token was sent.",
            "schema": { "type": "string" }
        }
    })
}

fn problem_response(description: &str, extra_headers: &[&str]) -> Value {
    let mut headers = Map::new();
    headers.insert("X-Request-Id".into(), header_ref("X-Request-Id"));
    for name in extra_headers {
        headers.insert((*name).into(), header_ref(name));
    }
    json!({
        "description": description,
        "headers": headers,
        "content": {
            "application/problem+json": {
                "schema": { "$ref": "#/components/schemas/Problem" }
            }
        }
    })
}

/// The statuses many operations share, by status.
const SHARED: &[(&str, &str, &str, &[&str])] = &[
    ("400", "BadRequest", "The request could not be read: malformed JSON (`malformed_json`), a query that does not parse (`invalid_query`), an invalid `Idempotency-Key` (`invalid_idempotency_key`) or `If-Match` (`invalid_if_match`), or a used or expired link (`invalid_token`).", &[]),
    ("401", "Unauthorized", "No access token, or an invalid or expired one, or its session has ended (`missing_token`, `invalid_token`, `session_ended`).", &["WWW-Authenticate"]),
    ("404", "NotFound", "Nothing at this address for you (a malformed id, or someone else's object, are not found either).", &[]),
    ("413", "PayloadTooLarge", "The body is larger than 256 KiB (`payload_too_large`).", &[]),
    ("415", "UnsupportedMediaType", "The body is not `application/json` (`unsupported_media_type`).", &[]),
    ("422", "UnprocessableEntity", "The body or query has the wrong shape (`invalid_body`) or invalid fields (`validation_failed`, with one message per field in `errors`).", &[]),
    ("429", "TooManyRequests", "Too many attempts from this address (`rate_limited`); wait as `Retry-After` says.", &["Retry-After"]),
    ("500", "InternalError", "Something went wrong on our side (`internal_error`); nothing was changed.", &[]),
    ("503", "Unavailable", "The database is unavailable (`database_unavailable`, `not_ready`); try again shortly.", &[]),
];

fn shared_name(status: &str) -> Option<&'static str> {
    SHARED
        .iter()
        .find(|(s, ..)| *s == status)
        .map(|(_, name, ..)| *name)
}

/// The statuses an operation can answer besides its own.
fn universal_statuses(
    operation: &Map<String, Value>,
    id: &str,
    parameters: &[Value],
) -> Vec<&'static str> {
    let mut statuses = vec!["500"];
    if !WITHOUT_DATABASE.contains(&id) {
        statuses.push("503");
    }
    let public = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().all(|r| r.as_object().is_some_and(Map::is_empty)));
    if !public {
        statuses.push("401");
    }
    if operation.contains_key("requestBody") {
        statuses.extend(["400", "413", "415", "422"]);
    }
    let located = |place: &str| parameters.iter().any(|p| p["in"] == place);
    if located("query") {
        statuses.extend(["400", "422"]);
    }
    if located("path") {
        statuses.push("404");
    }
    if located("header") {
        statuses.push("400");
    }
    if RATE_LIMITED.contains(&id) {
        statuses.push("429");
    }
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

fn finish_operation(path_parameters: &[Value], operation: &mut Map<String, Value>) {
    let id = operation
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut parameters: Vec<Value> = path_parameters.to_vec();
    if let Some(own) = operation.get("parameters").and_then(Value::as_array) {
        parameters.extend(own.iter().cloned());
    }
    if OPTIONAL_BODIES.contains(&id.as_str()) {
        if let Some(body) = operation
            .get_mut("requestBody")
            .and_then(Value::as_object_mut)
        {
            body.insert("required".into(), Value::Bool(false));
        }
    }
    // A parameter is sent or not; it is never `null`.
    if let Some(own) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        for parameter in own {
            let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else {
                continue;
            };
            if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    schema.insert("type".into(), only);
                }
            }
        }
    }
    if ACCESS_LOGGED.contains(&id.as_str()) {
        operation.insert("x-access-logged".into(), Value::Bool(true));
    }
    let statuses = universal_statuses(operation, &id, &parameters);
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if response.contains_key("$ref") {
            continue;
        }
        let headers = response
            .entry("headers")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(headers) = headers.as_object_mut() {
            headers.insert("X-Request-Id".into(), header_ref("X-Request-Id"));
            match status.as_str() {
                "401" => {
                    headers.insert("WWW-Authenticate".into(), header_ref("WWW-Authenticate"));
                }
                "429" => {
                    headers.insert("Retry-After".into(), header_ref("Retry-After"));
                }
                _ => {}
            }
            for (op, at, names) in HEADERS {
                if *op == id && at == status {
                    for name in *names {
                        headers.insert((*name).into(), header_ref(name));
                    }
                }
            }
        }
    }
    if !responses.keys().any(|s| s.starts_with('4')) {
        // Probes take no input; only a request the HTTP parser cannot read
        // (answered before any route, without a body) is refused.
        responses.insert(
            "400".into(),
            json!({ "description": "The HTTP request could not be parsed; answered before any route, without a body." }),
        );
    }
    for status in statuses {
        if !responses.contains_key(status) {
            if let Some(name) = shared_name(status) {
                responses.insert(
                    status.into(),
                    json!({ "$ref": format!("#/components/responses/{name}") }),
                );
            }
        }
    }
}

/// A HEAD operation for a GET one: the same answers, without bodies.
fn head_of(get: &Value) -> Value {
    let mut head = get.clone();
    if let Some(op) = head.as_object_mut() {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        op.insert("operationId".into(), json!(format!("head_{id}")));
        let summary = op
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        op.insert("summary".into(), json!(format!("Headers only: {summary}")));
        op.insert(
            "description".into(),
            json!(format!(
                "The headers `GET` would answer (`{id}`), without the body."
            )),
        );
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                if let Some(response) = response.as_object_mut() {
                    response.remove("content");
                }
            }
        }
    }
    head
}

fn collect_refs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    if let Some(name) = inner
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        into.push(name.to_owned());
                    }
                } else {
                    collect_refs(inner, into);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

/// The schemas reachable from `roots`, following references.
fn reachable(
    schemas: &Map<String, Value>,
    roots: Vec<String>,
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = roots;
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            collect_refs(schema, &mut todo);
        }
    }
    seen
}

/// Example requests and responses of the main flows, by operation.
fn examples() -> Vec<(&'static str, Option<Value>, &'static str, Value)> {
    let entry = json!({
        "id": "01936f2a-5b1c-7d3e-8f40-1a2b3c4d5e6f",
        "kind": "question_for_session",
        "title": "For Tuesday",
        "body": "Why do Sunday evenings feel heavy?",
        "mood": 2,
        "tags": ["sunday"],
        "assignment_id": null,
        "created_at": "2026-03-29T18:04:11.512Z",
        "updated_at": "2026-03-29T18:04:11.512Z",
        "version": 1,
        "share": null
    });
    let shared = json!({
        "entry_id": "01936f2a-5b1c-7d3e-8f40-1a2b3c4d5e6f",
        "kind": "question_for_session",
        "title": "For Tuesday",
        "body": "Why do Sunday evenings feel heavy?",
        "mood": 2,
        "tags": ["sunday"],
        "created_at": "2026-03-29T18:04:11.512Z",
        "shared_at": "2026-03-29T18:05:00Z",
        "expires_at": null,
        "read_at": null,
        "discussed_at": null
    });
    let fields = json!([
        {"key": "went_well", "label": "What went well today?", "required": true, "input": {"type": "long_text", "max_length": 2000}},
        {"key": "mood", "label": "How do you feel now?", "required": false, "input": {"type": "scale", "min": 0, "max": 10, "min_label": "very low", "max_label": "very good"}}
    ]);
    let template = json!({
        "id": "01936f2c-0000-7000-8000-0000000000a1",
        "source": "mine",
        "copied_from": "00000000-5ea7-4000-8000-000000000011",
        "version": 1,
        "current_version": 1,
        "title": "Good things",
        "purpose": "Notice what went well.",
        "instructions": "Before bed, write down what went well today.",
        "duration_minutes": 10,
        "category": "reflection",
        "fields": fields.clone(),
        "created_at": "2026-03-20T09:00:00Z",
        "updated_at": "2026-03-20T09:00:00Z",
        "archived_at": null
    });
    let assignment = json!({
        "id": "01936f2c-0000-7000-8000-0000000000b1",
        "client_id": "01936f2a-0000-7000-8000-00000000c0a1",
        "therapist_id": "01936f2a-0000-7000-8000-00000000f001",
        "status": "active",
        "template": {"id": "01936f2c-0000-7000-8000-0000000000a1", "version": 1, "title": "Good things",
            "purpose": "Notice what went well.", "instructions": "Before bed, write down what went well today.",
            "duration_minutes": 10, "category": "reflection", "fields": fields},
        "instructions": "Three evenings this week is plenty.",
        "schedule": {"kind": "times_per_week", "times": 3, "start_on": "2026-03-23"},
        "time_zone": "America/New_York",
        "due": [{"opens_on": "2026-03-23", "due_on": "2026-03-29", "due_at": "2026-03-30T04:00:00Z", "required": 3, "completed": 1, "state": "open"}],
        "next_due": {"opens_on": "2026-03-23", "due_on": "2026-03-29", "due_at": "2026-03-30T04:00:00Z", "required": 3, "completed": 1, "state": "open"},
        "created_at": "2026-03-20T09:05:00Z",
        "updated_at": "2026-03-20T09:05:00Z",
        "ended_at": null
    });
    let period = |from: &str, due: u32, on_time: u32, late: u32, missed: u32, pending: u32| {
        let settled = due - pending;
        json!({"from": from, "to": "2026-04-01", "due": due, "completed_on_time": on_time,
            "completed_late": late, "missed": missed, "pending": pending,
            "completion_rate": f64::from(on_time + late) / f64::from(settled.max(1))})
    };
    vec![
        (
            "create_exercise_template",
            Some(
                json!({"title": "Good things", "purpose": "Notice what went well.", "instructions": "Before bed, write down what went well today.", "duration_minutes": 10, "category": "reflection", "fields": template["fields"].clone()}),
            ),
            "201",
            template,
        ),
        (
            "create_assignment",
            Some(
                json!({"client_id": "01936f2a-0000-7000-8000-00000000c0a1", "template_id": "01936f2c-0000-7000-8000-0000000000a1", "instructions": "Three evenings this week is plenty.", "schedule": {"kind": "times_per_week", "times": 3, "start_on": "2026-03-23"}}),
            ),
            "201",
            assignment.clone(),
        ),
        (
            "list_assignments",
            None,
            "200",
            json!({"items": [assignment], "next_cursor": null}),
        ),
        (
            "create_assignment_response",
            Some(
                json!({"answers": {"went_well": "A long walk with my sister.", "mood": 7}, "helpfulness": 4}),
            ),
            "201",
            json!({"id": "01936f2c-0000-7000-8000-0000000000c1", "assignment_id": "01936f2c-0000-7000-8000-0000000000b1",
                "occurrence_on": "2026-03-29", "template_version": 1,
                "answers": {"went_well": "A long walk with my sister.", "mood": 7}, "helpfulness": 4, "note": null,
                "private": false, "answers_visible_to_therapist": true, "on_time": true,
                "submitted_at": "2026-03-25T01:12:00Z", "read_at": null, "comments": []}),
        ),
        (
            "get_assignment_adherence",
            None,
            "200",
            json!({"assignment_id": "01936f2c-0000-7000-8000-0000000000b1", "title": "Good things", "status": "active",
                "as_of": "2026-04-01", "time_zone": "America/New_York",
                "last_7_days": period("2026-03-26", 3, 2, 0, 1, 0),
                "last_30_days": period("2026-03-03", 3, 2, 0, 1, 0)}),
        ),
        (
            "signup",
            Some(
                json!({"email": "dr.rivera@example.org", "password": "quiet harbour lantern 42", "display_name": "Dr. Sam Rivera", "time_zone": "Europe/Berlin"}),
            ),
            "202",
            Value::Null,
        ),
        (
            "login",
            Some(json!({"email": "ada@example.org", "password": "quiet harbour lantern 42"})),
            "200",
            json!({"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl", "token_type": "Bearer", "expires_in": 900, "refresh_token": "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0d2c4e6f8a0b2d4f6e8a0c2e4f6a8b0d2c4e"}),
        ),
        (
            "create_journal_entry",
            Some(
                json!({"kind": "question_for_session", "title": "For Tuesday", "body": "Why do Sunday evenings feel heavy?", "mood": 2, "tags": ["Sunday"]}),
            ),
            "201",
            entry.clone(),
        ),
        (
            "list_journal_entries",
            None,
            "200",
            json!({"items": [entry.clone()], "next_cursor": null}),
        ),
        (
            "verify_email",
            Some(
                json!({"token": "5d1f0c7a9e3b2d4f6a8c0e2b4d6f8a1c3e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e"}),
            ),
            "204",
            Value::Null,
        ),
        (
            "refresh_tokens",
            Some(
                json!({"refresh_token": "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0d2c4e6f8a0b2d4f6e8a0c2e4f6a8b0d2c4e"}),
            ),
            "200",
            json!({"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl", "token_type": "Bearer", "expires_in": 900, "refresh_token": "1b3d5f7a9c1e3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5a7c9e1b3d"}),
        ),
        (
            "create_invitation",
            Some(json!({"email": "ada@example.org"})),
            "201",
            json!({"id": "01936f2a-0000-7000-8000-00000000a001", "email": "ada@example.org", "status": "pending", "created_at": "2026-03-20T09:00:00Z", "expires_at": "2026-03-27T09:00:00Z", "accepted_at": null, "revoked_at": null, "client_id": null}),
        ),
        (
            "accept_invitation",
            Some(
                json!({"password": "quiet harbour lantern 42", "display_name": "Ada", "time_zone": "America/New_York"}),
            ),
            "201",
            json!({"id": "01936f2a-0000-7000-8000-00000000c0a1", "email": "ada@example.org", "display_name": "Ada", "role": "client", "time_zone": "America/New_York", "day_starts_at": "00:00", "email_verified": true, "created_at": "2026-03-21T14:30:00Z"}),
        ),
        (
            "update_journal_entry",
            Some(json!({"title": null, "mood": 3, "tags": ["sunday", "work"]})),
            "200",
            json!({"mood": 3, "tags": ["sunday", "work"], "title": null, "version": 2, "updated_at": "2026-03-29T19:10:00Z", "id": "01936f2a-5b1c-7d3e-8f40-1a2b3c4d5e6f", "kind": "question_for_session", "body": "Why do Sunday evenings feel heavy?", "assignment_id": null, "created_at": "2026-03-29T18:04:11.512Z", "share": null}),
        ),
        (
            "list_shared_entries",
            None,
            "200",
            json!({"items": [shared.clone()], "next_cursor": null}),
        ),
        (
            "get_client_agenda",
            None,
            "200",
            json!({"items": [shared], "next_cursor": null}),
        ),
        (
            "create_shared_entry_reply",
            Some(
                json!({"body": "Thank you for writing this down. Let's start with it on Tuesday."}),
            ),
            "201",
            json!({"id": "01936f2b-0000-7000-8000-0000000000e1", "therapist_id": "01936f2a-0000-7000-8000-00000000f001", "body": "Thank you for writing this down. Let's start with it on Tuesday.", "created_at": "2026-03-30T08:15:00Z"}),
        ),
        (
            "list_my_access_log",
            None,
            "200",
            json!({"items": [{"id": "01936f2b-0000-7000-8000-0000000000a7", "actor_id": "01936f2a-0000-7000-8000-00000000f001", "actor_role": "therapist", "resource": "journal_entry", "resource_id": "01936f2a-5b1c-7d3e-8f40-1a2b3c4d5e6f", "action": "read", "at": "2026-03-30T08:14:02Z", "request_id": "4f1c2a9e-77d0-4c1b-9a55-0c3d2e1f0a9b"}], "next_cursor": null}),
        ),
        (
            "create_habit",
            Some(
                json!({"name": "Drink water", "kind": "numeric", "unit": "glasses", "target": 8, "target_kind": "at_least", "frequency": {"type": "daily"}, "reminder_time": "09:00"}),
            ),
            "201",
            json!({"id": "01936f2c-0000-7000-8000-0000000000b1", "name": "Drink water", "description": null, "color": null, "icon": "water", "kind": "numeric", "unit": "glasses", "target": 8.0, "target_kind": "at_least", "frequency": {"type": "daily"}, "reminder_time": "09:00", "created_on": "2026-03-30", "starts_on": "2026-03-30", "created_at": "2026-03-30T07:00:00Z", "updated_at": "2026-03-30T07:00:00Z", "archived_at": null, "share": null,
                "today": {"date": "2026-03-30", "check_in": null, "counts_as": "open", "due": true, "score": 0.0, "current_streak": null, "best_streak": null}}),
        ),
        (
            "put_habit_check_in",
            Some(json!({"amount": 6, "note": "Hot day."})),
            "200",
            json!({"date": "2026-03-30", "status": "done", "amount": 6.0, "note": "Hot day.", "updated_at": "2026-03-30T20:10:00Z"}),
        ),
        (
            "get_habit_stats",
            None,
            "200",
            json!({"habit_id": "01936f2c-0000-7000-8000-0000000000b1", "as_of": "2026-03-31", "from": "2026-03-30", "to": "2026-03-31", "score": 0.0519, "current_streak": {"length": 1, "start": "2026-03-31", "end": "2026-03-31"}, "best_streak": {"length": 1, "start": "2026-03-31", "end": "2026-03-31"},
                "completion": {"last_7_days": {"days": 7, "met": 1, "missed": 1, "rate": 0.5}, "last_30_days": {"days": 30, "met": 1, "missed": 1, "rate": 0.5}, "last_90_days": {"days": 90, "met": 1, "missed": 1, "rate": 0.5}},
                "days": [
                    {"date": "2026-03-30", "score": 0.0389, "counts_as": "missed", "check_in": {"date": "2026-03-30", "status": "done", "amount": 6.0, "note": "Hot day.", "updated_at": "2026-03-30T20:10:00Z"}},
                    {"date": "2026-03-31", "score": 0.0519, "counts_as": "met", "check_in": {"date": "2026-03-31", "status": "done", "amount": 8.0, "note": null, "updated_at": "2026-03-31T21:00:00Z"}}
                ],
                "weekly_totals": [{"start": "2026-03-30", "total": 14.0, "days_recorded": 2}], "monthly_totals": [{"start": "2026-03-01", "total": 14.0, "days_recorded": 2}]}),
        ),
        (
            "put_daily_check_in",
            Some(
                json!({"mood": 4, "energy": 3, "sleep_hours": 7.5, "tags": ["calm", "saw friends"]}),
            ),
            "200",
            json!({"date": "2026-03-30", "mood": 4, "energy": 3, "sleep_hours": 7.5, "tags": ["calm", "saw-friends"], "note": null, "updated_at": "2026-03-30T21:00:00Z"}),
        ),
        (
            "share_journal_entry",
            Some(json!({"expires_at": "2030-04-05T18:00:00Z"})),
            "200",
            json!({"shared_at": "2026-03-29T18:05:00Z", "expires_at": "2030-04-05T18:00:00Z", "read_at": null}),
        ),
    ]
}

fn add_examples(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (id, request, status, response) in examples() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut() {
                if op["operationId"] != id {
                    continue;
                }
                if let Some(request) = &request {
                    if let Some(media) = op
                        .get_mut("requestBody")
                        .and_then(|b| b.get_mut("content"))
                        .and_then(|c| c.get_mut("application/json"))
                        .and_then(Value::as_object_mut)
                    {
                        media.insert("example".into(), request.clone());
                    }
                }
                if !response.is_null() {
                    if let Some(media) = op
                        .get_mut("responses")
                        .and_then(|r| r.get_mut(status))
                        .and_then(|r| r.get_mut("content"))
                        .and_then(|c| c.get_mut("application/json"))
                        .and_then(Value::as_object_mut)
                    {
                        media.insert("example".into(), response.clone());
                    }
                }
            }
        }
    }
}

/// Tagged unions whose variants refuse unknown properties (serde's
/// `deny_unknown_fields`, which utoipa does not carry into `oneOf`).
const CLOSED_UNIONS: &[&str] = &["FieldInput", "Schedule"];

/// Local dates are `YYYY-MM-DD`: the pattern says so where `format: date`
/// alone is not checked by every validator.
fn add_date_patterns(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("date") {
                map.insert("pattern".into(), json!("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));
            }
            map.values_mut().for_each(add_date_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(add_date_patterns),
        _ => {}
    }
}

/// Publishes the document: see the module note.
pub fn finish(doc: &mut Value) {
    add_date_patterns(doc);
    for union in CLOSED_UNIONS {
        if let Some(variants) = doc["components"]["schemas"][union]["oneOf"].as_array_mut() {
            for variant in variants {
                variant["additionalProperties"] = Value::Bool(false);
            }
        }
    }
    add_examples(doc);
    doc["servers"] = json!([{ "url": "/", "description": "This service" }]);
    doc["info"]["contact"] = json!({ "name": "The Between team" });

    let components = &mut doc["components"];
    components["headers"] = shared_headers();
    let mut responses = Map::new();
    for (_, name, description, headers) in SHARED {
        responses.insert((*name).into(), problem_response(description, headers));
    }
    components["responses"] = Value::Object(responses);

    // Operations: shared statuses and headers, optional bodies, HEAD.
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let path_parameters: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in ["get", "put", "post", "delete", "patch"] {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    finish_operation(&path_parameters, op);
                }
            }
            if let Some(get) = item.get("get") {
                let head = head_of(get);
                item.insert("head".into(), head);
            }
        }
    }

    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // Pages reference their item schema instead of inlining it.
    for name in schemas.keys() {
        if let Some(item) = name.strip_prefix("Page_") {
            if schemas.contains_key(item) {
                doc["components"]["schemas"][name]["properties"]["items"]["items"] =
                    json!({ "$ref": format!("#/components/schemas/{item}") });
                doc["components"]["schemas"][name]["required"] = json!(["items", "next_cursor"]);
            }
        }
    }

    // What responses carry is always sent (nullable where it can be null).
    let mut in_responses = Vec::new();
    let mut in_requests = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|i| i.values()) {
            collect_refs(&op["responses"], &mut in_responses);
            collect_refs(&op["requestBody"], &mut in_requests);
            collect_refs(&op["parameters"], &mut in_requests);
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let requested = reachable(&schemas, in_requests);
    for name in reachable(&schemas, in_responses) {
        if requested.contains(&name) {
            continue;
        }
        let Some(properties) = schemas[&name]["properties"].as_object() else {
            continue;
        };
        let required: Vec<&String> = properties
            .keys()
            .filter(|property| {
                !OMITTED_WHEN_EMPTY
                    .iter()
                    .any(|(s, p)| *s == name && p == property)
            })
            .collect();
        doc["components"]["schemas"][&name]["required"] = json!(required);
    }

    // Shared responses no operation refers to are left out.
    let used = doc["paths"].to_string();
    if let Some(shared) = doc["components"]["responses"].as_object_mut() {
        shared.retain(|name, _| used.contains(&format!("\"#/components/responses/{name}\"")));
    }

    // Closed sets.
    doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"] = json!(PROBLEM_CODES);
    doc["components"]["schemas"]["FieldError"]["properties"]["code"]["enum"] =
        json!(FIELD_ERROR_CODES);
    doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"] = json!(["about:blank"]);
    doc["components"]["schemas"]["TokenPair"]["properties"]["token_type"]["enum"] =
        json!(["Bearer"]);
}
