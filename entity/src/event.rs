//! Events of the partnership: team meetings, monev (*monitoring dan evaluasi*, the regular
//! progress meetings), co-creation workshops, public consultations, hearings (*audiensi*, e.g.
//! with the elected Bupati), seminars, outreach (*sosialisasi*, by short video, *pengajian*
//! — a religious study gathering —, radio or social media), trainings and site visits.
//!
//! Times are stored in UTC and shown in the member's time zone. A regular meeting carries a
//! recurrence (monthly monev) with exception dates; its occurrences are computed, not stored.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    pub enum EventKind {
        TeamMeeting => "TEAM_MEETING",
        Monev => "MONEV",
        CoCreationWorkshop => "CO_CREATION_WORKSHOP",
        PublicConsultation => "PUBLIC_CONSULTATION",
        Hearing => "HEARING",
        Seminar => "SEMINAR",
        Outreach => "OUTREACH",
        Training => "TRAINING",
        SiteVisit => "SITE_VISIT",
    }
}

impl EventKind {
    /// A meeting of the multi-stakeholder forum (OGP MR 1.1 counts these).
    pub fn is_forum(self) -> bool {
        matches!(
            self,
            Self::TeamMeeting | Self::Monev | Self::CoCreationWorkshop | Self::PublicConsultation
        )
    }
}

crate::text_enum! {
    /// How an outreach (*sosialisasi*) reaches people.
    pub enum OutreachChannel {
        ShortVideo => "SHORT_VIDEO",
        Pengajian => "PENGAJIAN",
        Radio => "RADIO",
        SocialMedia => "SOCIAL_MEDIA",
        FaceToFace => "FACE_TO_FACE",
        Other => "OTHER",
    }
}

crate::text_enum! {
    pub enum EventStatus {
        Planned => "PLANNED",
        Held => "HELD",
        Closed => "CLOSED",
        Postponed => "POSTPONED",
        Cancelled => "CANCELLED",
    }
}

impl Transitions for EventStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::Planned, Self::Held),
        (Self::Planned, Self::Postponed),
        (Self::Planned, Self::Cancelled),
        (Self::Postponed, Self::Planned),
        (Self::Postponed, Self::Cancelled),
        (Self::Held, Self::Closed),
    ];
}

crate::text_enum! {
    pub enum Frequency {
        Weekly => "WEEKLY",
        Monthly => "MONTHLY",
    }
}

/// A regular meeting's rule: every `interval` weeks or months from the first start, until a
/// date or for a number of occurrences (or open-ended), leaving out the exception dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    pub frequency: Frequency,
    pub interval: u32,
    pub count: Option<u32>,
    pub until: Option<NaiveDate>,
    #[serde(default)]
    pub exceptions: Vec<NaiveDate>,
}

/// Occurrences computed for one call, at most.
pub const MAX_OCCURRENCES: usize = 500;

impl Recurrence {
    /// The local start date of occurrence `n` (0 = the first), or `None` when that month has
    /// no such day (31 January → no 31 February: skipped, as iCalendar does).
    fn nth(&self, first: NaiveDate, n: u32) -> Option<NaiveDate> {
        let step = n.checked_mul(self.interval)?;
        match self.frequency {
            Frequency::Weekly => first.checked_add_days(Days::new(7 * u64::from(step))),
            Frequency::Monthly => {
                let d = first.with_day(1)?.checked_add_months(Months::new(step))?;
                d.with_day(first.day())
            }
        }
    }

    /// The start instants of the occurrences whose local date lies in `from..=to`.
    pub fn occurrences(
        &self,
        first: DateTime<Utc>,
        tz: Tz,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<DateTime<Utc>> {
        let local = first.with_timezone(&tz);
        let (first_date, time) = (local.date_naive(), local.time());
        let mut out = vec![];
        let mut n = 0u32;
        loop {
            if self.count.is_some_and(|c| n >= c) || out.len() >= MAX_OCCURRENCES {
                break;
            }
            let step = n;
            n += 1;
            let Some(date) = self.nth(first_date, step) else {
                if step > 12 * 200 {
                    break;
                }
                continue;
            };
            if date > to || self.until.is_some_and(|u| date > u) {
                break;
            }
            if date < from || self.exceptions.contains(&date) {
                continue;
            }
            if let Some(at) = date.and_time(time).and_local_timezone(tz).earliest() {
                out.push(at.with_timezone(&Utc));
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    /// The plan it serves, if any.
    pub plan_id: Option<Uuid>,
    pub kind: EventKind,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub organiser_id: Option<Uuid>,
    /// "Kantor Bojonegoro Institute".
    pub venue_name: Option<String>,
    /// "Jl. Panglima Polim Gg. Mangga I, Bojonegoro".
    pub venue_address: Option<String>,
    /// "Ruang PPID".
    pub venue_room: Option<String>,
    /// An online meeting or a broadcast.
    pub online_url: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub is_public: bool,
    pub channel: Option<OutreachChannel>,
    /// A `Recurrence` as JSON, for regular meetings.
    pub recurrence: Option<Json>,
    pub status: EventStatus,
    /// The minutes (*notulen*), needed to close.
    #[sea_orm(column_type = "Text", nullable)]
    pub minutes: Option<String>,
    pub attendee_count: Option<i32>,
    pub held_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// Raised on every change a calendar should pick up (iCalendar SEQUENCE).
    pub sequence: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

impl Model {
    pub fn recurrence(&self) -> Option<Recurrence> {
        self.recurrence
            .as_ref()
            .and_then(|j| serde_json::from_value(j.clone()).ok())
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The global-ID type of an event.
pub const KIND: &str = "Event";

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn monthly_monev_keeps_the_local_time_and_skips_exceptions() {
        let r = Recurrence {
            frequency: Frequency::Monthly,
            interval: 1,
            count: Some(6),
            until: None,
            exceptions: vec![d(2018, 9, 5)],
        };
        // 5 July 2018 09:00 WIB = 02:00Z.
        let got = r.occurrences(
            at("2018-07-05T02:00:00Z"),
            chrono_tz::Asia::Jakarta,
            d(2018, 1, 1),
            d(2019, 12, 31),
        );
        let want: Vec<_> = [
            "2018-07-05T02:00:00Z",
            "2018-08-05T02:00:00Z",
            "2018-10-05T02:00:00Z",
            "2018-11-05T02:00:00Z",
            "2018-12-05T02:00:00Z",
        ]
        .iter()
        .map(|s| at(s))
        .collect();
        assert_eq!(got, want, "six occurrences, the September one cancelled");
    }

    #[test]
    fn the_31st_is_skipped_in_short_months_and_the_window_bounds_the_list() {
        let r = Recurrence {
            frequency: Frequency::Monthly,
            interval: 1,
            count: None,
            until: Some(d(2019, 12, 31)),
            exceptions: vec![],
        };
        let got = r.occurrences(
            at("2019-01-31T03:00:00Z"),
            chrono_tz::Asia::Jakarta,
            d(2019, 3, 1),
            d(2019, 6, 30),
        );
        let dates: Vec<_> = got.iter().map(|t| t.date_naive()).collect();
        assert_eq!(dates, vec![d(2019, 3, 31), d(2019, 5, 31)]);
    }

    #[test]
    fn fortnightly_until_a_date() {
        let r = Recurrence {
            frequency: Frequency::Weekly,
            interval: 2,
            count: None,
            until: Some(d(2018, 8, 1)),
            exceptions: vec![],
        };
        let got = r.occurrences(
            at("2018-07-02T01:00:00Z"),
            chrono_tz::Asia::Jakarta,
            d(2018, 1, 1),
            d(2018, 12, 31),
        );
        let dates: Vec<_> = got.iter().map(|t| t.date_naive()).collect();
        assert_eq!(dates, vec![d(2018, 7, 2), d(2018, 7, 16), d(2018, 7, 30)]);
    }

    #[test]
    fn every_pair_outside_the_list_is_refused() {
        use sea_orm::Iterable;
        let mut allowed = 0;
        for from in EventStatus::iter() {
            for to in EventStatus::iter() {
                allowed += usize::from(from.can_become(to));
            }
        }
        assert_eq!(allowed, 6);
        assert!(!EventStatus::Closed.can_become(EventStatus::Held));
        assert!(!EventStatus::Cancelled.can_become(EventStatus::Planned));
    }
}
