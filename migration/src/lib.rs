//! Terbuka's schema, for SQLite and PostgreSQL alike.
//!
//! Every partnership table carries its member's id (`member_id`) so that the data can be sharded
//! by member. Enumerations are stored as text; timestamps are UTC.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261127_000001_foundation;
mod m20261127_000002_accounts;
mod m20261127_000003_people;
mod m20261127_000004_partnership;
mod m20261127_000005_plans;
mod m20261127_000006_assessment_alignment_budget;
mod m20261127_000007_events;
mod m20261127_000008_publications;
mod m20261127_000009_invitations;
mod m20261127_000010_documents;
mod m20261127_000011_public_input_channels;
mod m20261127_000012_subscriptions;
mod m20261127_000013_reports;
mod m20261127_000014_plan_revision;
mod m20261202_000015_worker_beat;
mod m20261203_000016_bounces;
mod m20261204_000017_revision_per_statement;
mod m20261206_000018_page_indexes;

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
            Box::new(m20261127_000004_partnership::Migration),
            Box::new(m20261127_000005_plans::Migration),
            Box::new(m20261127_000006_assessment_alignment_budget::Migration),
            Box::new(m20261127_000007_events::Migration),
            Box::new(m20261127_000008_publications::Migration),
            Box::new(m20261127_000009_invitations::Migration),
            Box::new(m20261127_000010_documents::Migration),
            Box::new(m20261127_000011_public_input_channels::Migration),
            Box::new(m20261127_000012_subscriptions::Migration),
            Box::new(m20261127_000013_reports::Migration),
            Box::new(m20261127_000014_plan_revision::Migration),
            Box::new(m20261202_000015_worker_beat::Migration),
            Box::new(m20261203_000016_bounces::Migration),
            Box::new(m20261204_000017_revision_per_statement::Migration),
            Box::new(m20261206_000018_page_indexes::Migration),
        ]
    }
}
