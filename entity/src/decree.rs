//! A regent's decree (*Surat Keputusan Bupati*, SK), here the one establishing the *Tim
//! Kemitraan Pemerintahan Terbuka*. Its number is kept as written
//! (`188/364/KEP/412.013/2025`); the appendix (*lampiran*) lists the team.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    pub enum DecreeStatus {
        Draft => "DRAFT",
        /// With the legal bureau (*Bagian Hukum*).
        InLegalReview => "IN_LEGAL_REVIEW",
        AwaitingSignature => "AWAITING_SIGNATURE",
        Signed => "SIGNED",
        /// Announced and in the public repository.
        Published => "PUBLISHED",
        /// Changed by a later decree that points to it.
        Amended => "AMENDED",
        Revoked => "REVOKED",
        /// Its period ended.
        Expired => "EXPIRED",
    }
}

impl DecreeStatus {
    /// A decree is public once published (and after, when amended, revoked or expired).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Self::Published | Self::Amended | Self::Revoked | Self::Expired
        )
    }
}

impl Transitions for DecreeStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::Draft, Self::InLegalReview),
        (Self::InLegalReview, Self::Draft),
        (Self::InLegalReview, Self::AwaitingSignature),
        (Self::AwaitingSignature, Self::InLegalReview),
        (Self::AwaitingSignature, Self::Signed),
        (Self::Signed, Self::Published),
        (Self::Signed, Self::Amended),
        (Self::Signed, Self::Revoked),
        (Self::Signed, Self::Expired),
        (Self::Published, Self::Amended),
        (Self::Published, Self::Revoked),
        (Self::Published, Self::Expired),
    ];
}

impl DecreeStatus {
    /// Whether a decree in this status is in force now.
    pub fn in_force(self) -> bool {
        matches!(self, Self::Signed | Self::Published)
    }

    /// Whether a decree in this status took effect once (it may since have been amended,
    /// revoked or expired: it still tells who the team was while it was in force).
    pub fn took_effect(self) -> bool {
        !matches!(
            self,
            Self::Draft | Self::InLegalReview | Self::AwaitingSignature
        )
    }
}

crate::text_enum! {
    /// A position in the team.
    pub enum TeamPosition {
        Ketua => "KETUA",
        WakilKetua => "WAKIL_KETUA",
        Sekretaris => "SEKRETARIS",
        Anggota => "ANGGOTA",
    }
}

crate::text_enum! {
    /// Whom a team member speaks for.
    pub enum Represents {
        Government => "GOVERNMENT",
        CivilSociety => "CIVIL_SOCIETY",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "decree")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    /// As written on the decree; none while a draft.
    pub number: Option<String>,
    pub title: String,
    /// *Menimbang*.
    pub considerations: Option<String>,
    /// *Mengingat*.
    pub legal_basis: Option<String>,
    /// *Memutuskan*: KESATU, KEDUA, … as a list of texts.
    pub decided_items: Json,
    pub signatory_name: Option<String>,
    pub signatory_office: Option<String>,
    /// *Ditetapkan di*.
    pub set_place: Option<String>,
    /// *Pada tanggal*.
    pub set_on: Option<Date>,
    pub signed_on: Option<Date>,
    pub effective_from: Option<Date>,
    pub effective_to: Option<Date>,
    pub status: DecreeStatus,
    /// The decree this one changes.
    pub amends_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// In force on `day`: it took effect, and `day` is within its effective period. A revoked
    /// or expired decree's period ends the day before it was revoked or expired (the
    /// transition sets `effective_to`); an amended one yields to its amendment from the
    /// amendment's own effective date (see [`governing`]).
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.status.took_effect()
            && self.effective_from.is_some_and(|f| f <= day)
            && self.effective_to.is_none_or(|t| day <= t)
    }
}

/// The decree that governs `day` among `decrees`: the latest in force that no amendment had
/// replaced by then (an amended decree stays replaced even if its amendment is revoked later).
pub fn governing(decrees: &[Model], day: NaiveDate) -> Option<&Model> {
    let replaced = |d: &Model| {
        decrees.iter().any(|o| {
            o.amends_id == Some(d.id)
                && o.status.took_effect()
                && o.effective_from.is_some_and(|f| f <= day)
        })
    };
    decrees
        .iter()
        .filter(|d| d.in_force_on(day) && !replaced(d))
        .max_by_key(|d| (d.effective_from, d.signed_on, d.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decree(
        status: DecreeStatus,
        from: (i32, u32, u32),
        to: Option<(i32, u32, u32)>,
        amends: Option<Uuid>,
    ) -> Model {
        let d = |(y, m, day): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        Model {
            id: Uuid::now_v7(),
            member_id: Uuid::nil(),
            number: Some("188/1/KEP/412.013/2018".into()),
            title: "Tim Kemitraan".into(),
            considerations: None,
            legal_basis: None,
            decided_items: serde_json::json!([]),
            signatory_name: None,
            signatory_office: None,
            set_place: None,
            set_on: None,
            signed_on: Some(d(from)),
            effective_from: Some(d(from)),
            effective_to: to.map(d),
            amends_id: amends,
            status,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version: 1,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_amended_decree_governs_until_its_amendment_takes_effect() {
        let first = decree(DecreeStatus::Amended, (2018, 7, 2), None, None);
        let second = decree(DecreeStatus::Published, (2019, 1, 1), None, Some(first.id));
        let all = [first.clone(), second.clone()];
        assert_eq!(governing(&all, day(2018, 7, 1)), None);
        assert_eq!(
            governing(&all, day(2018, 8, 1)).map(|d| d.id),
            Some(first.id)
        );
        assert_eq!(
            governing(&all, day(2018, 12, 31)).map(|d| d.id),
            Some(first.id)
        );
        assert_eq!(
            governing(&all, day(2019, 1, 1)).map(|d| d.id),
            Some(second.id)
        );
    }

    #[test]
    fn a_revoked_decree_governs_until_its_end_and_a_draft_never() {
        let revoked = decree(
            DecreeStatus::Revoked,
            (2018, 7, 2),
            Some((2019, 3, 31)),
            None,
        );
        let draft = decree(DecreeStatus::Draft, (2018, 8, 1), None, None);
        let all = [revoked.clone(), draft];
        assert_eq!(
            governing(&all, day(2019, 3, 31)).map(|d| d.id),
            Some(revoked.id)
        );
        assert_eq!(governing(&all, day(2019, 4, 1)), None);
        assert_eq!(
            governing(&all, day(2018, 9, 1)).map(|d| d.id),
            Some(revoked.id)
        );
    }
}
