//! Text people write, checked the same way everywhere it arrives.
//!
//! PostgreSQL cannot store NUL and SQLite can; other control characters are
//! never meant in free text. Refusing them at the boundary keeps both
//! databases alike and every stored text printable.

use crate::error::FieldError;

/// Free text, as published in the document: no control characters but line
/// breaks and tabs.
pub const FREE_TEXT_PATTERN: &str =
    "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Free text with at least one character that is not a space.
pub const BODY_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// One line: no control characters at all.
pub const ONE_LINE_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// Free text (entries, replies, searches): anything but control characters
/// other than line breaks and tabs.
pub fn check_free_text(field: &str, text: &str) -> Result<(), FieldError> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            field,
            "invalid",
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_are_text_and_other_controls_are_not() {
        assert!(check_free_text("body", "one\r\ntwo\tthree é 😊").is_ok());
        for bad in [
            "a\u{0}b",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
        ] {
            assert_eq!(
                check_free_text("body", bad).err().map(|e| e.field),
                Some("body".to_owned()),
                "{bad:?}"
            );
        }
    }
}
