use actix_web::{get, web};
use domain::care;
use domain::habits::{sharing, store};
use domain::ids::UserId;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::habits::{views, HabitView};
use crate::state::AppState;

/// The habits this client shares with you, with how each stands today.
///
/// Therapists only, for a current client: only habits shared with you now
/// (not revoked, not expired); others are not counted or hinted at. Each
/// habit listed is written to the client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_client_habits",
    params(("id" = UserId, Path, description = "The client")),
    responses(
        (status = 200, description = "Shared habits", body = Vec<HabitView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/habits")]
pub async fn get_habits(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
) -> Result<web::Json<Vec<HabitView>>, ApiError> {
    let client = id.into_inner();
    let now = state.config.clock.now();
    let list = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            let shared = sharing::shared_habits(conn, &access, now)?;
            let today = store::today_of(conn, client, now)?;
            let (habits, shares): (Vec<_>, Vec<_>) = shared.into_iter().unzip();
            let mut numbers = store::now_of_each(conn, &habits, today)?;
            let mut shares = habits
                .iter()
                .map(|h| h.id)
                .zip(shares)
                .collect::<std::collections::HashMap<_, _>>();
            views(habits, &mut numbers, |id| shares.remove(&id))
        })
        .await?;
    Ok(web::Json(list))
}
