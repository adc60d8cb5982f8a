//! News posts of the partnership (*berita*), public once published, with a view counter and a
//! satisfaction poll ("Bagaimana Tanggapan Anda?"), as on the regency's own news pages.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    pub enum PublicationStatus {
        Draft => "DRAFT",
        Published => "PUBLISHED",
        /// Taken down after publication (kept, no longer public).
        Withdrawn => "WITHDRAWN",
    }
}

impl Transitions for PublicationStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::Draft, Self::Published),
        (Self::Published, Self::Withdrawn),
        (Self::Withdrawn, Self::Published),
        (Self::Withdrawn, Self::Draft),
    ];
}

crate::text_enum! {
    /// The answers of the satisfaction poll.
    pub enum Satisfaction {
        SangatPuas => "SANGAT_PUAS",
        Puas => "PUAS",
        CukupPuas => "CUKUP_PUAS",
        TidakPuas => "TIDAK_PUAS",
    }
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 4] = [
        Satisfaction::SangatPuas,
        Satisfaction::Puas,
        Satisfaction::CukupPuas,
        Satisfaction::TidakPuas,
    ];

    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::*;
        match (self, lang) {
            (Satisfaction::SangatPuas, Id) => "Sangat Puas",
            (Satisfaction::Puas, Id) => "Puas",
            (Satisfaction::CukupPuas, Id) => "Cukup Puas",
            (Satisfaction::TidakPuas, Id) => "Tidak Puas",
            (Satisfaction::SangatPuas, En) => "Very satisfied",
            (Satisfaction::Puas, En) => "Satisfied",
            (Satisfaction::CukupPuas, En) => "Fairly satisfied",
            (Satisfaction::TidakPuas, En) => "Not satisfied",
        }
    }
}

/// Whole percentages of `counts` that sum to exactly 100, by the largest-remainder method
/// (ties go to the earlier answer). With no votes there are no percentages.
pub fn percentages(counts: &[i64]) -> Option<Vec<i64>> {
    let total: i64 = counts.iter().sum();
    if total <= 0 {
        return None;
    }
    let mut out: Vec<i64> = counts.iter().map(|c| c * 100 / total).collect();
    let mut rest: Vec<(i64, usize)> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| (c * 100 % total, i))
        .collect();
    // Largest remainder first; equal remainders in answer order.
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = 100 - out.iter().sum::<i64>();
    for (_, i) in rest.into_iter().take(missing as usize) {
        out[i] += 1;
    }
    Some(out)
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "publication")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    /// In the post's address; unique within the member.
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub title_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub body_en: Option<String>,
    /// The credit line as printed: "Nuty/Dinkominfo".
    pub author_credit: Option<String>,
    /// Who posted it, as shown ("Admin").
    pub posted_by: Option<String>,
    /// The event it reports on.
    pub event_id: Option<Uuid>,
    pub status: PublicationStatus,
    pub published_at: Option<DateTimeUtc>,
    /// Views, counted by the database (no increment lost, whatever the number of processes).
    pub views: i64,
    /// The poll's question; no question, no poll.
    pub poll_question: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventeen_votes_give_the_published_76_6_6_12() {
        assert_eq!(percentages(&[13, 1, 1, 2]), Some(vec![76, 6, 6, 12]));
    }

    #[test]
    fn percentages_always_sum_to_100_and_none_without_votes() {
        assert_eq!(percentages(&[0, 0, 0, 0]), None);
        assert_eq!(percentages(&[1, 1, 1, 0]), Some(vec![34, 33, 33, 0]));
        assert_eq!(percentages(&[14, 1, 1, 2]), Some(vec![78, 6, 5, 11]));
        for a in 0..12 {
            for b in 0..12 {
                for c in 0..5 {
                    let counts = [a, b, c, 7 - c.min(7)];
                    if let Some(p) = percentages(&counts) {
                        assert_eq!(p.iter().sum::<i64>(), 100, "{counts:?} → {p:?}");
                    }
                }
            }
        }
    }
}
