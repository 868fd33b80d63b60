//! Extractors beyond actix's own.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// A JSON body that may be left out: no body at all means `T::default()`.
///
/// A body that is there must be valid JSON of the right shape, like any
/// other: actix's own `Option<Json<T>>` turns *every* failure into `None`,
/// so `{"expires_at": "2030-01-01"}` (a date, not a date-time) or a typo in
/// a field name would silently mean "no body". Errors get the same problems
/// (400, 413, 415, 422) as every other JSON body.
pub struct OptionalJson<T>(pub T);

fn has_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(length) => length.to_str().map_or(true, |l| l.trim() != "0"),
        None => headers.contains_key(header::TRANSFER_ENCODING),
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !has_body(req) {
            return Box::pin(async { Ok(OptionalJson(T::default())) });
        }
        let parsed = web::Json::<T>::from_request(req, payload);
        Box::pin(async move { parsed.await.map(|json| OptionalJson(json.into_inner())) })
    }
}
