//! DataLoaders: every relation is resolved in batches, so a nested query costs a fixed number
//! of statements whatever the number of rows. A new set is made for every request.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::member;
use entity::organisation::{self, OrganisationKind};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::executor::{Batching, loader};
use super::pagination::{ChildPageKey, load_child_counts, load_child_pages, model_id};

/// Values a loader was given before it was asked (by a read that fetched a whole tree in one
/// statement, `super::compiled`): a load answers the keys found here without a statement and
/// reads only the rest. Loaders live for one request, and only queries (never mutations) prime
/// them, so what is here cannot go stale.
pub struct Primed<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Primed<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Primed<K, V> {
    /// Keeps `entries` for the loads to come.
    pub fn put(&self, entries: impl IntoIterator<Item = (K, V)>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(entries);
    }

    /// The values of the keys that were primed, and the keys that were not.
    fn split(&self, keys: &[K]) -> (HashMap<K, V>, Vec<K>) {
        let primed = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if primed.is_empty() {
            return (HashMap::new(), keys.to_vec());
        }
        let mut hits = HashMap::with_capacity(keys.len());
        let mut misses = Vec::new();
        for k in keys {
            match primed.get(k) {
                Some(v) => {
                    hits.insert(k.clone(), v.clone());
                }
                None => misses.push(k.clone()),
            }
        }
        (hits, misses)
    }
}

/// Records of one entity by id.
pub struct ById<E: EntityTrait>(DatabaseConnection, Primed<Uuid, E::Model>);

impl<E: EntityTrait> ById<E> {
    /// Records this request already holds.
    pub fn prime(&self, records: impl IntoIterator<Item = E::Model>) {
        self.1
            .put(records.into_iter().map(|m| (model_id::<E>(&m), m)));
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, Self::Error> {
        use sea_orm::{Iterable, PrimaryKeyToColumn};
        let (mut found, missing) = self.1.split(keys);
        if missing.is_empty() {
            return Ok(found);
        }
        let pk = E::PrimaryKey::iter()
            .next()
            .expect("every entity has a primary key")
            .into_column();
        let rows = E::find().filter(pk.is_in(missing)).all(&self.0).await?;
        found.extend(rows.into_iter().map(|m| (model_id::<E>(&m), m)));
        Ok(found)
    }
}

/// Filter arguments of `Member.organisations`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
}

impl OrganisationFilter {
    pub fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(kind) = self.kind {
            c = c.add(organisation::Column::Kind.eq(kind));
        }
        c
    }
}

/// A page of each member's organisations as its loader answers it.
pub type OrganisationPage = (Vec<organisation::Model>, bool);

/// Pages of each member's organisations.
pub struct OrganisationsByMember(
    DatabaseConnection,
    Primed<ChildPageKey<OrganisationFilter>, OrganisationPage>,
);

impl OrganisationsByMember {
    /// Pages this request already holds.
    pub fn prime(
        &self,
        pages: impl IntoIterator<Item = (ChildPageKey<OrganisationFilter>, OrganisationPage)>,
    ) {
        self.1.put(pages);
    }
}

impl Loader<ChildPageKey<OrganisationFilter>> for OrganisationsByMember {
    type Value = (Vec<organisation::Model>, bool);
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ChildPageKey<OrganisationFilter>],
    ) -> Result<HashMap<ChildPageKey<OrganisationFilter>, Self::Value>, Self::Error> {
        let (mut found, missing) = self.1.split(keys);
        if !missing.is_empty() {
            found.extend(
                load_child_pages::<organisation::Entity, _>(
                    &self.0,
                    organisation::Column::MemberId,
                    &missing,
                    OrganisationFilter::condition,
                )
                .await?,
            );
        }
        Ok(found)
    }
}

/// How many organisations each member has (for `totalCount`).
pub struct OrganisationCountByMember(DatabaseConnection, Primed<(Uuid, OrganisationFilter), u64>);

impl OrganisationCountByMember {
    /// Counts this request already holds.
    pub fn prime(&self, counts: impl IntoIterator<Item = ((Uuid, OrganisationFilter), u64)>) {
        self.1.put(counts);
    }
}

impl Loader<(Uuid, OrganisationFilter)> for OrganisationCountByMember {
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(Uuid, OrganisationFilter)],
    ) -> Result<HashMap<(Uuid, OrganisationFilter), u64>, Self::Error> {
        let (mut found, missing) = self.1.split(keys);
        if !missing.is_empty() {
            found.extend(
                load_child_counts::<organisation::Entity, _>(
                    &self.0,
                    organisation::Column::MemberId,
                    &missing,
                    OrganisationFilter::condition,
                )
                .await?,
            );
        }
        Ok(found)
    }
}

/// A page of children and whether more follow.
pub type ChildPage<E> = (Vec<<E as EntityTrait>::Model>, bool);

/// Pages of children of many parents along `parent` (one windowed statement per page size).
pub struct ChildrenOf<E: EntityTrait>(
    DatabaseConnection,
    E::Column,
    Primed<ChildPageKey<()>, ChildPage<E>>,
);

impl<E: EntityTrait> ChildrenOf<E> {
    /// Pages this request already holds.
    pub fn prime(&self, pages: impl IntoIterator<Item = (ChildPageKey<()>, ChildPage<E>)>) {
        self.2.put(pages);
    }
}

impl<E> Loader<ChildPageKey<()>> for ChildrenOf<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = (Vec<E::Model>, bool);
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ChildPageKey<()>],
    ) -> Result<HashMap<ChildPageKey<()>, Self::Value>, Self::Error> {
        let (mut found, missing) = self.2.split(keys);
        if !missing.is_empty() {
            found.extend(
                load_child_pages::<E, _>(&self.0, self.1, &missing, |_| Condition::all()).await?,
            );
        }
        Ok(found)
    }
}

/// How many children each parent has along `parent`.
pub struct CountOf<E: EntityTrait>(DatabaseConnection, E::Column, Primed<(Uuid, ()), u64>);

impl<E: EntityTrait> CountOf<E> {
    /// Counts this request already holds.
    pub fn prime(&self, counts: impl IntoIterator<Item = ((Uuid, ()), u64)>) {
        self.2.put(counts);
    }
}

impl<E> Loader<(Uuid, ())> for CountOf<E>
where
    E: EntityTrait + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[(Uuid, ())]) -> Result<HashMap<(Uuid, ()), u64>, Self::Error> {
        let (mut found, missing) = self.2.split(keys);
        if !missing.is_empty() {
            found.extend(
                load_child_counts::<E, _>(&self.0, self.1, &missing, |_| Condition::all()).await?,
            );
        }
        Ok(found)
    }
}

/// All children of many parents along `parent` (for roll-ups over small sets).
pub struct AllOf<E: EntityTrait>(DatabaseConnection, E::Column, Primed<Uuid, Vec<E::Model>>);

impl<E: EntityTrait> AllOf<E> {
    /// The children of parents this request already holds (every parent read, those with
    /// none included).
    pub fn prime(&self, children: impl IntoIterator<Item = (Uuid, Vec<E::Model>)>) {
        self.2.put(children);
    }
}

impl<E> Loader<Uuid> for AllOf<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<E::Model>>, Self::Error> {
        use sea_orm::{Iterable, PrimaryKeyToColumn};
        use sea_orm::{ModelTrait, QueryOrder, Value};
        let (mut out, keys) = self.2.split(keys);
        if keys.is_empty() {
            return Ok(out);
        }
        let pk = E::PrimaryKey::iter()
            .next()
            .expect("every entity has a primary key")
            .into_column();
        // Ids are time-ordered (UUIDv7): rows come in the order they were written.
        let rows = E::find()
            .filter(self.1.is_in(keys.iter().copied()))
            .order_by_asc(self.1)
            .order_by_asc(pk)
            .all(&self.0)
            .await?;
        out.extend(keys.iter().map(|k| (*k, Vec::new())));
        for row in rows {
            if let Value::Uuid(Some(p)) = row.get(self.1) {
                out.entry(p).or_default().push(row);
            }
        }
        Ok(out)
    }
}

macro_rules! loaders {
    ($( $(#[$doc:meta])* $field:ident: $kind:ident<$entity:path> $(= $col:expr)? ),* $(,)?) => {
        /// The loaders of one request.
        pub struct Loaders {
            $( $(#[$doc])* pub $field: Arc<DataLoader<$kind<$entity>>>, )*
            pub organisations_by_member: DataLoader<OrganisationsByMember>,
            pub organisation_count_by_member: Arc<DataLoader<OrganisationCountByMember>>,
        }

        impl Loaders {
            pub fn new(db: &DatabaseConnection, batching: &Batching) -> Self {
                let b = batching;
                Self {
                    $( $field: Arc::new(loaders!(@make db, b, $kind $(, $col)?)), )*
                    organisations_by_member: loader(OrganisationsByMember(db.clone(), Primed::default()), b),
                    organisation_count_by_member: Arc::new(loader(OrganisationCountByMember(db.clone(), Primed::default()), b)),
                }
            }
        }
    };
    (@make $db:ident, $b:ident, ById) => { loader(ById($db.clone(), Primed::default()), $b) };
    (@make $db:ident, $b:ident, ChildrenOf, $col:expr) => {
        loader(ChildrenOf($db.clone(), $col, Primed::default()), $b)
    };
    (@make $db:ident, $b:ident, AllOf, $col:expr) => {
        loader(AllOf($db.clone(), $col, Primed::default()), $b)
    };
    (@make $db:ident, $b:ident, CountOf, $col:expr) => {
        loader(CountOf($db.clone(), $col, Primed::default()), $b)
    };
    (@make $db:ident, $b:ident, $kind:ident, $col:expr) => { loader($kind($db.clone(), $col), $b) };
}

use entity::{
    action_plan, agenda_item, assessment, attendance, commitment, commitment_actor,
    commitment_assessment, decree, decree_member, event, event_organisation, follow_up,
    follow_up_person, invitation, milestone, person, plan_phase, progress_update, responsibility,
};

loaders! {
    member: ById<member::Entity>,
    organisation: ById<organisation::Entity>,
    person: ById<person::Entity>,
    plan: ById<action_plan::Entity>,
    commitment: ById<commitment::Entity>,
    decree: ById<decree::Entity>,
    commitments_by_plan: ChildrenOf<commitment::Entity> = commitment::Column::PlanId,
    commitment_count_by_plan: CountOf<commitment::Entity> = commitment::Column::PlanId,
    milestones_by_commitment: ChildrenOf<milestone::Entity> = milestone::Column::CommitmentId,
    milestone_count_by_commitment: CountOf<milestone::Entity> = milestone::Column::CommitmentId,
    all_milestones_of_commitment: AllOf<milestone::Entity> = milestone::Column::CommitmentId,
    phases_of_plan: AllOf<plan_phase::Entity> = plan_phase::Column::PlanId,
    actors_of_commitment: AllOf<commitment_actor::Entity> = commitment_actor::Column::CommitmentId,
    people_of_commitment: AllOf<responsibility::Entity> = responsibility::Column::CommitmentId,
    people_of_milestone: AllOf<responsibility::Entity> = responsibility::Column::MilestoneId,
    updates_of_milestone: AllOf<progress_update::Entity> = progress_update::Column::MilestoneId,
    members_of_decree: AllOf<decree_member::Entity> = decree_member::Column::DecreeId,
    values_of_assessment: AllOf<commitment_assessment::Entity> = commitment_assessment::Column::AssessmentId,
    assessments_of_plan: AllOf<assessment::Entity> = assessment::Column::PlanId,
    event: ById<event::Entity>,
    agenda_of_event: AllOf<agenda_item::Entity> = agenda_item::Column::EventId,
    organisations_of_event: AllOf<event_organisation::Entity> = event_organisation::Column::EventId,
    attendance_of_event: AllOf<attendance::Entity> = attendance::Column::EventId,
    follow_ups_of_event: AllOf<follow_up::Entity> = follow_up::Column::EventId,
    people_of_follow_up: AllOf<follow_up_person::Entity> = follow_up_person::Column::FollowUpId,
    invitation_of_event: AllOf<invitation::Entity> = invitation::Column::EventId,
}
