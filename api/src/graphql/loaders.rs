//! DataLoaders: every relation is resolved in batches, so a nested query costs a fixed number
//! of statements whatever the number of rows. A new set is made for every request.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::member;
use entity::organisation::{self, OrganisationKind};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::context::loader;
use super::pagination::{ChildPageKey, load_child_counts, load_child_pages, model_id};

/// Records of one entity by id.
pub struct ById<E>(DatabaseConnection, PhantomData<E>);

impl<E> Loader<Uuid> for ById<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, Self::Error> {
        use sea_orm::{Iterable, PrimaryKeyToColumn};
        let pk = E::PrimaryKey::iter()
            .next()
            .expect("every entity has a primary key")
            .into_column();
        let rows = E::find()
            .filter(pk.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|m| (model_id::<E>(&m), m)).collect())
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

/// Pages of each member's organisations.
pub struct OrganisationsByMember(DatabaseConnection);

impl Loader<ChildPageKey<OrganisationFilter>> for OrganisationsByMember {
    type Value = (Vec<organisation::Model>, bool);
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ChildPageKey<OrganisationFilter>],
    ) -> Result<HashMap<ChildPageKey<OrganisationFilter>, Self::Value>, Self::Error> {
        Ok(load_child_pages::<organisation::Entity, _>(
            &self.0,
            organisation::Column::MemberId,
            keys,
            OrganisationFilter::condition,
        )
        .await?)
    }
}

/// How many organisations each member has (for `totalCount`).
pub struct OrganisationCountByMember(DatabaseConnection);

impl Loader<(Uuid, OrganisationFilter)> for OrganisationCountByMember {
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(Uuid, OrganisationFilter)],
    ) -> Result<HashMap<(Uuid, OrganisationFilter), u64>, Self::Error> {
        Ok(load_child_counts::<organisation::Entity, _>(
            &self.0,
            organisation::Column::MemberId,
            keys,
            OrganisationFilter::condition,
        )
        .await?)
    }
}

/// The loaders of one request.
pub struct Loaders {
    pub member: DataLoader<ById<member::Entity>>,
    pub organisation: DataLoader<ById<organisation::Entity>>,
    pub organisations_by_member: DataLoader<OrganisationsByMember>,
    pub organisation_count_by_member: Arc<DataLoader<OrganisationCountByMember>>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            member: loader(ById(db.clone(), PhantomData)),
            organisation: loader(ById(db.clone(), PhantomData)),
            organisations_by_member: loader(OrganisationsByMember(db.clone())),
            organisation_count_by_member: Arc::new(loader(OrganisationCountByMember(db.clone()))),
        }
    }
}
