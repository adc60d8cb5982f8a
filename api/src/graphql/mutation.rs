//! The shape every mutation shares: one `input:`, a payload with the record and `userErrors`,
//! a client mutation id that makes a retried create safe, and optimistic concurrency through
//! `version`.

use async_graphql::SimpleObject;
use entity::Refusal;
use entity::db::is_unique_violation;
use entity::mutation_receipt;
use entity::{Lang, Problem, Problems, UserErrorCode};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

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

/// A mutation failed on its input: the user errors to return.
pub struct Refused(pub Problems);

impl From<Problems> for Refused {
    fn from(p: Problems) -> Self {
        Refused(p)
    }
}

impl From<entity::FieldProblem> for Refused {
    fn from(p: entity::FieldProblem) -> Self {
        Refused(p.into())
    }
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

/// A client mutation id with what it guards.
pub struct Receipt<'a> {
    pub scope: &'a str,
    pub mutation: &'static str,
    pub client_mutation_id: String,
    pub input_hash: String,
}

impl<'a> Receipt<'a> {
    /// A receipt for `input` when the client sent an id, `None` otherwise.
    pub fn new<I: Serialize>(
        scope: &'a str,
        mutation: &'static str,
        client_mutation_id: Option<&str>,
        input: &I,
    ) -> Result<Option<Self>, Refused> {
        let Some(cmid) = client_mutation_id else {
            return Ok(None);
        };
        let cmid = entity::validate::required_text(&["input", "clientMutationId"], cmid, 100)?;
        let json = serde_json::to_vec(input).unwrap_or_default();
        Ok(Some(Self {
            scope,
            mutation,
            client_mutation_id: cmid,
            input_hash: hex(&Sha256::digest(json)),
        }))
    }

    /// The record an earlier request with this id created, if any. A reused id with a
    /// different input is refused.
    pub async fn earlier<C: ConnectionTrait>(&self, db: &C) -> Result<Option<Uuid>, Outcome> {
        use mutation_receipt::Column as C;
        let found = mutation_receipt::Entity::find()
            .filter(C::Scope.eq(self.scope))
            .filter(C::Mutation.eq(self.mutation))
            .filter(C::ClientMutationId.eq(&self.client_mutation_id))
            .one(db)
            .await
            .map_err(Outcome::Db)?;
        match found {
            None => Ok(None),
            Some(r) if r.input_hash == self.input_hash => Ok(Some(r.entity_id)),
            Some(_) => Err(Outcome::Refused(Refused(Problems::one(
                &["input", "clientMutationId"],
                Problem::ClientMutationIdReused,
            )))),
        }
    }

    /// Records that this id created `entity_id` (in the creating transaction). A concurrent
    /// retry that got there first shows up as [`Outcome::Raced`].
    pub async fn save<C: ConnectionTrait>(&self, db: &C, entity_id: Uuid) -> Result<(), Outcome> {
        let row = mutation_receipt::ActiveModel {
            id: Set(Uuid::now_v7()),
            scope: Set(self.scope.to_owned()),
            mutation: Set(self.mutation.to_owned()),
            client_mutation_id: Set(self.client_mutation_id.clone()),
            input_hash: Set(self.input_hash.clone()),
            entity_id: Set(entity_id),
            // Real time: a receipt is about a client retrying on the wire.
            created_at: Set(entity::clock::real_now()),
        };
        match mutation_receipt::Entity::insert(row)
            .exec_without_returning(db)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(Outcome::Raced),
            Err(e) => Err(Outcome::Db(e)),
        }
    }
}

/// Settles a create that ran with a receipt: when a concurrent retry with the same client
/// mutation id committed first ([`Outcome::Raced`]), the answer is the record that one created.
pub async fn winner_of_race<T>(
    result: Result<T, Outcome>,
    receipt: Option<&Receipt<'_>>,
    db: &sea_orm::DatabaseConnection,
    created: impl FnOnce(T) -> Uuid,
) -> Result<Uuid, Outcome> {
    match (result, receipt) {
        (Ok(v), _) => Ok(created(v)),
        (Err(Outcome::Raced), Some(r)) => r.earlier(db).await?.ok_or(Outcome::Raced),
        (Err(e), _) => Err(e),
    }
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
        Err(Outcome::Raced) => Err(crate::graphql::errors::internal("unexpected race", lang)),
        Err(Outcome::Db(e)) => Err(crate::graphql::errors::internal(e, lang)),
    }
}

/// The record an earlier request with the same client mutation id created, if any (a retry).
pub async fn replay<E: EntityTrait>(
    receipt: Option<&Receipt<'_>>,
    db: &sea_orm::DatabaseConnection,
) -> Result<Option<E::Model>, Outcome>
where
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let Some(r) = receipt else { return Ok(None) };
    match r.earlier(db).await? {
        Some(id) => Ok(E::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// Writes `changes` to record `id` only if it is still at `version` (and moves it to the next
/// one): a stale version is a CONFLICT on `input.version`, a unique violation a DUPLICATE on
/// `input.<unique_field>`. Returns the updated record.
pub async fn update_versioned<E, C>(
    tx: &C,
    id: Uuid,
    version: i32,
    changes: E::ActiveModel,
    unique_field: &str,
) -> Result<E::Model, Outcome>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{Iterable, ModelTrait, PrimaryKeyToColumn};
    use std::str::FromStr;
    let pk = E::PrimaryKey::iter()
        .next()
        .expect("a primary key")
        .into_column();
    let Ok(ver) = E::Column::from_str("version") else {
        panic!("{} has no version column", E::default().table_name());
    };
    let result = E::update_many()
        .set(changes)
        .col_expr(ver, Expr::col(ver).add(1))
        .filter(pk.eq(id))
        .filter(ver.eq(version))
        .exec(tx)
        .await
        .map_err(|e| duplicate_or(e, unique_field))?;
    let current = E::find_by_id(id).one(tx).await?;
    let Some(current) = current else {
        return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
    };
    if result.rows_affected != 1 {
        let now = match current.get(ver) {
            sea_orm::Value::Int(Some(v)) => v,
            _ => version,
        };
        return Err(Problems::one(
            &["input", "version"],
            Problem::StaleVersion { current: now },
        )
        .into());
    }
    Ok(current)
}

/// A unique violation on `field` is a user error (a duplicate); anything else is a fault.
pub fn duplicate_or(e: DbErr, field: &str) -> Outcome {
    if is_unique_violation(&e) {
        Problems::one(&["input", field], Problem::Duplicate).into()
    } else {
        e.into()
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

/// Why a mutation did not complete.
pub enum Outcome {
    Refused(Refused),
    /// A concurrent request with the same client mutation id committed first.
    Raced,
    Db(DbErr),
}

impl From<DbErr> for Outcome {
    fn from(e: DbErr) -> Self {
        Outcome::Db(e)
    }
}

impl From<Refused> for Outcome {
    fn from(r: Refused) -> Self {
        Outcome::Refused(r)
    }
}

impl From<Problems> for Outcome {
    fn from(p: Problems) -> Self {
        Outcome::Refused(Refused(p))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
pub fn check_range(
    problems: &mut Problems,
    field: &str,
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
) {
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        problems.push(&["input", field], Problem::Refused(Refusal::EndBeforeStart));
    }
}

/// An optional reference to a record of `kind` in `member`, checked inside a transaction.
pub async fn check_ref<E, C>(
    db: &C,
    problems: &mut Problems,
    field: &str,
    id: Option<Uuid>,
    member: Uuid,
    member_of: impl Fn(&E::Model) -> Uuid,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    if let Some(id) = id
        && E::find_by_id(id)
            .one(db)
            .await?
            .is_none_or(|m| member_of(&m) != member)
    {
        problems.push(&["input", field], Problem::NotFound);
    }
    Ok(())
}

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
pub fn set<T: Into<sea_orm::Value>>(v: Option<T>) -> sea_orm::ActiveValue<T> {
    v.map(sea_orm::ActiveValue::Set)
        .unwrap_or(sea_orm::ActiveValue::NotSet)
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
    match v {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(t) => {
            let r = if long {
                entity::validate::long_text(&["input", field], Some(t), max)
            } else {
                entity::validate::optional_text(&["input", field], Some(t), max)
            };
            problems.check(r)
        }
    }
}
