//! The cast every access test needs, and a one-call check of a route
//! against all of them.

use crate::{Person, TestApp};

/// Client A (of therapist A), client B (of therapist B), both therapists,
/// an admin; "anonymous" sends no token.
pub struct Cast {
    pub therapist_a: Person,
    pub client_a: Person,
    pub therapist_b: Person,
    pub client_b: Person,
    pub admin: Person,
}

/// The status each member of the cast must get.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    pub anonymous: u16,
    pub admin: u16,
    pub client_b: u16,
    pub therapist_b: u16,
    pub client_a: u16,
    pub therapist_a: u16,
}

impl Expect {
    /// Only therapists may call it, and therapist B's object is out of reach.
    pub fn therapist_a_only(ok: u16) -> Self {
        Self {
            anonymous: 401,
            admin: 403,
            client_b: 403,
            therapist_b: 404,
            client_a: 403,
            therapist_a: ok,
        }
    }

    /// The same, except for the admin.
    pub fn but_admin(self, admin: u16) -> Self {
        Self { admin, ..self }
    }

    /// Everyone signed in may call it (about themselves).
    pub fn anyone_signed_in(ok: u16) -> Self {
        Self {
            anonymous: 401,
            admin: ok,
            client_b: ok,
            therapist_b: ok,
            client_a: ok,
            therapist_a: ok,
        }
    }
}

impl Cast {
    pub async fn new(app: &TestApp) -> Self {
        let therapist_a = app.therapist("therapist.a@example.org").await;
        let therapist_b = app.therapist("therapist.b@example.org").await;
        let client_a = app.client_of(&therapist_a, "client.a@example.org").await;
        let client_b = app.client_of(&therapist_b, "client.b@example.org").await;
        let admin = app.admin("admin@example.org").await;
        Self {
            therapist_a,
            client_a,
            therapist_b,
            client_b,
            admin,
        }
    }

    /// Sends the request as each member (anonymous, admin, client B,
    /// therapist B, client A, therapist A: the owner side last, so a
    /// destructive call still finds its object for the others) and fails
    /// with a table of every mismatch.
    pub async fn check(
        &self,
        app: &TestApp,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
        expect: Expect,
    ) {
        let members: [(&str, Option<&Person>, u16); 6] = [
            ("anonymous", None, expect.anonymous),
            ("admin", Some(&self.admin), expect.admin),
            ("client B", Some(&self.client_b), expect.client_b),
            ("therapist B", Some(&self.therapist_b), expect.therapist_b),
            ("client A", Some(&self.client_a), expect.client_a),
            ("therapist A", Some(&self.therapist_a), expect.therapist_a),
        ];
        let mut wrong = Vec::new();
        for (name, person, expected) in members {
            let response = app
                .send(
                    method.clone(),
                    path,
                    person.map(|p| p.access.as_str()),
                    body.as_ref(),
                )
                .await;
            let status = response.status().as_u16();
            if status >= 400 {
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                if !content_type.starts_with("application/problem+json") {
                    wrong.push(format!(
                        "{name}: {status} without problem+json ({content_type})"
                    ));
                }
            }
            if status != expected {
                let text = response.text().await.unwrap_or_default();
                wrong.push(format!("{name}: expected {expected}, got {status}: {text}"));
            }
        }
        assert!(wrong.is_empty(), "{method} {path}\n{}", wrong.join("\n"));
    }
}
