//! Values parsed at the boundary: once one exists, it is valid.

use crate::error::FieldError;

/// An email address: a dot-atom local part of at most 64 characters, an
/// ASCII domain of at least two labels (an international domain is sent in
/// its `xn--` form), at most 254 characters, kept lower-cased so one person
/// has one account. The same rules are published as [`EMAIL_PATTERN`], and
/// the mailer's own parser must accept it too: an address it refuses would
/// leave an invitation that never arrives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// [`EmailAddress`] as a regular expression (ECMA 262 and Python alike).
pub const EMAIL_PATTERN: &str = "^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

impl EmailAddress {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let invalid = || {
            FieldError::new(
                field,
                "invalid",
                "must be an email address such as name@example.org",
            )
        };
        if raw.len() > 254 {
            return Err(invalid());
        }
        let (local, domain) = raw.split_once('@').ok_or_else(invalid)?;
        let local_ok = (1..=64).contains(&local.len())
            && local
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(is_atext));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2 && labels.iter().all(|l| is_label(l));
        let email = raw.to_ascii_lowercase();
        if !local_ok || !domain_ok || email.parse::<lettre::Address>().is_err() {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters no one-line text may hold (C0 and C1 controls).
pub const NO_CONTROLS: &str = "\\u0000-\\u001F\\u007F-\\u009F";

/// How a person is addressed: 1 to 100 characters, at least one of them
/// not a space, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        if raw.chars().count() > 100 {
            return Err(FieldError::new(
                field,
                "too_long",
                "must be at most 100 characters",
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                "invalid",
                "must not contain control characters",
            ));
        }
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new(field, "required", "must not be empty"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Europe/Berlin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(chrono_tz::Tz);

impl TimeZoneName {
    pub fn utc() -> Self {
        Self(chrono_tz::UTC)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        raw.parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            FieldError::new(
                field,
                "invalid",
                "must be an IANA time zone such as Europe/Berlin",
            )
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }
}

/// A new password: 10 to 128 characters, no composition rules, and not one
/// that a strength estimator rates as guessable.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

impl NewPassword {
    /// `context` holds what the person told us about themselves (email,
    /// name): a password built from them is weak.
    pub fn parse(field: &str, raw: &str, context: &[&str]) -> Result<Self, FieldError> {
        let count = raw.chars().count();
        if count < PASSWORD_MIN_CHARS {
            return Err(FieldError::new(
                field,
                "too_short",
                format!("must be at least {PASSWORD_MIN_CHARS} characters"),
            ));
        }
        if count > PASSWORD_MAX_CHARS {
            return Err(FieldError::new(
                field,
                "too_long",
                format!("must be at most {PASSWORD_MAX_CHARS} characters"),
            ));
        }
        let estimate = zxcvbn::zxcvbn(raw, context);
        if (estimate.score() as u8) < 3 {
            let hint = estimate
                .feedback()
                .and_then(|f| f.warning().map(|w| w.to_string()))
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| "It would be easy to guess.".into());
            return Err(FieldError::new(
                field,
                "too_weak",
                format!("is too easy to guess: {hint} A few uncommon words together make a strong password."),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

// --- OpenAPI schemas: what the parsers above accept -----------------------

impl utoipa::PartialSchema for EmailAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
                "email".into(),
            )))
            .max_length(Some(254))
            .pattern(Some(EMAIL_PATTERN))
            .examples(["ada@example.org"])
            .into()
    }
}

impl utoipa::ToSchema for EmailAddress {}

impl utoipa::PartialSchema for DisplayName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("How the person is addressed; no control characters."))
            .min_length(Some(1))
            .max_length(Some(100))
            .pattern(Some(format!(
                "^[^{NO_CONTROLS}]*[^\\s{NO_CONTROLS}][^{NO_CONTROLS}]*$"
            )))
            .examples(["Ada"])
            .into()
    }
}

impl utoipa::ToSchema for DisplayName {}

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An IANA time zone name."))
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .examples(["Europe/Berlin"])
            .into()
    }
}

impl utoipa::ToSchema for TimeZoneName {
    fn name() -> std::borrow::Cow<'static, str> {
        "TimeZone".into()
    }
}

impl utoipa::PartialSchema for NewPassword {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Password,
            )))
            .description(Some(
                "10 to 128 characters; common or guessable passwords are refused.",
            ))
            .min_length(Some(PASSWORD_MIN_CHARS))
            .max_length(Some(PASSWORD_MAX_CHARS))
            .examples(["quiet harbour lantern 42"])
            .into()
    }
}

impl utoipa::ToSchema for NewPassword {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            EmailAddress::parse("email", "Ada@Example.ORG").map(|e| e.0),
            Ok("ada@example.org".to_owned())
        );
        assert!(EmailAddress::parse("email", " ada@example.org").is_err());
        assert!(EmailAddress::parse("email", "o'brien+tag@sub.example-1.org").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@-example.org",
            "ada@exämple.org",
            ".ada@example.org",
            "ada@exa..mple.org",
            "x(y)@example.org",
            "a\"b@example.org",
        ] {
            assert!(EmailAddress::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weak_short_and_long_passwords_are_refused_with_a_reason() {
        let code = |pw: &str| {
            NewPassword::parse("password", pw, &["ada@example.org"])
                .err()
                .map(|e| e.code)
        };
        assert_eq!(code("short"), Some("too_short".into()));
        assert_eq!(code("password123"), Some("too_weak".into()));
        assert_eq!(code("ada@example.org1"), Some("too_weak".into()));
        assert_eq!(code(&"x".repeat(129)), Some("too_long".into()));
        assert_eq!(code("quiet harbour lantern 42"), None);
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert_eq!(
            TimeZoneName::parse("tz", "Europe/Berlin").map(|t| t.as_str()),
            Ok("Europe/Berlin")
        );
        assert!(TimeZoneName::parse("tz", "CEST+2").is_err());
        assert!(TimeZoneName::parse("tz", "").is_err());
    }
}
