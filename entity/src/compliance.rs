//! The OGP Participation & Co-Creation minimum requirements that Terbuka's data can show, checked
//! for a plan on every call: each check with its verdict, the evidence that satisfies it and
//! what is missing. The window is the year of co-creation before the plan's period and the
//! period itself, up to today.
//!
//! - MR 1.1: the forum meets at least every six months (held team, monev, co-creation and
//!   consultation meetings; no gap longer than 183 days, the last one within 183 days).
//! - MR 2.2: the repository is updated at least twice a year (public documents on two
//!   different days in each calendar year of the window).
//! - MR 5.1: at least two meetings a year with civil society (held events an NGO attended).
//! - MR 3: invitations to public events published at least N days before (N configurable,
//!   default 14).
//! - Documentation: minutes and an attendance record for every held event (the gap the
//!   28 June 2018 meeting found in the 2016–2017 process).
//! - MR 4 (reasoned response): every input on the plan that is not hidden by moderation has a
//!   response with its reason.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::entity::prelude::StringLen;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::document::DocumentKind;
use crate::event::EventStatus;
use crate::event_organisation::EventRole;
use crate::organisation::OrganisationKind;
use crate::{
    Lang, action_plan, attendance, document, event, event_organisation, i18n, invitation,
    organisation, public_input,
};

/// The longest gap between forum meetings (six months).
pub const MAX_FORUM_GAP_DAYS: i64 = 183;

crate::text_enum! {
    pub enum CheckCode {
        ForumMeetsEverySixMonths => "FORUM_MEETS_EVERY_SIX_MONTHS",
        RepositoryUpdatedTwiceAYear => "REPOSITORY_UPDATED_TWICE_A_YEAR",
        TwoMeetingsAYearWithCivilSociety => "TWO_MEETINGS_A_YEAR_WITH_CIVIL_SOCIETY",
        InvitationsPublishedInTime => "INVITATIONS_PUBLISHED_IN_TIME",
        MinutesAndAttendanceForHeldEvents => "MINUTES_AND_ATTENDANCE_FOR_HELD_EVENTS",
        ReasonedResponseForEveryInput => "REASONED_RESPONSE_FOR_EVERY_INPUT",
    }
}

crate::text_enum! {
    pub enum Verdict {
        Met => "MET",
        NotMet => "NOT_MET",
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub code: CheckCode,
    pub title: String,
    pub verdict: Verdict,
    pub evidence: Vec<String>,
    pub missing: Vec<String>,
}

impl Check {
    fn new(code: CheckCode, title: &str, evidence: Vec<String>, missing: Vec<String>) -> Check {
        Check {
            code,
            title: title.to_owned(),
            verdict: if missing.is_empty() {
                Verdict::Met
            } else {
                Verdict::NotMet
            },
            evidence,
            missing,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub checks: Vec<Check>,
}

fn words(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// What the checks read, for the plans of one or many members at once: seven statements,
/// whatever the number of members and plans.
pub struct Facts {
    /// The members' events, oldest first.
    events: Vec<event::Model>,
    /// Organisations attending those events (event, organisation).
    attending: Vec<(Uuid, Uuid)>,
    ngos: HashSet<Uuid>,
    attended: HashSet<Uuid>,
    documents: Vec<document::Model>,
    invitations: HashMap<Uuid, invitation::Model>,
    /// The plans' inputs not hidden by moderation, oldest first.
    inputs: Vec<public_input::Model>,
}

impl Facts {
    /// The facts about `members` and the inputs on `plans`.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        members: &[Uuid],
        plans: &[Uuid],
    ) -> Result<Facts, DbErr> {
        use sea_orm::sea_query::Query;
        let events_of_members = Query::select()
            .column(event::Column::Id)
            .from(event::Entity)
            .and_where(event::Column::MemberId.is_in(members.iter().copied()))
            .to_owned();
        let events = event::Entity::find()
            .filter(event::Column::MemberId.is_in(members.iter().copied()))
            .order_by_asc(event::Column::StartsAt)
            .order_by_asc(event::Column::Id)
            .all(db)
            .await?;
        let attending = event_organisation::Entity::find()
            .filter(event_organisation::Column::EventId.in_subquery(events_of_members.clone()))
            .filter(event_organisation::Column::Role.eq(EventRole::Attending))
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.event_id, l.organisation_id))
            .collect();
        let ngos = organisation::Entity::find()
            .filter(organisation::Column::MemberId.is_in(members.iter().copied()))
            .filter(organisation::Column::Kind.eq(OrganisationKind::Ngo))
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let attended = attendance::Entity::find()
            .filter(attendance::Column::EventId.in_subquery(events_of_members.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.event_id)
            .collect();
        let documents = document::Entity::find()
            .filter(document::Column::MemberId.is_in(members.iter().copied()))
            .all(db)
            .await?;
        let invitations = invitation::Entity::find()
            .filter(invitation::Column::EventId.in_subquery(events_of_members))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.event_id, i))
            .collect();
        let inputs = public_input::Entity::find()
            .filter(public_input::Column::PlanId.is_in(plans.iter().copied()))
            .filter(public_input::Column::HiddenAt.is_null())
            .order_by_asc(public_input::Column::ReceivedAt)
            .order_by_asc(public_input::Column::Id)
            .all(db)
            .await?;
        Ok(Facts {
            events,
            attending,
            ngos,
            attended,
            documents,
            invitations,
            inputs,
        })
    }

    /// The last forum meeting `member` held (or closed), of those `visible`.
    pub fn last_forum_meeting(
        &self,
        member: Uuid,
        visible: impl Fn(&event::Model) -> bool,
    ) -> Option<&event::Model> {
        self.events
            .iter()
            .filter(|e| e.member_id == member && e.kind.is_forum())
            .filter(|e| matches!(e.status, EventStatus::Held | EventStatus::Closed))
            .rfind(|e| visible(e))
    }
}

/// The checks for `plan` as of `today` (the member's day), with invitations due `lead_days`
/// before public events.
pub async fn co_creation<C: ConnectionTrait>(
    db: &C,
    plan: &action_plan::Model,
    tz: Tz,
    today: NaiveDate,
    lead_days: i64,
    lang: Lang,
) -> Result<Report, DbErr> {
    let facts = Facts::load(db, &[plan.member_id], &[plan.id]).await?;
    Ok(checks(&facts, plan, tz, today, lead_days, lang))
}

/// [`co_creation`] on facts already loaded (for many plans at once).
pub fn checks(
    facts: &Facts,
    plan: &action_plan::Model,
    tz: Tz,
    today: NaiveDate,
    lead_days: i64,
    lang: Lang,
) -> Report {
    let begins = plan
        .period_start
        .unwrap_or_else(|| plan.created_at.with_timezone(&tz).date_naive());
    let from = begins.checked_sub_days(Days::new(365)).unwrap_or(begins);
    let to = plan.period_end.map_or(today, |e| e.min(today)).max(from);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let day = |d: NaiveDate| i18n::long_date(d, lang);

    let events: Vec<&event::Model> = facts
        .events
        .iter()
        .filter(|e| e.member_id == plan.member_id)
        .filter(|e| {
            let d = local(e.starts_at);
            d >= from && d <= to
        })
        .collect();
    let held: Vec<&event::Model> = events
        .iter()
        .copied()
        .filter(|e| matches!(e.status, EventStatus::Held | EventStatus::Closed))
        .collect();
    let with_ngo: HashSet<Uuid> = facts
        .attending
        .iter()
        .filter(|(_, o)| facts.ngos.contains(o))
        .map(|(e, _)| *e)
        .collect();
    let attended = &facts.attended;
    let documents: Vec<&document::Model> = facts
        .documents
        .iter()
        .filter(|d| d.member_id == plan.member_id)
        .collect();
    let mut kinds_of: HashMap<Uuid, Vec<DocumentKind>> = HashMap::new();
    for d in &documents {
        if let Some(e) = d.event_id {
            kinds_of.entry(e).or_default().push(d.kind);
        }
    }
    let invitations = &facts.invitations;
    let label = |e: &event::Model| format!("{} — {}", day(local(e.starts_at)), e.title);

    let mut checks = vec![];

    // MR 1.1: the forum meets at least every six months.
    let forum: Vec<&&event::Model> = held.iter().filter(|e| e.kind.is_forum()).collect();
    let mut missing = vec![];
    if forum.is_empty() {
        missing.push(words(
            lang,
            "Tidak ada pertemuan forum yang tercatat terlaksana.",
            "No forum meeting is recorded as held.",
        ));
    }
    for pair in forum.windows(2) {
        let (a, b) = (local(pair[0].starts_at), local(pair[1].starts_at));
        if (b - a).num_days() > MAX_FORUM_GAP_DAYS {
            missing.push(match lang {
                Lang::Id => format!(
                    "Tidak ada pertemuan antara {} dan {} ({} hari).",
                    day(a),
                    day(b),
                    (b - a).num_days()
                ),
                Lang::En => format!(
                    "No meeting between {} and {} ({} days).",
                    day(a),
                    day(b),
                    (b - a).num_days()
                ),
            });
        }
    }
    if let Some(last) = forum.last() {
        let since = (to - local(last.starts_at)).num_days();
        if since > MAX_FORUM_GAP_DAYS {
            missing.push(match lang {
                Lang::Id => format!("Pertemuan terakhir {} hari yang lalu.", since),
                Lang::En => format!("The last meeting was {since} days ago."),
            });
        }
    }
    checks.push(Check::new(
        CheckCode::ForumMeetsEverySixMonths,
        &words(
            lang,
            "Forum bertemu sekurang-kurangnya setiap enam bulan",
            "The forum meets at least every six months",
        ),
        forum.iter().map(|e| label(e)).collect(),
        missing,
    ));

    // MR 2.2: the repository is updated at least twice a year.
    let mut days_by_year: BTreeMap<i32, HashSet<NaiveDate>> = (from.year()..=to.year())
        .map(|y| (y, HashSet::new()))
        .collect();
    let mut evidence = vec![];
    for d in documents.iter().filter(|d| d.is_public) {
        let when = d.document_date.unwrap_or_else(|| local(d.created_at));
        if when >= from && when <= to {
            days_by_year.entry(when.year()).or_default().insert(when);
            evidence.push(format!("{} — {}", day(when), d.title));
        }
    }
    let missing = days_by_year
        .iter()
        .filter(|(_, days)| days.len() < 2)
        .map(|(y, days)| match lang {
            Lang::Id => format!(
                "{y}: repositori diperbarui {} kali (minimal 2).",
                days.len()
            ),
            Lang::En => format!(
                "{y}: the repository was updated {} times (at least 2).",
                days.len()
            ),
        })
        .collect();
    checks.push(Check::new(
        CheckCode::RepositoryUpdatedTwiceAYear,
        &words(
            lang,
            "Repositori dokumen diperbarui sekurang-kurangnya dua kali setahun",
            "The document repository is updated at least twice a year",
        ),
        evidence,
        missing,
    ));

    // MR 5.1: two meetings a year with civil society.
    let mut per_year: BTreeMap<i32, usize> = (from.year()..=to.year()).map(|y| (y, 0)).collect();
    let mut evidence = vec![];
    for e in held.iter().filter(|e| with_ngo.contains(&e.id)) {
        *per_year.entry(local(e.starts_at).year()).or_default() += 1;
        evidence.push(label(e));
    }
    let missing = per_year
        .iter()
        .filter(|(_, n)| **n < 2)
        .map(|(y, n)| match lang {
            Lang::Id => format!("{y}: {n} pertemuan dengan masyarakat sipil (minimal 2)."),
            Lang::En => format!("{y}: {n} meetings with civil society (at least 2)."),
        })
        .collect();
    checks.push(Check::new(
        CheckCode::TwoMeetingsAYearWithCivilSociety,
        &words(
            lang,
            "Sekurang-kurangnya dua pertemuan setahun dengan masyarakat sipil",
            "At least two meetings a year with civil society",
        ),
        evidence,
        missing,
    ));

    // MR 3: invitations to public events in time.
    let (mut evidence, mut missing) = (vec![], vec![]);
    for e in events
        .iter()
        .filter(|e| e.is_public && e.status != EventStatus::Cancelled)
    {
        match invitations.get(&e.id) {
            Some(i) => {
                let lead = (local(e.starts_at) - local(i.published_at)).num_days();
                let line = match lang {
                    Lang::Id => format!("{} (undangan {} hari sebelumnya)", label(e), lead),
                    Lang::En => format!("{} (invitation {lead} days before)", label(e)),
                };
                if lead >= lead_days {
                    evidence.push(line);
                } else {
                    missing.push(line);
                }
            }
            None => missing.push(match lang {
                Lang::Id => format!("{} (tanpa undangan terbuka)", label(e)),
                Lang::En => format!("{} (no open invitation)", label(e)),
            }),
        }
    }
    checks.push(Check::new(
        CheckCode::InvitationsPublishedInTime,
        &match lang {
            Lang::Id => format!(
                "Undangan kegiatan publik terbit sekurang-kurangnya {lead_days} hari sebelumnya"
            ),
            Lang::En => format!(
                "Invitations to public events are published at least {lead_days} days before"
            ),
        },
        evidence,
        missing,
    ));

    // Minutes and attendance for every held event.
    let (mut evidence, mut missing) = (vec![], vec![]);
    for e in &held {
        let kinds = kinds_of.get(&e.id).cloned().unwrap_or_default();
        let minutes = e.minutes.as_deref().is_some_and(|m| !m.trim().is_empty())
            || kinds.contains(&DocumentKind::Minutes);
        let attendance = attended.contains(&e.id) || kinds.contains(&DocumentKind::AttendanceList);
        let lacks: Vec<&str> = [
            (!minutes).then_some(match lang {
                Lang::Id => "notulen",
                Lang::En => "minutes",
            }),
            (!attendance).then_some(match lang {
                Lang::Id => "daftar hadir",
                Lang::En => "attendance list",
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        if lacks.is_empty() {
            evidence.push(label(e));
        } else {
            missing.push(match lang {
                Lang::Id => format!("{}: tanpa {}", label(e), lacks.join(" dan ")),
                Lang::En => format!("{}: no {}", label(e), lacks.join(" and ")),
            });
        }
    }
    checks.push(Check::new(
        CheckCode::MinutesAndAttendanceForHeldEvents,
        &words(
            lang,
            "Notulen dan daftar hadir untuk setiap kegiatan yang terlaksana",
            "Minutes and an attendance record for every event held",
        ),
        evidence,
        missing,
    ));

    checks.push(responses(facts, plan, tz, lang));
    Report { from, to, checks }
}

/// A reasoned response for every input on the plan (hidden inputs need none).
fn responses(facts: &Facts, plan: &action_plan::Model, tz: Tz, lang: Lang) -> Check {
    let inputs: Vec<&public_input::Model> = facts
        .inputs
        .iter()
        .filter(|i| i.plan_id == plan.id)
        .collect();
    let label = |i: &public_input::Model| {
        let day = i18n::long_date(i.received_at.with_timezone(&tz).date_naive(), lang);
        format!("{day}: «{}»", excerpt(&i.body, 80))
    };
    let (answered, waiting): (Vec<&public_input::Model>, Vec<_>) =
        inputs.iter().copied().partition(|i| i.is_answered());
    let mut evidence: Vec<String> = answered.iter().map(|i| label(i)).collect();
    if inputs.is_empty() {
        evidence.push(words(
            lang,
            "Belum ada masukan yang tercatat untuk rencana ini.",
            "No input has been recorded for this plan.",
        ));
    }
    let missing = waiting
        .iter()
        .map(|i| match lang {
            Lang::Id => format!("{}: belum ditanggapi", label(i)),
            Lang::En => format!("{}: not yet answered", label(i)),
        })
        .collect();
    Check::new(
        CheckCode::ReasonedResponseForEveryInput,
        &words(
            lang,
            "Setiap masukan mendapat tanggapan beserta alasannya",
            "Every input gets a reasoned response",
        ),
        evidence,
        missing,
    )
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}
