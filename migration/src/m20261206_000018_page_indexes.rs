//! Pages of a parent's children by parent and id: a plan's commitments and a commitment's
//! milestones are read a page at a time in id order (`first`/`after`), and the tree read nests
//! one such page per parent. With the parent and the id in one index a page is read where it
//! starts, whatever the parent holds; the parent-only indexes these replace made every page
//! sort all the parent's children first.

use sea_orm_migration::prelude::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, parent column): the parent-only index replaced by (parent, id).
const PAGED: [(&str, &str); 2] = [("commitment", "plan_id"), ("milestone", "commitment_id")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, parent) in PAGED {
            m.create_index(index(table, &[parent, "id"])).await?;
            m.drop_index(
                Index::drop()
                    .name(format!("ix_{table}_{parent}"))
                    .table(table)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, parent) in PAGED {
            m.create_index(index(table, &[parent])).await?;
            m.drop_index(
                Index::drop()
                    .name(format!("ix_{table}_{parent}_id"))
                    .table(table)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
