//! Terbuka's schema, for SQLite and PostgreSQL alike.
//!
//! Every partnership table carries its member's id (`member_id`) so that the data can be sharded
//! by member. Enumerations are stored as text; timestamps are UTC.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261127_000001_foundation;
mod m20261127_000002_accounts;
mod m20261127_000003_people;

/// Changes whenever a migration's source changes.
pub const FINGERPRINT: &str = env!("TERBUKA_SCHEMA_FINGERPRINT");

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261127_000002_accounts::Migration),
            Box::new(m20261127_000003_people::Migration),
        ]
    }
}
