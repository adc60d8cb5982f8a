//! The shape every mutation shares: one `input:`, a payload with the record and `userErrors`,
//! a client mutation id that makes a retried create safe, and optimistic concurrency through
//! `version`.

use async_graphql::SimpleObject;
use entity::{Lang, Problem, Problems, UserErrorCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use entity::kernel::edit::{
    Outcome, Receipt, Refused, check_ref, duplicate_or, hex, replay, update_versioned,
    winner_of_race,
};

/// A problem with the input, at a path such as `["input", "name"]`.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// Where in the input: `["input", "name"]`.
    pub field: Vec<String>,
    /// What is wrong, in the requested language (Indonesian by default).
    pub message: String,
    pub code: UserErrorCode,
}

/// The user errors of `problems`, in `lang`.
pub fn user_errors(problems: Problems, lang: Lang) -> Vec<UserError> {
    problems
        .0
        .into_iter()
        .map(|p| UserError {
            code: p.problem.code(),
            message: p.problem.message(lang),
            field: p.field,
        })
        .collect()
}

/// The scope a client mutation id of a public create lives in: the account's when signed in,
/// else the address the request is for (hashed). Two citizens who both pick `"1"` never see
/// each other's record; a retry of one citizen's request finds theirs.
pub fn person_scope(ctx: &async_graphql::Context<'_>, email: &str) -> String {
    match super::context::CtxExt::viewer(ctx).account_id() {
        Some(id) => format!("account:{id}"),
        None => format!(
            "public:{}",
            hex(&Sha256::digest(email.trim().to_lowercase().as_bytes()))
        ),
    }
}

/// A field a create's input may leave out, as the shared checks read it: given or not.
pub fn given<T>(v: Option<T>) -> async_graphql::MaybeUndefined<T> {
    v.map_or(
        async_graphql::MaybeUndefined::Undefined,
        async_graphql::MaybeUndefined::Value,
    )
}

/// The answer of a mutation: the record (wrapped for GraphQL) and no user errors, or the user
/// errors; faults become internal errors.
pub fn settle<M, T>(
    result: Result<M, Outcome>,
    lang: Lang,
    wrap: impl FnOnce(M) -> T,
) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(m) => Ok((Some(wrap(m)), vec![])),
        Err(Outcome::Refused(Refused(p))) => Ok((None, user_errors(p, lang))),
        Err(e) => Err(crate::graphql::errors::not_done(e, lang)),
    }
}

/// An optional input field as "unchanged or set".
pub fn present<T>(v: Option<&T>) -> async_graphql::MaybeUndefined<&T> {
    match v {
        Some(v) => async_graphql::MaybeUndefined::Value(v),
        None => async_graphql::MaybeUndefined::Undefined,
    }
}

/// A borrowed view of an optional, clearable input field.
pub fn maybe_ref<T>(v: &async_graphql::MaybeUndefined<T>) -> async_graphql::MaybeUndefined<&T> {
    match v {
        async_graphql::MaybeUndefined::Undefined => async_graphql::MaybeUndefined::Undefined,
        async_graphql::MaybeUndefined::Null => async_graphql::MaybeUndefined::Null,
        async_graphql::MaybeUndefined::Value(v) => async_graphql::MaybeUndefined::Value(v),
    }
}

/// A mutation payload type: `payload!(PlanPayload, plan: Plan, entity::action_plan::Model)`.
#[macro_export]
macro_rules! payload {
    ($name:ident, $field:ident: $ty:ty, $model:ty) => {
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            pub client_mutation_id: Option<String>,
            pub $field: Option<$ty>,
            pub user_errors: Vec<$crate::graphql::mutation::UserError>,
        }

        impl $name {
            /// The payload of `result` (user errors in `lang`).
            pub fn of(
                result: Result<$model, $crate::graphql::mutation::Outcome>,
                client_mutation_id: Option<String>,
                lang: entity::Lang,
                wrap: impl FnOnce($model) -> $ty,
            ) -> async_graphql::Result<Self> {
                let ($field, user_errors) = $crate::graphql::mutation::settle(result, lang, wrap)?;
                Ok(Self {
                    client_mutation_id,
                    $field,
                    user_errors,
                })
            }

            /// A payload refusing the input before anything was read.
            pub fn refused(problems: entity::Problems, lang: entity::Lang) -> Self {
                Self {
                    client_mutation_id: None,
                    $field: None,
                    user_errors: $crate::graphql::mutation::user_errors(problems, lang),
                }
            }
        }
    };
}

/// What a delete answers.
#[derive(SimpleObject)]
pub struct DeletePayload {
    pub deleted_id: Option<async_graphql::ID>,
    pub user_errors: Vec<UserError>,
}

impl DeletePayload {
    pub fn of(
        result: Result<(), Outcome>,
        id: async_graphql::ID,
        lang: Lang,
    ) -> async_graphql::Result<Self> {
        let (done, user_errors) = settle(result, lang, |()| id)?;
        Ok(Self {
            deleted_id: done,
            user_errors,
        })
    }

    pub fn not_found(field: &str, lang: Lang) -> Self {
        Self {
            deleted_id: None,
            user_errors: user_errors(Problems::one(&["input", field], Problem::NotFound), lang),
        }
    }
}

/// Input for deleting a versioned record.
#[derive(async_graphql::InputObject)]
pub struct DeleteInput {
    pub id: async_graphql::ID,
    pub version: i32,
}

/// A date range read from the input: `start` must not be after `end`.
pub use entity::validate::check_range;

/// Decodes an optional global id of `kind`; a wrong one is NOT_FOUND on `input.<field>`.
pub fn decode_opt(
    problems: &mut Problems,
    field: &str,
    id: Option<&async_graphql::ID>,
    kind: &str,
) -> Option<Uuid> {
    let id = id?;
    let found = crate::graphql::ids::decode_as(id, kind);
    if found.is_none() {
        problems.push(&["input", field], Problem::NotFound);
    }
    found
}

/// Decodes a clearable global id field (`MaybeUndefined`): `None` = unchanged.
pub fn decode_maybe(
    problems: &mut Problems,
    field: &str,
    id: &async_graphql::MaybeUndefined<async_graphql::ID>,
    kind: &str,
) -> Option<Option<Uuid>> {
    match id {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(v) => {
            decode_opt(problems, field, Some(v), kind).map(Some)
        }
    }
}

/// A column set when the input gave a value and left alone otherwise.
pub use entity::kernel::crud::set;

/// A clearable field: `None` = unchanged, `Some(None)` = cleared.
pub fn maybe<T: Clone>(v: &async_graphql::MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(t) => Some(Some(t.clone())),
    }
}

/// A clearable date field: `None` = unchanged.
pub fn date_change(
    v: &async_graphql::MaybeUndefined<super::scalars::Date>,
) -> Option<Option<chrono::NaiveDate>> {
    match v {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(d) => Some(Some(d.0)),
    }
}

/// A clearable text field, checked: `None` = unchanged (or refused).
pub fn text_change(
    problems: &mut Problems,
    field: &str,
    v: &async_graphql::MaybeUndefined<String>,
    max: usize,
    long: bool,
) -> Option<Option<String>> {
    entity::validate::text_change(problems, field, maybe(v), max, long)
}
