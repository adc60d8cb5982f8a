//! The audit log: who changed what, when, before and after — written in the same transaction
//! as the change itself, never edited. Transparency is the product.
//!
//! SECRET values are never stored. PERSONAL values are stored (admins may need them) and their
//! keys listed in `personal_fields`, so they are redacted for watchdogs and anonymised when the
//! person asks to be erased.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// The account that acted; `None` for the public and the system.
    pub actor_id: Option<Uuid>,
    /// How the actor is shown ("Nuty (Dinas Kominfo)", "publik", "sistem").
    pub actor_label: String,
    pub member_id: Option<Uuid>,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    /// `CREATE`, `UPDATE`, `DELETE`, `LOGIN`, `GRANT_ROLE`, …
    pub action: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    /// Keys of `before`/`after` that hold personal data.
    pub personal_fields: Json,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
