//! Top-level GraphQL errors and their `extensions.code`, in one place.
//!
//! Validation problems of a mutation's input are not here: they go in the payload's
//! `userErrors`. Top-level errors are for: not signed in, not allowed, not found, limits, bad
//! requests and internal faults. An internal fault never shows its cause to the client (it is
//! logged with the request id instead).

use async_graphql::{Error, ErrorExtensions};
use entity::Lang;

pub use crate::errors::{code, internal_message, storage_message};

fn with_code(message: String, code: &'static str) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code))
}

pub fn not_found(lang: Lang) -> Error {
    with_code(
        match lang {
            Lang::Id => "Data tidak ditemukan.".into(),
            Lang::En => "Not found.".into(),
        },
        code::NOT_FOUND,
    )
}

pub fn unauthenticated(lang: Lang) -> Error {
    with_code(
        match lang {
            Lang::Id => "Silakan masuk terlebih dahulu.".into(),
            Lang::En => "Please sign in first.".into(),
        },
        code::UNAUTHENTICATED,
    )
}

pub fn forbidden(lang: Lang) -> Error {
    with_code(
        match lang {
            Lang::Id => "Anda tidak berwenang melakukan ini.".into(),
            Lang::En => "You are not allowed to do this.".into(),
        },
        code::FORBIDDEN,
    )
}

pub fn page_size(lang: Lang, max: i32) -> Error {
    with_code(
        match lang {
            Lang::Id => format!("Ukuran halaman harus antara 0 dan {max}."),
            Lang::En => format!("The page size must be between 0 and {max}."),
        },
        code::PAGE_SIZE_EXCEEDED,
    )
}

pub fn bad_input(message: String) -> Error {
    with_code(message, code::BAD_USER_INPUT)
}

/// A bad argument of a query, naming the argument in `extensions.field`.
pub fn bad_argument(lang: Lang, argument: &str, id: &str, en: &str) -> Error {
    let message = match lang {
        Lang::Id => id.to_owned(),
        Lang::En => en.to_owned(),
    };
    let argument = argument.to_owned();
    Error::new(message).extend_with(move |_, e| {
        e.set("code", code::BAD_USER_INPUT);
        e.set("field", argument.clone());
    })
}

pub fn rate_limited(lang: Lang) -> Error {
    with_code(
        match lang {
            Lang::Id => "Terlalu banyak permintaan. Coba lagi sebentar lagi.".into(),
            Lang::En => "Too many requests. Try again shortly.".into(),
        },
        code::RATE_LIMITED,
    )
}

/// Logs an unexpected error and returns one that hides it (a storage that cannot take writes
/// is said as such: see [`storage_unavailable`]).
pub fn internal(err: impl std::fmt::Display, lang: Lang) -> Error {
    let text = err.to_string();
    if entity::db::is_storage_failure(&text) {
        tracing::error!(error = %text, "storage cannot take writes");
        return storage_unavailable(lang);
    }
    tracing::error!(error = %text, "internal error");
    with_code(internal_message(lang).to_owned(), code::INTERNAL)
}

/// The storage (database or file store) cannot take the write: nothing was saved.
pub fn storage_unavailable(lang: Lang) -> Error {
    with_code(storage_message(lang).to_owned(), code::STORAGE_UNAVAILABLE)
}

/// A mutation that ended other than with its user errors: permission refused
/// (UNAUTHENTICATED for the public, FORBIDDEN for an account) or a fault (INTERNAL).
pub fn not_done(outcome: entity::kernel::edit::Outcome, lang: Lang) -> Error {
    use entity::kernel::edit::{Denied, Outcome};
    match outcome {
        Outcome::Denied(Denied::Unauthenticated) => unauthenticated(lang),
        Outcome::Denied(Denied::Forbidden) => forbidden(lang),
        Outcome::Refused(_) => internal("a refusal answered as a fault", lang),
        Outcome::Raced => internal("unexpected race", lang),
        Outcome::Db(e) => internal(e, lang),
    }
}
