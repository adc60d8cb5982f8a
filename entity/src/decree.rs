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
    /// Whether a decree in this status can be in force.
    pub fn in_force(self) -> bool {
        matches!(self, Self::Signed | Self::Published)
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
    /// In force on `day`: signed or published, and `day` within its period.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.status.in_force()
            && self.effective_from.is_some_and(|f| f <= day)
            && self.effective_to.is_none_or(|t| day <= t)
    }
}

/// The decree that governs `day` among `decrees`: the latest in force that no other decree in
/// force on that day amends.
pub fn governing(decrees: &[Model], day: NaiveDate) -> Option<&Model> {
    let in_force: Vec<&Model> = decrees.iter().filter(|d| d.in_force_on(day)).collect();
    in_force
        .iter()
        .filter(|d| !in_force.iter().any(|o| o.amends_id == Some(d.id)))
        .max_by_key(|d| (d.effective_from, d.signed_on, d.id))
        .copied()
}
