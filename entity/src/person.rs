//! A person in a member's partnership: a team member, an official in charge, an office's
//! contact (PIC), a youth ambassador. Optionally linked to an account; alerts go to people.
//!
//! Name, e-mail and phone are personal data (UU 27/2022): shown to the member's admins and
//! secretariat, anonymised when the person asks to be erased.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub name: String,
    /// Position as people write it ("Kepala Bidang IKP", "Direktur").
    pub title: Option<String>,
    pub organisation_id: Option<Uuid>,
    /// PERSONAL.
    pub email: Option<String>,
    /// PERSONAL.
    pub phone: Option<String>,
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A phone number as people write it: digits with optional `+`, spaces, dots, dashes and
/// brackets; 6 to 20 digits. Returned tidied.
pub fn parse_phone(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'));
    (allowed && (6..=20).contains(&digits) && raw.len() <= 40)
        .then(|| raw.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn phone_numbers_as_written() {
        assert_eq!(
            super::parse_phone(" +62 353  881826 ").as_deref(),
            Some("+62 353 881826")
        );
        assert!(super::parse_phone("0812-3456-7890").is_some());
        assert!(super::parse_phone("call me").is_none());
        assert!(super::parse_phone("123").is_none());
    }
}
