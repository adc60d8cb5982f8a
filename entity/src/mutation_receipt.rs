//! Makes a retried create safe: the first request with a client mutation id records what it
//! created; a retry with the same id gets the same record back instead of a second one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "mutation_receipt")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Who sent it (an account, or the public).
    pub scope: String,
    pub mutation: String,
    pub client_mutation_id: String,
    /// SHA-256 of the input: a reused id with a different input is refused.
    pub input_hash: String,
    pub entity_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
