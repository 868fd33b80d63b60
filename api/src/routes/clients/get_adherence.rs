use actix_web::{get, web};
use chrono::NaiveDate;
use domain::care;
use domain::exercises;
use domain::ids::UserId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::assignments::{AdherencePeriod, AdherenceView};
use crate::state::AppState;

/// A client's adherence over every current assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientAdherenceView {
    pub client_id: UserId,
    /// The client's local date the figures end on.
    pub as_of: NaiveDate,
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    /// Summed over the assignments below.
    pub last_7_days: AdherencePeriod,
    pub last_30_days: AdherencePeriod,
    /// Each assignment made under the current care link, newest first.
    pub assignments: Vec<AdherenceView>,
}

/// How often this client practises: the last 7 and 30 local days.
///
/// Therapists only, for a current client: every assignment made under the
/// current care link, and the sum. Computed from schedules and responses in
/// the client's time zone (a private response counts as done). Each
/// assignment is written to the client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_client_adherence",
    params(("id" = UserId, Path, description = "The client")),
    responses(
        (status = 200, description = "Adherence", body = ClientAdherenceView),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/adherence")]
pub async fn get_adherence(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
) -> Result<web::Json<ClientAdherenceView>, ApiError> {
    let client = id.into_inner();
    let now = state.config.clock.now();
    let (total, each) = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(exercises::client_adherence(conn, &access, now)?)
        })
        .await?;
    Ok(web::Json(ClientAdherenceView {
        client_id: client,
        as_of: total.as_of,
        time_zone: total.zone.name().to_owned(),
        last_7_days: total.last_7_days.into(),
        last_30_days: total.last_30_days.into(),
        assignments: each
            .into_iter()
            .map(|(a, report)| AdherenceView::new(a.id, a.template.title, a.status, report))
            .collect(),
    }))
}
