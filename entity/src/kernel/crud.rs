//! The life of an edited record, written once: create (with a client mutation id), versioned
//! update, status transition and delete — each in one write transaction with its audit record.
//! A capability's operation says what is checked and written; this says how.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, ModelTrait,
    PrimaryKeyTrait,
};
use serde::Serialize;
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::edit::{Outcome, Receipt, duplicate_or, replay, update_versioned, winner_of_race};
use crate::transitions::Transitions;
use crate::{Problem, Problems, Refusal};

/// Who acts, where and when: what every write operation is given.
#[derive(Clone, Copy)]
pub struct Act<'a> {
    /// The pool, or the transaction of a larger operation this one is a part of.
    pub db: crate::db::Db<'a>,
    pub actor: &'a Actor,
    /// The request the change came with (kept in the audit record).
    pub request_id: Option<&'a str>,
    /// The domain clock's time for this operation.
    pub now: DateTime<Utc>,
}

impl Act<'_> {
    /// The first step of every operation: the permission rule `rule` (see
    /// [`super::policy::RULES`]) for a record of `member`. An unknown rule refuses.
    pub fn permit(&self, rule: &str, member: Option<Uuid>) -> Result<(), Outcome> {
        match super::policy::rule(rule) {
            Some(r) if super::policy::allows(self.actor, r, member) => Ok(()),
            _ => Err(self.denied()),
        }
    }

    /// [`Self::permit`] for a record that names people responsible for it: besides the rule's
    /// roles, a team member who is one of `responsible` may act on it.
    pub fn permit_responsible(
        &self,
        rule: &str,
        member: Uuid,
        responsible: &[Uuid],
    ) -> Result<(), Outcome> {
        let own = self
            .actor
            .account
            .as_ref()
            .and_then(|a| a.person_id)
            .is_some_and(|p| responsible.contains(&p));
        if own
            && self
                .actor
                .has(member, &[crate::role_grant::Role::TeamMember])
        {
            return Ok(());
        }
        self.permit(rule, Some(member))
    }

    fn denied(&self) -> Outcome {
        Outcome::Denied(if self.actor.is_signed_in() {
            super::edit::Denied::Forbidden
        } else {
            super::edit::Denied::Unauthenticated
        })
    }

    /// Whose client mutation ids a receipt is kept under.
    pub fn scope(&self) -> String {
        match self.actor.account_id() {
            Some(id) => format!("account:{id}"),
            None => "public".to_owned(),
        }
    }
}

/// A record edited through the versioned pipeline (create with a receipt, update at a
/// version, status transition, delete), each step audited.
pub trait Record: EntityTrait
where
    <Self::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    Self::Model: Serialize + Clone + Send + Sync + IntoActiveModel<Self::ActiveModel>,
    Self::ActiveModel: ActiveModelTrait<Entity = Self> + Send,
{
    /// The table (names its privacy columns in the audit log).
    const TABLE: &'static str;
    /// The global-ID type (the GraphQL type's name).
    const KIND: &'static str;
    /// The input field a unique violation is reported on (a duplicate).
    const UNIQUE_FIELD: &'static str = "id";
    /// The refusal when others still refer to a record being deleted.
    const IN_USE: Refusal = Refusal::RecordInUse;
    fn id_of(m: &Self::Model) -> Uuid;
    fn member_of(m: &Self::Model) -> Uuid;
}

fn change<E: Record>(
    action: &'static str,
    before: Option<&E::Model>,
    after: Option<&E::Model>,
) -> Change
where
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let any = after.or(before).expect("a change has a record");
    Change::of(
        E::TABLE,
        E::KIND,
        action,
        E::id_of(any),
        Some(E::member_of(any)),
        before,
        after,
    )
}

/// A column set when a change gives a value, left alone otherwise.
pub fn set<T: Into<sea_orm::Value>>(v: Option<T>) -> sea_orm::ActiveValue<T> {
    v.map(sea_orm::ActiveValue::Set)
        .unwrap_or(sea_orm::ActiveValue::NotSet)
}

/// What a create needs besides its record.
pub struct Create<'a, I: Serialize> {
    pub mutation: &'static str,
    pub client_mutation_id: Option<&'a str>,
    pub input: &'a I,
    /// Problems found while reading the input (the create stops if there are any).
    pub problems: Problems,
}

/// Creates a record: replays a retried request, checks (inside the transaction), inserts
/// `build(id, now)`, runs `then` for dependent rows, and audits — all or nothing.
pub async fn create<E, I>(
    act: &Act<'_>,
    spec: Create<'_, I>,
    check: impl AsyncFnOnce(&DatabaseTransaction, &mut Problems) -> Result<(), DbErr>,
    build: impl FnOnce(Uuid, DateTime<Utc>) -> E::ActiveModel,
    then: impl AsyncFnOnce(&DatabaseTransaction, &E::Model) -> Result<(), Outcome>,
) -> Result<E::Model, Outcome>
where
    E: Record,
    I: Serialize,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + sea_orm::TryIntoModel<E::Model> + Send,
{
    let db = act.db;
    let scope = act.scope();
    let receipt = Receipt::new(&scope, spec.mutation, spec.client_mutation_id, spec.input)?;
    if let Some(m) = replay::<E>(receipt.as_ref(), &db.exec()).await? {
        return Ok(m);
    }
    let mut problems = spec.problems;
    let id = Uuid::now_v7();
    let result = crate::db::write(db, async |tx| -> Result<E::Model, Outcome> {
        if let Some(r) = &receipt {
            r.save(tx, id).await?;
        }
        check(tx, &mut problems).await?;
        std::mem::take(&mut problems).into_result()?;
        let record = build(id, act.now);
        // Part of a larger write, the record is what was inserted, every column given (the
        // clock is already at whole microseconds, as both databases keep it): a read-back
        // per row was a quarter of an import's statements.
        let known = match db {
            crate::db::Db::Within(_) => sea_orm::TryIntoModel::try_into_model(record.clone()).ok(),
            _ => None,
        };
        E::insert(record)
            .exec_without_returning(tx)
            .await
            .map_err(|e| duplicate_or(e, E::UNIQUE_FIELD))?;
        let created = match known {
            Some(model) => model,
            None => E::find_by_id(id).one(tx).await?.expect("just inserted"),
        };
        then(tx, &created).await?;
        audit::record_for(
            act.db,
            tx,
            act.actor,
            act.request_id,
            change::<E>("CREATE", None, Some(&created)),
            act.now,
        )
        .await?;
        Ok(created)
    })
    .await;
    if let crate::db::Db::Within(_) = db {
        // Part of a larger write: no other request can have raced it yet.
        return result;
    }
    let id = winner_of_race(result, receipt.as_ref(), &db.exec(), |_| id).await?;
    E::find_by_id(id)
        .one(&db.exec())
        .await?
        .ok_or(Outcome::Raced)
}

/// The records of one kind that many rows refer to, read together: the reference check of
/// [`super::edit::check_ref`] for a batch of rows (an import's), one statement per thousand
/// ids instead of one per row, with the same verdict — a reference not found, or in another
/// member, is `NOT_FOUND` at `input.<field>`.
pub struct Known(std::collections::HashMap<Uuid, Uuid>);

impl Known {
    /// Reads the member of every record of `E` among `ids`.
    pub async fn load<E>(
        db: &impl sea_orm::ConnectionTrait,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Self, DbErr>
    where
        E: Record,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
        E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
        E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    {
        use sea_orm::{ColumnTrait, Iterable, PrimaryKeyToColumn, QueryFilter};
        /// Bound parameters a statement, well under SQLite's and PostgreSQL's limits.
        const CHUNK: usize = 1000;
        let ids: Vec<Uuid> = ids
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let key = E::PrimaryKey::iter()
            .next()
            .expect("a primary key")
            .into_column();
        let mut known = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let found = E::find()
                .filter(key.is_in(chunk.iter().copied()))
                .all(db)
                .await?;
            known.extend(found.iter().map(|m| (E::id_of(m), E::member_of(m))));
        }
        Ok(Known(known))
    }

    /// The verdict on `id` (if given) as a reference of a record of `member`.
    pub fn check(&self, problems: &mut Problems, field: &str, id: Option<Uuid>, member: Uuid) {
        if let Some(id) = id
            && self.0.get(&id) != Some(&member)
        {
            problems.push(&["input", field], Problem::NotFound);
        }
    }
}

/// Inserts records already checked (by the rules [`create`] applies, the references through
/// [`Known`]), many to a statement, each audited as its own CREATE, none read back: the rows
/// of an import, inside its larger write ([`crate::db::Db::Within`]), where no retry needs a
/// receipt and no other request can race them. Every column of each record must be set.
pub async fn insert_checked<E>(
    act: &Act<'_>,
    records: Vec<E::ActiveModel>,
) -> Result<Vec<E::Model>, Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + sea_orm::TryIntoModel<E::Model> + Send,
{
    use sea_orm::Iterable;
    /// Bound parameters a statement, under SQLite's limit (32,766) and PostgreSQL's (65,535).
    const VALUES: usize = 30_000;
    if records.is_empty() {
        return Ok(vec![]);
    }
    let per_statement = (VALUES / E::Column::iter().count()).max(1);
    let models = records
        .iter()
        .map(|r| sea_orm::TryIntoModel::try_into_model(r.clone()))
        .collect::<Result<Vec<_>, DbErr>>()?;
    crate::db::write(act.db, async |tx| -> Result<(), Outcome> {
        for chunk in records.chunks(per_statement) {
            E::insert_many(chunk.iter().cloned())
                .exec_without_returning(tx)
                .await
                .map_err(|e| duplicate_or(e, E::UNIQUE_FIELD))?;
        }
        for m in &models {
            audit::record_for(
                act.db,
                tx,
                act.actor,
                act.request_id,
                change::<E>("CREATE", None, Some(m)),
                act.now,
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    Ok(models)
}

/// Updates a record at `version`: checks against the current record (inside the transaction),
/// writes `changes(current)`, runs `then`, audits.
pub async fn update<E>(
    act: &Act<'_>,
    current: &E::Model,
    version: i32,
    mut problems: Problems,
    check: impl AsyncFnOnce(&DatabaseTransaction, &E::Model, &mut Problems) -> Result<(), DbErr>,
    changes: impl FnOnce(&E::Model) -> E::ActiveModel,
    then: impl AsyncFnOnce(&DatabaseTransaction, &E::Model) -> Result<(), Outcome>,
) -> Result<E::Model, Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let id = E::id_of(current);
    crate::db::write(act.db, async |tx| -> Result<E::Model, Outcome> {
        let Some(before) = E::find_by_id(id).one(tx).await? else {
            return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
        };
        check(tx, &before, &mut problems).await?;
        std::mem::take(&mut problems).into_result()?;
        let after =
            update_versioned::<E, _>(tx, id, version, changes(&before), E::UNIQUE_FIELD).await?;
        then(tx, &after).await?;
        audit::record_for(
            act.db,
            tx,
            act.actor,
            act.request_id,
            change::<E>("UPDATE", Some(&before), Some(&after)),
            act.now,
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Moves a record's status to `to` if that step is allowed from where it is now (an
/// INVALID_TRANSITION on `input.to` otherwise); `apply` sets the status and what goes with it.
#[allow(clippy::too_many_arguments)]
pub async fn transition<E, S>(
    act: &Act<'_>,
    current: &E::Model,
    version: i32,
    to: S,
    status_of: fn(&E::Model) -> S,
    check: impl AsyncFnOnce(&DatabaseTransaction, &E::Model, &mut Problems) -> Result<(), DbErr>,
    apply: impl FnOnce(&E::Model, S) -> E::ActiveModel,
) -> Result<E::Model, Outcome>
where
    E: Record,
    S: Transitions + Serialize,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    update::<E>(
        act,
        current,
        version,
        Problems::new(),
        async |tx, before, problems| {
            let from = status_of(before);
            if !from.can_become(to) {
                problems.push(
                    &["input", "to"],
                    Problem::InvalidTransition {
                        from: label(&from),
                        to: label(&to),
                    },
                );
                return Ok(());
            }
            check(tx, before, problems).await
        },
        |before| apply(before, to),
        async |_, _| Ok(()),
    )
    .await
}

fn label<S: Serialize>(s: &S) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Deletes a record still at `version`; a record others refer to is refused.
pub async fn delete<E>(act: &Act<'_>, current: &E::Model, version: i32) -> Result<(), Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model:
        Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel> + ModelTrait<Entity = E>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let id = E::id_of(current);
    crate::db::write(act.db, async |tx| -> Result<(), Outcome> {
        let Some(before) = E::find_by_id(id).one(tx).await? else {
            return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
        };
        let now = match before.get(stale_col::<E>()) {
            sea_orm::Value::Int(Some(v)) => v,
            _ => version,
        };
        if now != version {
            return Err(Problems::one(
                &["input", "version"],
                Problem::StaleVersion { current: now },
            )
            .into());
        }
        match E::delete_by_id(id).exec(tx).await {
            Ok(_) => {}
            Err(e) if crate::db::is_foreign_key_violation(&e) => {
                return Err(Problems::one(&["input", "id"], Problem::Refused(E::IN_USE)).into());
            }
            Err(e) => return Err(e.into()),
        }
        audit::record_for(
            act.db,
            tx,
            act.actor,
            act.request_id,
            change::<E>("DELETE", Some(&before), None),
            act.now,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Deletes a record that carries no version (a line of a list), audited.
pub async fn delete_unversioned<E>(act: &Act<'_>, current: &E::Model) -> Result<(), Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let id = E::id_of(current);
    crate::db::write(act.db, async |tx| -> Result<(), Outcome> {
        let Some(before) = E::find_by_id(id).one(tx).await? else {
            return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
        };
        E::delete_by_id(id).exec(tx).await?;
        audit::record_for(
            act.db,
            tx,
            act.actor,
            act.request_id,
            change::<E>("DELETE", Some(&before), None),
            act.now,
        )
        .await?;
        Ok(())
    })
    .await
}

fn stale_col<E: EntityTrait>() -> E::Column {
    use std::str::FromStr;
    E::Column::from_str("version").unwrap_or_else(|_| panic!("a versioned entity"))
}

/// Declares how entities are edited: `records! { milestone => ("milestone", "Milestone"), }`.
macro_rules! records {
    ($($module:ident => ($table:literal, $kind:literal)),* $(,)?) => {
        $(impl Record for crate::$module::Entity {
            const TABLE: &'static str = $table;
            const KIND: &'static str = $kind;
            fn id_of(m: &Self::Model) -> Uuid {
                m.id
            }
            fn member_of(m: &Self::Model) -> Uuid {
                m.member_id
            }
        })*
    };
}

records! {
    action_plan => ("action_plan", "ActionPlan"),
    alignment => ("alignment", "Alignment"),
    ambassador => ("ambassador", "Ambassador"),
    assessment => ("assessment", "Assessment"),
    attendance => ("attendance", "Attendance"),
    budget_line => ("budget_line", "BudgetLine"),
    commitment => ("commitment", "Commitment"),
    commitment_assessment => ("commitment_assessment", "CommitmentValues"),
    decree => ("decree", "Decree"),
    development_goal => ("development_goal", "DevelopmentGoal"),
    development_plan => ("development_plan", "DevelopmentPlan"),
    document => ("document", "Document"),
    event => ("event", "Event"),
    follow_up => ("follow_up", "FollowUp"),
    funding => ("funding", "Funding"),
    head_of_region_term => ("head_of_region_term", "HeadOfRegionTerm"),
    invitation => ("invitation", "Invitation"),
    legal_reference => ("legal_reference", "LegalReference"),
    membership => ("membership", "Membership"),
    milestone => ("milestone", "Milestone"),
    ngo_programme => ("ngo_programme", "NgoProgramme"),
    online_channel => ("online_channel", "OnlineChannel"),
    person => ("person", "Person"),
    progress_update => ("progress_update", "ProgressUpdate"),
    public_input => ("public_input", "PublicInput"),
    publication => ("publication", "Publication"),
    report => ("report", "Report"),
    secretariat => ("secretariat", "Secretariat"),
}

impl Record for crate::member::Entity {
    const TABLE: &'static str = "member";
    const KIND: &'static str = "Member";
    const UNIQUE_FIELD: &'static str = "slug";
    fn id_of(m: &Self::Model) -> Uuid {
        m.id
    }
    /// A member is its own scope.
    fn member_of(m: &Self::Model) -> Uuid {
        m.id
    }
}

impl Record for crate::organisation::Entity {
    const TABLE: &'static str = "organisation";
    const KIND: &'static str = "Organisation";
    const UNIQUE_FIELD: &'static str = "name";
    const IN_USE: Refusal = Refusal::OrganisationInUse;
    fn id_of(m: &Self::Model) -> Uuid {
        m.id
    }
    fn member_of(m: &Self::Model) -> Uuid {
        m.member_id
    }
}
