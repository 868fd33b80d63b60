//! Extractors beyond actix's own.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// A JSON object body, and only an object.
///
/// serde's derived `Deserialize` for a struct also takes a JSON array of
/// its fields in order, so with actix's own `Json<T>` a body of `[]` is
/// "no fields given" and `[true]` sets the first field. Every request body
/// of this service is an object; anything else gets 422 `invalid_body`
/// through the same error handler as every other shape error.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parsed = web::Json::<ObjectOnly<T>>::from_request(req, payload);
        Box::pin(async move { parsed.await.map(|json| Json(json.into_inner().0)) })
    }
}

/// Deserializes `T` from a JSON object only (see [`Json`]).
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Object<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(Object(PhantomData))
            .map(ObjectOnly)
    }
}

/// A JSON body that may be left out: no body at all means `T::default()`.
///
/// A body that is there must be a JSON object of the right shape, like any
/// other ([`Json`]): actix's own `Option<Json<T>>` turns *every* failure into `None`,
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
        let parsed = Json::<T>::from_request(req, payload);
        Box::pin(async move { parsed.await.map(|json| OptionalJson(json.into_inner())) })
    }
}
