//! The typed fields of an exercise template, and the answers to them.
//!
//! A template's fields arrive as JSON and become [`Fields`] only through
//! [`Fields::parse`], which checks every limit and names the exact place of
//! each problem (`fields[2].input.options[1]`). Answers are checked against
//! the fields of the template version they answer ([`Fields::check_answers`]):
//! a missing required field, a scale out of range or an unknown option is a
//! per-field error, and nothing partial is ever kept as submitted. Drafts
//! are checked the same way, except that nothing is required yet.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::FieldError;

pub const FIELDS_MAX: usize = 50;
pub const ROW_FIELDS_MAX: usize = 20;
pub const KEY_MAX_CHARS: usize = 40;
pub const LABEL_MAX_CHARS: usize = 200;
pub const HELP_MAX_CHARS: usize = 1_000;
pub const OPTIONS_MAX: usize = 30;
pub const OPTION_MAX_CHARS: usize = 100;
pub const TEXT_MAX_CHARS: u32 = 2_000;
pub const LONG_TEXT_MAX_CHARS: u32 = 20_000;
pub const SCALE_BOUND: i32 = 1_000;
pub const ROWS_MAX: u32 = 50;
pub const DURATION_MAX_MINUTES: u32 = 1_440 * 7;

/// One field of an exercise: what the client is asked, and how they answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The answer's name in `answers`: a lower-case letter, then lower-case
    /// letters, digits or `_`; at most 40; unique among its siblings.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,39}$", example = "situation")]
    pub key: String,
    /// What the client sees; 1 to 200 characters, one line.
    #[schema(min_length = 1, max_length = 200, example = "Situation")]
    pub label: String,
    /// A hint shown with the field; at most 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub help: Option<String>,
    /// Whether a submitted response must answer it.
    #[serde(default)]
    pub required: bool,
    pub input: FieldInput,
}

/// How a field is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldInput {
    /// One line or a few: a string of at most `max_length` characters.
    Text {
        /// 1 to 2,000 (default 500).
        #[serde(default = "text_default")]
        #[schema(minimum = 1, maximum = 2000, default = 500)]
        max_length: u32,
    },
    /// Free writing: a string of at most `max_length` characters.
    LongText {
        /// 1 to 20,000 (default 10,000).
        #[serde(default = "long_text_default")]
        #[schema(minimum = 1, maximum = 20000, default = 10000)]
        max_length: u32,
    },
    /// A whole number from `min` to `max`, such as 0-10 or 0-100.
    Scale {
        #[schema(minimum = -1000, maximum = 1000)]
        min: i32,
        #[schema(minimum = -1000, maximum = 1000)]
        max: i32,
        /// What `min` means, e.g. "not at all".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 100)]
        min_label: Option<String>,
        /// What `max` means, e.g. "the most I have ever felt".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 100)]
        max_label: Option<String>,
    },
    /// One of `options` (a string).
    SingleChoice {
        /// 2 to 30 distinct options of 1 to 100 characters.
        #[schema(min_items = 2, max_items = 30)]
        options: Vec<String>,
    },
    /// Any of `options` (an array of distinct strings).
    MultiChoice {
        /// 2 to 30 distinct options of 1 to 100 characters.
        #[schema(min_items = 2, max_items = 30)]
        options: Vec<String>,
    },
    /// The items the client ticked (an array of distinct strings).
    Checklist {
        /// 1 to 30 distinct items of 1 to 100 characters.
        #[schema(min_items = 1, max_items = 30)]
        items: Vec<String>,
    },
    /// A number (fractions allowed) within the optional bounds.
    Number {
        /// What is counted, e.g. "glasses".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 100)]
        unit: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// Whole minutes, 0 to `max_minutes`.
    Duration {
        /// 1 to 10,080 (a week; default 1,440).
        #[serde(default = "duration_default")]
        #[schema(minimum = 1, maximum = 10080, default = 1440)]
        max_minutes: u32,
    },
    /// A local time of day, `HH:MM` (24-hour).
    TimeOfDay {},
    /// A repeating group, e.g. a log with one row per situation: an array
    /// of objects, each answering `fields` (which hold no further rows).
    Rows {
        /// 1 to 20 fields, none of type `rows`.
        #[schema(no_recursion, min_items = 1, max_items = 20)]
        fields: Vec<FieldSpec>,
        /// 1 to 50 (default 20).
        #[serde(default = "rows_default")]
        #[schema(minimum = 1, maximum = 50, default = 20)]
        max_rows: u32,
    },
}

fn text_default() -> u32 {
    500
}
fn long_text_default() -> u32 {
    10_000
}
fn duration_default() -> u32 {
    1_440
}
fn rows_default() -> u32 {
    20
}

/// A template's fields, checked: keys unique, every limit kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Fields(Vec<FieldSpec>);

/// Problems found so far, each at its place in the request.
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<FieldError>);

impl Problems {
    pub(crate) fn add(&mut self, at: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(at, code, message));
    }

    pub(crate) fn take(&mut self, result: Result<(), FieldError>) {
        if let Err(e) = result {
            self.0.push(e);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One line of text: 1 to `max` characters, no control characters.
pub(crate) fn check_line(
    problems: &mut Problems,
    at: &str,
    text: &str,
    max: usize,
    required: bool,
) {
    if text.chars().any(char::is_control) {
        problems.add(at, "invalid", "must not contain control characters");
    } else if text.len() > max * 4 || text.chars().count() > max {
        problems.add(at, "too_long", format!("must be at most {max} characters"));
    } else if required && text.trim().is_empty() {
        problems.add(at, "required", "must not be empty");
    }
}

/// Free text: at most `max` characters, line breaks and tabs allowed.
pub(crate) fn check_text(problems: &mut Problems, at: &str, text: &str, max: usize) {
    if text.len() > max * 4 || text.chars().count() > max {
        problems.add(at, "too_long", format!("must be at most {max} characters"));
    } else {
        problems.take(crate::text::check_free_text(at, text));
    }
}

fn check_key(problems: &mut Problems, at: &str, key: &str) {
    let mut chars = key.chars();
    let ok = key.len() <= KEY_MAX_CHARS
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        problems.add(
            at,
            "invalid",
            "must be a lower-case letter followed by lower-case letters, digits or _ (at most 40)",
        );
    }
}

fn check_options(problems: &mut Problems, at: &str, options: &[String], min: usize) {
    if options.len() > OPTIONS_MAX {
        problems.add(at, "too_many", format!("must have at most {OPTIONS_MAX}"));
        return;
    }
    if options.len() < min {
        problems.add(at, "too_short", format!("must have at least {min}"));
    }
    let mut seen = HashSet::new();
    for (i, option) in options.iter().enumerate() {
        let here = format!("{at}[{i}]");
        check_line(problems, &here, option, OPTION_MAX_CHARS, true);
        if !seen.insert(option.trim()) {
            problems.add(&here, "invalid", "repeats an earlier one");
        }
    }
}

fn check_field_list(problems: &mut Problems, at: &str, fields: &[FieldSpec], nested: bool) {
    let max = if nested { ROW_FIELDS_MAX } else { FIELDS_MAX };
    if fields.len() > max {
        problems.add(at, "too_many", format!("must have at most {max} fields"));
        return;
    }
    if fields.is_empty() {
        problems.add(at, "required", "must have at least one field");
    }
    let mut keys = HashSet::new();
    for (i, field) in fields.iter().enumerate() {
        let here = format!("{at}[{i}]");
        check_key(problems, &format!("{here}.key"), &field.key);
        if !keys.insert(field.key.as_str()) {
            problems.add(&format!("{here}.key"), "invalid", "repeats an earlier key");
        }
        check_line(
            problems,
            &format!("{here}.label"),
            &field.label,
            LABEL_MAX_CHARS,
            true,
        );
        if let Some(help) = &field.help {
            check_text(problems, &format!("{here}.help"), help, HELP_MAX_CHARS);
        }
        check_input(problems, &format!("{here}.input"), &field.input, nested);
    }
}

fn check_input(problems: &mut Problems, at: &str, input: &FieldInput, nested: bool) {
    let in_range = |problems: &mut Problems, name: &str, value: u32, max: u32| {
        if !(1..=max).contains(&value) {
            problems.add(
                &format!("{at}.{name}"),
                "out_of_range",
                format!("must be from 1 to {max}"),
            );
        }
    };
    match input {
        FieldInput::Text { max_length } => {
            in_range(problems, "max_length", *max_length, TEXT_MAX_CHARS)
        }
        FieldInput::LongText { max_length } => {
            in_range(problems, "max_length", *max_length, LONG_TEXT_MAX_CHARS)
        }
        FieldInput::Scale {
            min,
            max,
            min_label,
            max_label,
        } => {
            for (name, value) in [("min", min), ("max", max)] {
                if !(-SCALE_BOUND..=SCALE_BOUND).contains(value) {
                    problems.add(
                        &format!("{at}.{name}"),
                        "out_of_range",
                        format!("must be from -{SCALE_BOUND} to {SCALE_BOUND}"),
                    );
                }
            }
            if min >= max {
                problems.add(&format!("{at}.max"), "out_of_range", "must be above min");
            }
            for (name, label) in [("min_label", min_label), ("max_label", max_label)] {
                if let Some(label) = label {
                    check_line(
                        problems,
                        &format!("{at}.{name}"),
                        label,
                        OPTION_MAX_CHARS,
                        false,
                    );
                }
            }
        }
        FieldInput::SingleChoice { options } | FieldInput::MultiChoice { options } => {
            check_options(problems, &format!("{at}.options"), options, 2)
        }
        FieldInput::Checklist { items } => {
            check_options(problems, &format!("{at}.items"), items, 1)
        }
        FieldInput::Number { unit, min, max } => {
            if let Some(unit) = unit {
                check_line(
                    problems,
                    &format!("{at}.unit"),
                    unit,
                    OPTION_MAX_CHARS,
                    false,
                );
            }
            for (name, value) in [("min", min), ("max", max)] {
                if value.is_some_and(|v| !v.is_finite() || v.abs() > 1e12) {
                    problems.add(
                        &format!("{at}.{name}"),
                        "out_of_range",
                        "must be a number from -10^12 to 10^12",
                    );
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    problems.add(
                        &format!("{at}.max"),
                        "out_of_range",
                        "must not be below min",
                    );
                }
            }
        }
        FieldInput::Duration { max_minutes } => {
            in_range(problems, "max_minutes", *max_minutes, DURATION_MAX_MINUTES)
        }
        FieldInput::TimeOfDay {} => {}
        FieldInput::Rows { fields, max_rows } => {
            in_range(problems, "max_rows", *max_rows, ROWS_MAX);
            if nested {
                problems.add(
                    &format!("{at}.type"),
                    "invalid",
                    "rows cannot hold further rows",
                );
            } else {
                check_field_list(problems, &format!("{at}.fields"), fields, true);
            }
        }
    }
}

/// Whether answers must be complete (a submitted response) or may be partial
/// (a draft).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    Submitted,
    Draft,
}

impl Fields {
    /// Checks a template's fields; errors are named from `at` (`fields`).
    pub fn parse(at: &str, fields: Vec<FieldSpec>) -> Result<Self, Vec<FieldError>> {
        let mut problems = Problems::default();
        check_field_list(&mut problems, at, &fields, false);
        if problems.is_empty() {
            Ok(Self(fields))
        } else {
            Err(problems.0)
        }
    }

    /// Fields read back from the database, which were checked when stored.
    pub(crate) fn stored(json: &str) -> Result<Self, crate::DomainError> {
        serde_json::from_str(json)
            .map(Self)
            .map_err(|e| crate::DomainError::Internal(format!("stored template fields: {e}")))
    }

    pub fn as_slice(&self) -> &[FieldSpec] {
        &self.0
    }

    pub fn into_inner(self) -> Vec<FieldSpec> {
        self.0
    }

    pub(crate) fn to_json(&self) -> Result<String, crate::DomainError> {
        serde_json::to_string(&self.0).map_err(|e| crate::DomainError::Internal(e.to_string()))
    }

    /// Checks answers (a JSON object keyed by field key) against these
    /// fields. Returns the answers as they will be kept: keys in field
    /// order, `null` answers left out.
    pub fn check_answers(
        &self,
        answers: &Map<String, Value>,
        completeness: Completeness,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut problems = Problems::default();
        let kept = check_answer_object(&mut problems, "answers", &self.0, answers, completeness);
        if problems.is_empty() {
            Ok(kept)
        } else {
            Err(problems.0)
        }
    }
}

fn check_answer_object(
    problems: &mut Problems,
    at: &str,
    fields: &[FieldSpec],
    answers: &Map<String, Value>,
    completeness: Completeness,
) -> Map<String, Value> {
    // One set lookup per key sent, and at most five unknown keys named.
    let known: HashSet<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    for key in answers
        .keys()
        .filter(|k| !known.contains(k.as_str()))
        .take(5)
    {
        problems.add(
            &format!("{at}.{key}"),
            "invalid",
            "is not a field of this exercise",
        );
    }
    let mut kept = Map::new();
    for field in fields {
        let here = format!("{at}.{}", field.key);
        match answers.get(&field.key).filter(|v| !v.is_null()) {
            None => {
                if field.required && completeness == Completeness::Submitted {
                    problems.add(&here, "required", "must be answered");
                }
            }
            Some(value) => {
                let before = problems.0.len();
                let empty = check_answer(problems, &here, field, value, completeness);
                if empty && field.required && completeness == Completeness::Submitted {
                    problems.add(&here, "required", "must be answered");
                }
                if problems.0.len() == before {
                    kept.insert(field.key.clone(), value.clone());
                }
            }
        }
    }
    kept
}

/// Checks one answer; returns whether it is empty (a blank text, no
/// choices, no rows).
fn check_answer(
    problems: &mut Problems,
    at: &str,
    field: &FieldSpec,
    value: &Value,
    completeness: Completeness,
) -> bool {
    let wrong = |problems: &mut Problems, what: &str| {
        problems.add(at, "invalid", format!("must be {what}"));
        false
    };
    match &field.input {
        FieldInput::Text { max_length } | FieldInput::LongText { max_length } => {
            let Some(text) = value.as_str() else {
                return wrong(problems, "a string");
            };
            check_text(
                problems,
                at,
                text,
                usize::try_from(*max_length).unwrap_or(usize::MAX),
            );
            text.trim().is_empty()
        }
        FieldInput::Scale { min, max, .. } => match value.as_i64() {
            Some(n) if (i64::from(*min)..=i64::from(*max)).contains(&n) => false,
            Some(_) => {
                problems.add(at, "out_of_range", format!("must be from {min} to {max}"));
                false
            }
            None => wrong(problems, &format!("a whole number from {min} to {max}")),
        },
        FieldInput::SingleChoice { options } => match value.as_str() {
            Some(choice) if options.iter().any(|o| o == choice) => false,
            _ => wrong(problems, "one of the options"),
        },
        FieldInput::MultiChoice { options: choices } | FieldInput::Checklist { items: choices } => {
            let Some(picked) = value.as_array() else {
                return wrong(problems, "an array of the options");
            };
            if picked.len() > choices.len() {
                return wrong(problems, "an array of distinct options");
            }
            let mut seen = HashSet::new();
            for (i, pick) in picked.iter().enumerate() {
                match pick.as_str() {
                    Some(p) if choices.iter().any(|c| c == p) => {
                        if !seen.insert(p) {
                            problems.add(&format!("{at}[{i}]"), "invalid", "is picked twice");
                        }
                    }
                    _ => problems.add(
                        &format!("{at}[{i}]"),
                        "invalid",
                        "must be one of the options",
                    ),
                }
            }
            picked.is_empty()
        }
        FieldInput::Number { min, max, .. } => {
            let Some(n) = value.as_f64().filter(|n| n.is_finite()) else {
                return wrong(problems, "a number");
            };
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("from {a} to {b}"),
                    (Some(a), None) => format!("at least {a}"),
                    (None, Some(b)) => format!("at most {b}"),
                    (None, None) => String::new(),
                };
                problems.add(at, "out_of_range", format!("must be {range}"));
            }
            false
        }
        FieldInput::Duration { max_minutes } => match value.as_u64() {
            Some(n) if n <= u64::from(*max_minutes) => false,
            Some(_) => {
                problems.add(
                    at,
                    "out_of_range",
                    format!("must be from 0 to {max_minutes} minutes"),
                );
                false
            }
            None => wrong(problems, &format!("whole minutes from 0 to {max_minutes}")),
        },
        FieldInput::TimeOfDay {} => {
            if value
                .as_str()
                .and_then(crate::time::TimeOfDay::parse)
                .is_none()
            {
                return wrong(problems, "a time of day as HH:MM, such as 07:30");
            }
            false
        }
        FieldInput::Rows { fields, max_rows } => {
            let Some(rows) = value.as_array() else {
                return wrong(problems, "an array of rows");
            };
            if rows.len() > usize::try_from(*max_rows).unwrap_or(usize::MAX) {
                problems.add(at, "too_many", format!("must have at most {max_rows} rows"));
                return false;
            }
            for (i, row) in rows.iter().enumerate() {
                let here = format!("{at}[{i}]");
                match row.as_object() {
                    Some(row) => {
                        check_answer_object(problems, &here, fields, row, completeness);
                    }
                    None => problems.add(&here, "invalid", "must be an object"),
                }
            }
            rows.is_empty()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Result<Fields, Vec<FieldError>> {
        Fields::parse("fields", serde_json::from_value(value).unwrap())
    }

    fn at(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn every_limit_of_a_template_is_named_where_it_is_broken() {
        let errors = fields(json!([
            {"key": "Bad Key", "label": "x", "input": {"type": "text", "max_length": 0}},
            {"key": "ok", "label": "", "input": {"type": "scale", "min": 5, "max": 5}},
            {"key": "ok", "label": "choice", "input": {"type": "single_choice", "options": ["a", "a"]}},
            {"key": "grid", "label": "rows", "input": {"type": "rows", "fields": [
                {"key": "inner", "label": "x", "input": {"type": "rows", "fields": []}}
            ]}}
        ]))
        .unwrap_err();
        assert_eq!(
            at(&errors),
            [
                "fields[0].key",
                "fields[0].input.max_length",
                "fields[1].label",
                "fields[1].input.max",
                "fields[2].key",
                "fields[2].input.options[1]",
                "fields[3].input.fields[0].input.type",
            ]
        );
    }

    #[test]
    fn unknown_properties_and_types_do_not_parse() {
        for bad in [
            json!({"key": "a", "label": "a", "input": {"type": "text", "max": 3}}),
            json!({"key": "a", "label": "a", "input": {"type": "essay"}}),
            json!({"key": "a", "label": "a", "colour": "red", "input": {"type": "time_of_day"}}),
        ] {
            assert!(serde_json::from_value::<FieldSpec>(bad).is_err());
        }
    }

    #[test]
    fn answers_are_checked_against_each_type() {
        let f = fields(json!([
            {"key": "what", "label": "What", "required": true, "input": {"type": "text", "max_length": 5}},
            {"key": "level", "label": "Level", "input": {"type": "scale", "min": 0, "max": 10}},
            {"key": "one", "label": "One", "input": {"type": "single_choice", "options": ["a", "b"]}},
            {"key": "many", "label": "Many", "input": {"type": "multi_choice", "options": ["a", "b"]}},
            {"key": "done", "label": "Done", "input": {"type": "checklist", "items": ["x"]}},
            {"key": "glasses", "label": "Glasses", "input": {"type": "number", "min": 0, "max": 20}},
            {"key": "walk", "label": "Walk", "input": {"type": "duration", "max_minutes": 60}},
            {"key": "bed", "label": "Bed", "input": {"type": "time_of_day"}},
            {"key": "log", "label": "Log", "input": {"type": "rows", "max_rows": 2, "fields": [
                {"key": "feel", "label": "Feel", "required": true, "input": {"type": "scale", "min": 0, "max": 100}}
            ]}}
        ]))
        .unwrap();
        let good = json!({"what": "tea", "level": 3, "one": "b", "many": ["a", "b"], "done": ["x"],
            "glasses": 6.5, "walk": 30, "bed": "22:45", "log": [{"feel": 40}, {"feel": 90}]});
        let kept = f
            .check_answers(good.as_object().unwrap(), Completeness::Submitted)
            .unwrap();
        assert_eq!(Value::Object(kept), good);

        let bad = json!({"what": "too long", "level": 11, "one": "c", "many": ["a", "a"], "done": "x",
            "glasses": -1, "walk": 61, "bed": "25:00", "log": [{"feel": 40}, {}, {}], "extra": 1});
        let errors = f
            .check_answers(bad.as_object().unwrap(), Completeness::Submitted)
            .unwrap_err();
        assert_eq!(
            at(&errors),
            [
                "answers.extra",
                "answers.what",
                "answers.level",
                "answers.one",
                "answers.many[1]",
                "answers.done",
                "answers.glasses",
                "answers.walk",
                "answers.bed",
                "answers.log",
            ]
        );
        let missing = f
            .check_answers(&Map::new(), Completeness::Submitted)
            .unwrap_err();
        assert_eq!(at(&missing), ["answers.what"]);
        let blank = f
            .check_answers(
                json!({"what": "  "}).as_object().unwrap(),
                Completeness::Submitted,
            )
            .unwrap_err();
        assert_eq!(blank[0].code, "required");
        assert!(f.check_answers(&Map::new(), Completeness::Draft).is_ok());
        let row_missing = f
            .check_answers(
                json!({"what": "a", "log": [{}]}).as_object().unwrap(),
                Completeness::Submitted,
            )
            .unwrap_err();
        assert_eq!(at(&row_missing), ["answers.log[0].feel"]);
    }
}
