//! Email templates, compiled into the binary. Each email has three parts:
//! `<name>.subject`, `<name>.txt` and `<name>.html`; HTML is auto-escaped.

use domain::outbox::EmailKind;
use minijinja::Environment;
use serde_json::Value;

/// Every template the service can send, with its sources.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("test.subject", include_str!("templates/test.subject")),
    ("test.txt", include_str!("templates/test.txt")),
    ("test.html", include_str!("templates/test.html")),
    (
        "verify_email.subject",
        include_str!("templates/verify_email.subject"),
    ),
    (
        "verify_email.txt",
        include_str!("templates/verify_email.txt"),
    ),
    (
        "verify_email.html",
        include_str!("templates/verify_email.html"),
    ),
    (
        "password_reset.subject",
        include_str!("templates/password_reset.subject"),
    ),
    (
        "password_reset.txt",
        include_str!("templates/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("templates/password_reset.html"),
    ),
    (
        "invitation.subject",
        include_str!("templates/invitation.subject"),
    ),
    ("invitation.txt", include_str!("templates/invitation.txt")),
    ("invitation.html", include_str!("templates/invitation.html")),
    (
        "account_exists.subject",
        include_str!("templates/account_exists.subject"),
    ),
    (
        "account_exists.txt",
        include_str!("templates/account_exists.txt"),
    ),
    (
        "account_exists.html",
        include_str!("templates/account_exists.html"),
    ),
    (
        "consultation_hold.subject",
        include_str!("templates/consultation_hold.subject"),
    ),
    (
        "consultation_hold.txt",
        include_str!("templates/consultation_hold.txt"),
    ),
    (
        "consultation_hold.html",
        include_str!("templates/consultation_hold.html"),
    ),
    (
        "consultation_confirmed.subject",
        include_str!("templates/consultation_confirmed.subject"),
    ),
    (
        "consultation_confirmed.txt",
        include_str!("templates/consultation_confirmed.txt"),
    ),
    (
        "consultation_confirmed.html",
        include_str!("templates/consultation_confirmed.html"),
    ),
    (
        "consultation_booked.subject",
        include_str!("templates/consultation_booked.subject"),
    ),
    (
        "consultation_booked.txt",
        include_str!("templates/consultation_booked.txt"),
    ),
    (
        "consultation_booked.html",
        include_str!("templates/consultation_booked.html"),
    ),
    (
        "consultation_changed.subject",
        include_str!("templates/consultation_changed.subject"),
    ),
    (
        "consultation_changed.txt",
        include_str!("templates/consultation_changed.txt"),
    ),
    (
        "consultation_changed.html",
        include_str!("templates/consultation_changed.html"),
    ),
    (
        "consultation_reminder.subject",
        include_str!("templates/consultation_reminder.subject"),
    ),
    (
        "consultation_reminder.txt",
        include_str!("templates/consultation_reminder.txt"),
    ),
    (
        "consultation_reminder.html",
        include_str!("templates/consultation_reminder.html"),
    ),
    (
        "exercise_reminder.subject",
        include_str!("templates/exercise_reminder.subject"),
    ),
    (
        "exercise_reminder.txt",
        include_str!("templates/exercise_reminder.txt"),
    ),
    (
        "exercise_reminder.html",
        include_str!("templates/exercise_reminder.html"),
    ),
    (
        "habit_reminder.subject",
        include_str!("templates/habit_reminder.subject"),
    ),
    (
        "habit_reminder.txt",
        include_str!("templates/habit_reminder.txt"),
    ),
    (
        "habit_reminder.html",
        include_str!("templates/habit_reminder.html"),
    ),
    (
        "therapist_digest.subject",
        include_str!("templates/therapist_digest.subject"),
    ),
    (
        "therapist_digest.txt",
        include_str!("templates/therapist_digest.txt"),
    ),
    (
        "therapist_digest.html",
        include_str!("templates/therapist_digest.html"),
    ),
    (
        "weekly_summary.subject",
        include_str!("templates/weekly_summary.subject"),
    ),
    (
        "weekly_summary.txt",
        include_str!("templates/weekly_summary.txt"),
    ),
    (
        "weekly_summary.html",
        include_str!("templates/weekly_summary.html"),
    ),
];

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// `app_base_url` is where links point; every template can use it.
    pub fn new(app_base_url: &str) -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        // Auto-escaping follows the file name: on for .html, off otherwise.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        env.add_global("app_base_url", app_base_url.to_owned());
        env.add_global("practice", "Between");
        Ok(Self { env })
    }

    /// The practice's display name, which reminders name in their subject.
    pub fn with_practice(mut self, name: &str) -> Self {
        self.env.add_global("practice", name.to_owned());
        self
    }

    /// Whether `kind` has all three parts.
    pub fn has(&self, kind: EmailKind) -> bool {
        ["subject", "txt", "html"].iter().all(|ext| {
            self.env
                .get_template(&format!("{}.{ext}", kind.as_str()))
                .is_ok()
        })
    }

    /// Renders `kind`'s template with its payload.
    pub fn render(&self, kind: EmailKind, data: &Value) -> Result<Rendered, minijinja::Error> {
        let part = |ext: &str| -> Result<String, minijinja::Error> {
            self.env
                .get_template(&format!("{}.{ext}", kind.as_str()))?
                .render(data)
        };
        Ok(Rendered {
            subject: part("subject")?.trim().replace(['\r', '\n'], " "),
            text: part("txt")?,
            html: part("html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let templates = Templates::new("https://app.example.org").unwrap();
        let rendered = templates
            .render(EmailKind::Test, &serde_json::json!({}))
            .unwrap();
        assert_eq!(rendered.subject, "Between test message");
        assert!(rendered.text.contains("https://app.example.org"));
        assert!(
            rendered
                .html
                .contains("href=\"https:&#x2f;&#x2f;app.example.org\"")
                || rendered.html.contains("href=\"https://app.example.org\"")
        );
    }

    #[test]
    fn links_carry_the_token_as_a_query_parameter_and_names_are_escaped() {
        let templates = Templates::new("https://app.example.org").unwrap();
        let data = serde_json::json!({"therapist_name": "Dr <b>Rivera</b>", "token": "abc123"});
        let rendered = templates.render(EmailKind::Invitation, &data).unwrap();
        assert!(rendered
            .text
            .contains("https://app.example.org/accept-invitation?token=abc123"));
        assert!(
            rendered.html.contains("Dr &lt;b&gt;Rivera&lt;&#x2f;b&gt;"),
            "{}",
            rendered.html
        );
        assert!(!rendered.html.contains("<b>Rivera"));
        assert_eq!(rendered.subject, "Dr <b>Rivera</b> invited you to Between");
    }

    #[test]
    fn every_email_kind_has_three_parts_and_no_template_is_unused() {
        let templates = Templates::new("https://app.example.org").unwrap();
        for kind in EmailKind::ALL {
            assert!(templates.has(*kind), "{kind}");
        }
        for (name, _) in TEMPLATES {
            if let Some(base) = name.strip_suffix(".subject") {
                assert!(EmailKind::parse(base).is_some(), "{base} is no email kind");
            }
        }
    }

    #[test]
    fn every_kind_renders_from_its_payload_struct() {
        use domain::accounts::emails::{
            InvitationMessage, PasswordResetMessage, VerifyEmailMessage,
        };
        use domain::booking::consultations::Shown;
        use domain::outbox::{Email, TestEmail};
        fn render<E: Email>(templates: &Templates, email: &E) -> Rendered {
            let data = serde_json::to_value(email).unwrap();
            templates.render(E::KIND, &data).unwrap()
        }
        let templates = Templates::new("https://app.example.org").unwrap();
        let token = "t0k3n".to_owned();
        let rendered = [
            render(&templates, &TestEmail::default()),
            render(
                &templates,
                &VerifyEmailMessage {
                    display_name: "Ada".into(),
                    token: token.clone(),
                },
            ),
            templates
                .render(
                    EmailKind::PasswordReset,
                    &serde_json::to_value(PasswordResetMessage {
                        display_name: "Ada".into(),
                        token: token.clone(),
                    })
                    .unwrap(),
                )
                .unwrap(),
            render(
                &templates,
                &InvitationMessage {
                    invitation_id: domain::ids::InvitationId::new(),
                    therapist_name: "Dr. Rivera".into(),
                    token: token.clone(),
                },
            ),
        ];
        let exists = render(
            &templates,
            &domain::accounts::emails::AccountExistsMessage {
                display_name: "Ada".into(),
            },
        );
        assert!(exists.text.contains("https://app.example.org/login"));
        let shown = domain::booking::consultations::Shown {
            therapist_name: "Dr <b>Rivera</b>".into(),
            name: "Sam".into(),
            start_local: "Monday 30 March 2026, 09:00".into(),
            time_zone: "America/New_York".into(),
            duration_minutes: 15,
            token: None,
            hold_minutes: None,
        };
        let hold = Shown {
            token: Some(token.clone()),
            hold_minutes: Some(15),
            ..shown.clone()
        };
        let hold = templates
            .render(
                EmailKind::ConsultationHold,
                &serde_json::to_value(&hold).unwrap(),
            )
            .unwrap();
        assert!(
            hold.text.contains("/consultations/confirm?token=t0k3n"),
            "{}",
            hold.text
        );
        let with = |extra: serde_json::Value| {
            let mut data = serde_json::to_value(Shown {
                token: Some(token.clone()),
                ..shown.clone()
            })
            .unwrap();
            for (k, v) in extra.as_object().unwrap() {
                data[k] = v.clone();
            }
            data
        };
        let confirmed = templates
            .render(
                EmailKind::ConsultationConfirmed,
                &with(serde_json::json!({"moved": false})),
            )
            .unwrap();
        assert!(confirmed.text.contains("/consultations/manage?token=t0k3n"));
        for (kind, data) in [
            (EmailKind::ConsultationBooked, with(serde_json::json!({}))),
            (
                EmailKind::ConsultationConfirmed,
                with(serde_json::json!({"moved": true})),
            ),
            (
                EmailKind::ConsultationChanged,
                with(
                    serde_json::json!({"cancelled": true, "to_therapist": false, "message": "Sorry <3"}),
                ),
            ),
            (
                EmailKind::ConsultationChanged,
                with(
                    serde_json::json!({"cancelled": false, "to_therapist": true, "message": null}),
                ),
            ),
        ] {
            let r = templates.render(kind, &data).unwrap();
            assert!(r.text.contains("Monday 30 March 2026, 09:00"), "{kind}");
            assert!(
                !r.html.contains("<b>Rivera") && !r.html.contains("<3"),
                "{kind}: escaped"
            );
        }
        // Reminders: a neutral subject naming the practice, and the
        // one-click link in the body too.
        let templates = templates.with_practice("Riverside Practice");
        let unsubscribe = "https://between.example.org/unsubscribe/abc";
        let reminders = [
            (
                EmailKind::ConsultationReminder,
                with(serde_json::json!({"first_name": "Sam", "to_therapist": false})),
            ),
            (
                EmailKind::ConsultationReminder,
                with(serde_json::json!({"first_name": "Ada", "to_therapist": true})),
            ),
            (
                EmailKind::ExerciseReminder,
                serde_json::json!({"first_name": "Sam", "date": "Monday 4 January 2027", "evening": true}),
            ),
            (
                EmailKind::HabitReminder,
                serde_json::json!({"first_name": "Sam", "date": "Monday 4 January 2027"}),
            ),
            (
                EmailKind::TherapistDigest,
                serde_json::json!({"first_name": "Ada", "items": 3, "clients": 2}),
            ),
            (
                EmailKind::WeeklySummary,
                serde_json::json!({"first_name": "Sam", "week_from": "Monday 4 January 2027",
                    "week_to": "Sunday 10 January 2027", "check_in_days": 1, "habit_days": 2, "exercises": 0}),
            ),
        ];
        let mut kinds = std::collections::HashSet::new();
        for (kind, mut data) in reminders {
            data["unsubscribe_url"] = unsubscribe.into();
            let r = templates.render(kind, &data).unwrap();
            assert!(r.subject.ends_with("Riverside Practice"), "{}", r.subject);
            assert!(
                !r.subject.to_lowercase().contains("therap"),
                "{}",
                r.subject
            );
            assert!(r.text.contains(unsubscribe), "{kind}");
            assert!(r.html.contains("Sent by Riverside Practice"), "{kind}");
            kinds.insert(kind);
        }
        assert_eq!(rendered.len() + 5 + kinds.len(), EmailKind::ALL.len());
        for r in &rendered[1..] {
            assert!(r.text.contains("?token=t0k3n"), "{}", r.text);
        }
    }
}
