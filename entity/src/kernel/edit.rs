//! The life of an edit, without any transport: a refusal with its problems, a client
//! mutation id that makes a retried create safe (the receipt), and optimistic concurrency
//! through `version`.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::is_unique_violation;
use crate::mutation_receipt;
use crate::{Problem, Problems};

/// A mutation failed on its input: the user errors to return.
#[derive(Debug)]
pub struct Refused(pub Problems);

impl From<Problems> for Refused {
    fn from(p: Problems) -> Self {
        Refused(p)
    }
}

impl From<crate::FieldProblem> for Refused {
    fn from(p: crate::FieldProblem) -> Self {
        Refused(p.into())
    }
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
        let cmid = crate::validate::required_text(&["input", "clientMutationId"], cmid, 100)?;
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
            created_at: Set(crate::clock::real_now()),
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
    db: &impl ConnectionTrait,
    created: impl FnOnce(T) -> Uuid,
) -> Result<Uuid, Outcome> {
    match (result, receipt) {
        (Ok(v), _) => Ok(created(v)),
        (Err(Outcome::Raced), Some(r)) => r.earlier(db).await?.ok_or(Outcome::Raced),
        (Err(e), _) => Err(e),
    }
}

/// The record an earlier request with the same client mutation id created, if any (a retry).
pub async fn replay<E: EntityTrait>(
    receipt: Option<&Receipt<'_>>,
    db: &impl ConnectionTrait,
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

/// Why a mutation did not complete.
pub enum Outcome {
    /// The actor may not do this here (see [`super::crud::Act::permit`]).
    Denied(Denied),
    Refused(Refused),
    /// A concurrent request with the same client mutation id committed first.
    Raced,
    Db(DbErr),
}

/// How a permission refusal is answered: the public is asked to sign in, an account is told
/// it may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    Unauthenticated,
    Forbidden,
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

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
