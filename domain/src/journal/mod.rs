//! The journal: a client's private entries, and what they choose to share
//! with their therapist.

pub mod entries;
pub mod sharing;

use crate::error::FieldError;

crate::text_enum! {
    /// What an entry is.
    pub enum EntryKind {
        /// Free writing.
        Free => "free",
        /// What I took from today's session.
        SessionTakeaway => "session_takeaway",
        /// A challenge or trigger noticed in daily life.
        Trigger => "trigger",
        /// Something to bring to the next appointment.
        QuestionForSession => "question_for_session",
    }
}

impl EntryKind {
    /// Parses a kind named in a query or form field.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldError> {
        s.parse()
            .map_err(|message: String| FieldError::new(field, "invalid", message))
    }
}

pub const BODY_MAX_CHARS: usize = 20_000;
pub const TITLE_MAX_CHARS: usize = 200;
pub const TAG_MAX_CHARS: usize = 40;
pub const TAGS_MAX: usize = 20;
pub const REPLY_MAX_CHARS: usize = 2_000;

/// Entry text: not blank, at most `max` characters, no control characters
/// but line breaks and tabs.
pub fn parse_body(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(field, "required", "must not be empty"));
    }
    // Bytes bound characters from above: a huge body is refused before
    // any per-character work.
    if raw.len() > max * 4 || raw.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    crate::text::check_free_text(field, raw)?;
    Ok(raw.to_owned())
}

/// An optional title: blank means none; at most 200 characters as sent.
pub fn parse_title(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    if raw.is_some_and(|t| t.chars().count() > TITLE_MAX_CHARS) {
        return Err(FieldError::new(
            "title",
            "too_long",
            format!("must be at most {TITLE_MAX_CHARS} characters"),
        ));
    }
    if raw.is_some_and(|t| t.chars().any(char::is_control)) {
        return Err(FieldError::new(
            "title",
            "invalid",
            "must not contain control characters",
        ));
    }
    let Some(title) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(FieldError::new(
            "title",
            "too_long",
            format!("must be at most {TITLE_MAX_CHARS} characters"),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(FieldError::new(
            "title",
            "invalid",
            "must not contain control characters",
        ));
    }
    Ok(Some(title.to_owned()))
}

/// Mood on the fixed scale 1 (very low) to 5 (very good).
pub fn parse_mood(field: &str, mood: i32) -> Result<i32, FieldError> {
    if (1..=5).contains(&mood) {
        Ok(mood)
    } else {
        Err(FieldError::new(
            field,
            "out_of_range",
            "must be from 1 to 5",
        ))
    }
}

/// Normalises one tag: trimmed, lower-case, inner spaces as `-`; letters,
/// digits, `-` and `_` only; 1 to 40 characters.
pub fn normalise_tag(field: &str, raw: &str) -> Result<String, FieldError> {
    // Refused before any per-character work: a tag is short.
    if raw.len() > 4 * TAG_MAX_CHARS + 64 {
        return Err(FieldError::new(
            field,
            "invalid",
            format!("tags have 1 to {TAG_MAX_CHARS} characters"),
        ));
    }
    let tag = raw
        .trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    if tag.is_empty() || tag.chars().count() > TAG_MAX_CHARS {
        return Err(FieldError::new(
            field,
            "invalid",
            format!("tags have 1 to {TAG_MAX_CHARS} characters"),
        ));
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FieldError::new(
            field,
            "invalid",
            "tags hold letters, digits, - and _ only",
        ));
    }
    Ok(tag)
}

/// Normalises a tag list: each tag as [`normalise_tag`], duplicates dropped
/// (first kept), at most 20.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, FieldError> {
    // The count is checked before any per-tag work, so a body of tens of
    // thousands of tags costs nothing.
    if raw.len() > TAGS_MAX {
        return Err(FieldError::new(
            "tags",
            "too_many",
            format!("at most {TAGS_MAX} tags"),
        ));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        let tag = normalise_tag(&format!("tags[{i}]"), t)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_deduplicated_and_bounded() {
        let raw: Vec<String> = ["  Sleep ", "sleep", "Deep Breath", "work_stress"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            parse_tags(&raw),
            Ok(vec![
                "sleep".to_owned(),
                "deep-breath".to_owned(),
                "work_stress".to_owned()
            ])
        );
        assert!(parse_tags(&["#bad".to_owned()]).is_err());
        assert!(parse_tags(&["".to_owned()]).is_err());
        let flood: Vec<String> = (0..50_000).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&flood).err().map(|e| e.code),
            Some("too_many".into())
        );
        let huge = "x".repeat(100_000);
        assert!(normalise_tag("tag", &huge).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&many).err().map(|e| e.code),
            Some("too_many".into())
        );
    }

    #[test]
    fn bodies_titles_and_moods_are_checked() {
        assert!(parse_body("body", "   ", BODY_MAX_CHARS).is_err());
        assert!(parse_body("body", &"é".repeat(BODY_MAX_CHARS), BODY_MAX_CHARS).is_ok());
        assert!(parse_body("body", &"é".repeat(BODY_MAX_CHARS + 1), BODY_MAX_CHARS).is_err());
        assert_eq!(parse_title(Some("  ")), Ok(None));
        assert!(parse_mood("mood", 0).is_err());
        assert!(parse_mood("mood", 6).is_err());
        assert_eq!(parse_mood("mood", 3), Ok(3));
    }
}
