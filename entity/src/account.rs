//! A person's login to Terbuka: e-mail and password, and whether it is in use.
//!
//! Staff rotate (*mutasi*): an account is deactivated, never deleted, so what it did stays in
//! the audit log under its name.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum AccountStatus {
        /// Invited by e-mail; no password yet.
        Invited => "INVITED",
        Active => "ACTIVE",
        /// Switched off (staff rotation); cannot sign in; its history stays.
        Deactivated => "DEACTIVATED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// PERSONAL. Lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    /// PERSONAL.
    pub name: String,
    /// SECRET: Argon2id PHC string; never leaves the server, never in the audit log.
    #[serde(skip_serializing)]
    pub password_hash: Option<String>,
    pub status: AccountStatus,
    /// Runs the deployment: may add member governments and grant roles anywhere.
    pub is_operator: bool,
    /// The person this account belongs to, where known.
    pub person_id: Option<Uuid>,
    /// The language mail to this account is written in.
    pub lang: String,
    #[serde(skip_serializing)]
    pub failed_logins: i32,
    #[serde(skip_serializing)]
    pub locked_until: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    pub deactivated_at: Option<DateTimeUtc>,
    /// Set when the person's personal data was erased on request (UU 27/2022).
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
