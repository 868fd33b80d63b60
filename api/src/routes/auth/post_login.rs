use actix_web::{post, web, HttpRequest};
use domain::accounts::password::Verified;
use domain::accounts::{self, users, EmailAddress};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{token_pair, TokenPair};
use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::origin;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(example = "dr.rivera@example.org")]
    pub email: String,
    #[schema(example = "quiet harbour lantern 42")]
    pub password: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        detail: "The email address or password is wrong.".into(),
    }
}

/// Log in with email and password.
///
/// An unknown email, a wrong password and a disabled account all get the
/// same answer, in about the same time.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "login",
    request_body = Login,
    responses(
        (status = 200, description = "A new session", body = TokenPair),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/login")]
pub async fn post_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<Login>,
) -> Result<web::Json<TokenPair>, ApiError> {
    state.limit(Bucket::Login, &req).await?;
    let origin = origin(&req);
    let body = body.into_inner();
    let user = match EmailAddress::parse("email", &body.email) {
        Ok(email) => {
            state
                .db(move |conn| Ok(users::find_by_email(conn, &email)?))
                .await?
        }
        Err(_) => None,
    };
    // Bound the hashing work an attacker can ask for; the answer stays the same.
    let password = body
        .password
        .chars()
        .take(domain::accounts::PASSWORD_MAX_CHARS + 1)
        .collect::<String>();
    let verified = match &user {
        Some(user) if user.is_active() => {
            state
                .auth
                .passwords
                .verify(password.clone(), user.password_hash.clone())
                .await?
        }
        _ => {
            state.auth.passwords.verify_dummy(password.clone()).await?;
            Verified::No
        }
    };
    let known = user.as_ref().map(|u| u.id);
    let (Some(user), Verified::Yes { rehash }) = (user, verified) else {
        state
            .tx(move |conn| Ok(accounts::login_failed(conn, known, &origin)?))
            .await?;
        return Err(invalid_credentials());
    };
    let rehashed = if rehash {
        Some(state.auth.passwords.hash(password).await?)
    } else {
        None
    };
    let policy = state.auth.sessions;
    let (id, role) = (user.id, user.role);
    let (session, refresh) = state
        .tx(move |conn| {
            Ok(accounts::login(
                conn,
                id,
                rehashed.as_ref(),
                &policy,
                &origin,
            )?)
        })
        .await?;
    Ok(web::Json(token_pair(&state, id, role, session, refresh)?))
}
