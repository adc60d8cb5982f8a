//! A head of region's term (Bupati, Wali Kota, Gubernur) with deputy: elected, declared,
//! inaugurated, and when it ends. OGP Local asks for at least 16 months left in the term.

use chrono::{Datelike, NaiveDate};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "head_of_region_term")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub name: String,
    pub deputy_name: Option<String>,
    /// "Bupati", "Wali Kota", "Gubernur".
    pub office_title: Option<String>,
    pub elected_on: Option<Date>,
    /// When the election commission (KPU) declared the winners.
    pub declared_on: Option<Date>,
    pub inaugurated_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Whole months from `today` to `ends_on` (0 once it has ended).
pub fn months_left(today: NaiveDate, ends_on: NaiveDate) -> i32 {
    if ends_on <= today {
        return 0;
    }
    let mut months =
        (ends_on.year() - today.year()) * 12 + ends_on.month() as i32 - today.month() as i32;
    if ends_on.day() < today.day() {
        months -= 1;
    }
    months.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_left_counts_whole_months() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(months_left(d(2018, 9, 24), d(2023, 9, 24)), 60);
        assert_eq!(months_left(d(2018, 9, 25), d(2023, 9, 24)), 59);
        assert_eq!(months_left(d(2023, 9, 24), d(2023, 9, 24)), 0);
        assert_eq!(months_left(d(2024, 1, 1), d(2023, 9, 24)), 0);
    }
}
