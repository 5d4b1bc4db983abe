//! The extractors every handler takes its input through, in place of axum's: the same shapes,
//! with every value checked by [`acquis_input`] and every refusal a French page.
//!
//! axum's own answer English plain text to a missing Content-Type, a field of the wrong type or
//! a malformed id, and pass a NUL byte on to PostgreSQL, which answers it with an error (a 500).
//! Here every value of every form and query string passes [`acquis_input::check_any`] before it
//! is deserialized, and the fields typed [`acquis_input::Text`] their kind's rules; a refused
//! value is a 422 naming the field, a body that is not a form a 415, a malformed query a 400, a
//! malformed path a 404 (an id that cannot exist is not found).

use acquis_input::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::{has, t, t_args};

/// A URL-encoded form body.
pub struct Form<T>(pub T);

/// A query string.
pub struct Query<T>(pub T);

/// Path parameters; a value that does not parse is a 404.
pub struct Path<T>(pub T);

/// The query string as it came, once every key and value passed the common check (lists whose
/// filters repeat a key read it by hand).
pub struct RawQuery(pub Option<String>);

/// A multipart body (file uploads).
pub struct Multipart(pub axum::extract::Multipart);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !has_content_type(req.headers(), "application/x-www-form-urlencoded") {
            return Err(not_a_form());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| body_refused(e.status()))?;
        decode(&bytes).map(Form)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        match parse(query.as_bytes()) {
            Ok(v) => Ok(Query(v)),
            Err(Refusal::Value(field, p)) => Err(refused(&field, p)),
            // A link that does not parse is the link's fault, not a refused input.
            Err(Refusal::Shape) => Err(AppError::BadRequest(t("input-bad-query"))),
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(AppError::NotFound),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RawQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query();
        if let Some(q) = query
            && let Err(Refusal::Value(field, p)) = check_pairs(q.as_bytes())
        {
            return Err(refused(&field, p));
        }
        Ok(RawQuery(query.map(str::to_owned)))
    }
}

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(|_| not_a_form())
    }
}

fn has_content_type(headers: &axum::http::HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(expected))
}

/// Why a form or a query string was refused.
enum Refusal {
    /// A value broke its kind's rules (or the rules every value keeps).
    Value(String, Problem),
    /// A field missing or of the wrong type: not the page we served.
    Shape,
}

/// Checks every key and value, then deserializes: a refusal names the field.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    parse(bytes).map_err(|r| match r {
        Refusal::Value(field, p) => refused(&field, p),
        Refusal::Shape => malformed(),
    })
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refusal> {
    check_pairs(bytes)?;
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        match Problem::from_serde_message(&e.into_inner().to_string()) {
            Some(p) => Refusal::Value(field, p),
            None => Refusal::Shape,
        }
    })
}

/// The rules every key and value keeps, typed or not.
fn check_pairs(bytes: &[u8]) -> Result<(), Refusal> {
    for (key, value) in form_urlencoded::parse(bytes) {
        acquis_input::check_any(&key).map_err(|p| Refusal::Value(String::new(), p))?;
        acquis_input::check_any(&value).map_err(|p| Refusal::Value(key.into_owned(), p))?;
    }
    Ok(())
}

/// The French label of a form field, as its form shows it; the field's name when it has none.
pub fn field_label(field: &str) -> String {
    let id = format!("field-{}", field.replace('_', "-"));
    if !field.is_empty() && has(&id) {
        t(&id)
    } else {
        t("field-unnamed")
    }
}

/// A value refused by its kind's rules: 422, naming the field.
pub fn refused(field: &str, problem: Problem) -> AppError {
    AppError::Page {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        title: t("input-refused-title"),
        message: format!("{} {}", problem_message(field, problem), t("input-go-back")),
    }
}

/// What is wrong with a field's value, in French.
pub fn problem_message(field: &str, problem: Problem) -> String {
    let label = field_label(field);
    match problem {
        Problem::Control => t_args("input-control", &[("field", &label)]),
        Problem::TooLong { max } => t_args(
            "input-too-long",
            &[("field", &label), ("max", &max.to_string())],
        ),
        Problem::Email => t_args("input-email", &[("field", &label)]),
    }
}

/// A form whose shape is wrong (a missing field, a value of the wrong type): the page was not
/// the one we served.
pub fn malformed() -> AppError {
    AppError::Page {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        title: t("input-refused-title"),
        message: t("input-malformed"),
    }
}

fn not_a_form() -> AppError {
    AppError::Page {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        title: t("input-refused-title"),
        message: t("input-not-a-form"),
    }
}

fn body_refused(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::Page {
            status,
            title: t("input-refused-title"),
            message: t("input-body-too-large"),
        }
    } else {
        malformed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquis_input::{Name, Text};

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Signup {
        first_name: Text<Name>,
        password: String,
        #[serde(default)]
        page: Option<i64>,
    }

    fn status_and_message(e: AppError) -> (StatusCode, String) {
        match e {
            AppError::Page {
                status, message, ..
            } => (status, message),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_nul_byte_in_an_untyped_field_is_refused_naming_it() {
        let (status, message) = status_and_message(
            decode::<Signup>(b"first_name=Zo%C3%A9&password=a%00b").unwrap_err(),
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("Mot de passe"), "{message}");
    }

    #[test]
    fn a_typed_field_says_its_kind_s_limit() {
        let body = format!("first_name={}&password=x", "a".repeat(101));
        let (status, message) = status_and_message(decode::<Signup>(body.as_bytes()).unwrap_err());
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            message.contains("Prénom") && message.contains("100"),
            "{message}"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        let (status, _) =
            status_and_message(decode::<Signup>(b"first_name=Zo%E9&password=x").unwrap_err());
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn a_wrong_type_is_a_french_refusal() {
        let (status, message) =
            status_and_message(decode::<Signup>(b"first_name=a&password=x&page=abc").unwrap_err());
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(message, t("input-malformed"));
    }

    #[test]
    fn a_clean_form_is_normalised() {
        let s: Signup = decode(b"first_name=+Zoe%CC%81+&password=+a+").unwrap();
        assert_eq!(s.first_name.as_str(), "Zoé");
        assert_eq!(s.password, " a ");
    }
}
