//! A budget line of an office's *DPA* (Dokumen Pelaksanaan Anggaran, the budget execution
//! document under the regional budget, APBD) for a fiscal year — the original (*murni*) or the
//! revised (*perubahan*) one. Amounts in whole rupiah.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum DpaVersion {
        /// *DPA murni*.
        Original => "ORIGINAL",
        /// *DPA perubahan*.
        Revised => "REVISED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "budget_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub organisation_id: Uuid,
    pub fiscal_year: i32,
    pub dpa_version: DpaVersion,
    pub program_code: Option<String>,
    pub program_name: String,
    pub activity_code: Option<String>,
    pub activity_name: Option<String>,
    pub sub_activity_code: Option<String>,
    /// *Pagu*.
    pub ceiling: i64,
    /// *Realisasi*.
    pub realisation: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
