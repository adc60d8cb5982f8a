//! OGP requirements about to lapse, as deadline alerts to the secretariat:
//!
//! - FORUM: the forum must meet at least every six months (MR 1.1): due 183 days after the
//!   last forum meeting held.
//! - MINUTES: minutes within `TERBUKA_MINUTES_DUE_DAYS` (7) of a held event (the documentation
//!   gap the 28 June 2018 meeting named); events held in the last 90 days are watched, older
//!   ones are the co-creation report's business.
//! - INVITATION: a public event's invitation out `TERBUKA_INVITATION_LEAD_DAYS` (14) days
//!   before it (MR 3).
//! - INCEPTION: the OGP Local inception assessment within two months of the plan's submission.
//!
//! Each requirement's due date is computed from the data by [`due_of`]; the alert is cancelled
//! at send time when the date it names is no longer the due date (the minutes came, the forum
//! met, the invitation went out).

use chrono::{Days, Months, NaiveDate};
use chrono_tz::Tz;
use entity::assessment::{self, AssessmentKind};
use entity::document::{self, DocumentKind};
use entity::event::{self, EventStatus};
use entity::{action_plan, invitation};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The longest gap between forum meetings.
pub const FORUM_GAP_DAYS: u64 = 183;
/// Thresholds (days before) for requirement alerts: a week, and the day before.
pub const OFFSETS: [i64; 2] = [7, 1];
/// How far back held events are watched for minutes.
const MINUTES_WATCH_DAYS: u64 = 90;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Forum,
    Minutes,
    Invitation,
    Inception,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::Forum => "FORUM",
            Rule::Minutes => "MINUTES",
            Rule::Invitation => "INVITATION",
            Rule::Inception => "INCEPTION",
        }
    }

    pub fn parse(code: &str) -> Option<Rule> {
        [
            Rule::Forum,
            Rule::Minutes,
            Rule::Invitation,
            Rule::Inception,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// The days a requirement's clock runs on.
#[derive(Clone, Copy, Debug)]
pub struct Terms {
    pub tz: Tz,
    pub lead_days: i64,
    pub minutes_days: i64,
}

/// One requirement with its due date and what to call it.
#[derive(Clone, Debug)]
pub struct Due {
    pub rule: Rule,
    pub id: Uuid,
    pub due: NaiveDate,
    pub id_text: String,
    pub en_text: String,
}

fn local(t: chrono::DateTime<chrono::Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

async fn has_minutes<C: ConnectionTrait>(db: &C, e: &event::Model) -> Result<bool, DbErr> {
    if e.minutes.as_deref().is_some_and(|m| !m.trim().is_empty()) {
        return Ok(true);
    }
    Ok(document::Entity::find()
        .filter(document::Column::EventId.eq(e.id))
        .filter(document::Column::Kind.eq(DocumentKind::Minutes))
        .one(db)
        .await?
        .is_some())
}

/// The due date of `rule` for record `id` (the member for FORUM), if it is still owed.
pub async fn due_of<C: ConnectionTrait>(
    db: &C,
    rule: Rule,
    id: Uuid,
    terms: Terms,
) -> Result<Option<NaiveDate>, DbErr> {
    Ok(match rule {
        Rule::Forum => event::Entity::find()
            .filter(event::Column::MemberId.eq(id))
            .filter(event::Column::Status.is_in([EventStatus::Held, EventStatus::Closed]))
            .order_by_desc(event::Column::StartsAt)
            .all(db)
            .await?
            .into_iter()
            .find(|e| e.kind.is_forum())
            .map(|e| local(e.starts_at, terms.tz) + Days::new(FORUM_GAP_DAYS)),
        Rule::Minutes => match event::Entity::find_by_id(id).one(db).await? {
            Some(e)
                if matches!(e.status, EventStatus::Held | EventStatus::Closed)
                    && !has_minutes(db, &e).await? =>
            {
                // Counted from the event itself, not from when someone marked it held.
                let held = local(e.ends_at.unwrap_or(e.starts_at), terms.tz);
                Some(held + Days::new(terms.minutes_days.max(0) as u64))
            }
            _ => None,
        },
        Rule::Invitation => match event::Entity::find_by_id(id).one(db).await? {
            Some(e) if e.is_public && e.status == EventStatus::Planned => {
                let invited = invitation::Entity::find()
                    .filter(invitation::Column::EventId.eq(e.id))
                    .one(db)
                    .await?
                    .is_some();
                (!invited).then(|| {
                    local(e.starts_at, terms.tz) - Days::new(terms.lead_days.max(0) as u64)
                })
            }
            _ => None,
        },
        Rule::Inception => match action_plan::Entity::find_by_id(id).one(db).await? {
            Some(p)
                if p.submitted_on.is_some()
                    && matches!(
                        p.status,
                        action_plan::PlanStatus::Submitted | action_plan::PlanStatus::Implementing
                    ) =>
            {
                let done = assessment::Entity::find()
                    .filter(assessment::Column::PlanId.eq(p.id))
                    .filter(assessment::Column::Kind.eq(AssessmentKind::LocalInception))
                    .one(db)
                    .await?
                    .is_some();
                match (done, p.submitted_on) {
                    (false, Some(s)) => s.checked_add_months(Months::new(2)),
                    _ => None,
                }
            }
            _ => None,
        },
    })
}

/// Every requirement of `member` still owed, as of `today`.
pub async fn owed<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    today: NaiveDate,
    terms: Terms,
) -> Result<Vec<Due>, DbErr> {
    let mut out = vec![];
    let day = |d: NaiveDate, lang| entity::i18n::long_date(d, lang);
    use entity::Lang::{En, Id};
    if let Some(due) = due_of(db, Rule::Forum, member, terms).await? {
        let last = due - Days::new(FORUM_GAP_DAYS);
        out.push(Due {
            rule: Rule::Forum,
            id: member,
            due,
            id_text: format!(
                "Forum harus bertemu lagi (pertemuan terakhir {})",
                day(last, Id)
            ),
            en_text: format!("The forum must meet again (last met {})", day(last, En)),
        });
    }
    let events = event::Entity::find()
        .filter(event::Column::MemberId.eq(member))
        .all(db)
        .await?;
    for e in &events {
        let start = local(e.starts_at, terms.tz);
        let (rule, watched) = match e.status {
            EventStatus::Held | EventStatus::Closed => (
                Rule::Minutes,
                start + Days::new(MINUTES_WATCH_DAYS) >= today && start <= today,
            ),
            EventStatus::Planned if e.is_public => (Rule::Invitation, start >= today),
            _ => continue,
        };
        if !watched {
            continue;
        }
        if let Some(due) = due_of(db, rule, e.id, terms).await? {
            let (id_text, en_text) = match rule {
                Rule::Minutes => (
                    format!("Notulen \"{}\" ({})", e.title, day(start, Id)),
                    format!("Minutes of \"{}\" ({})", e.title, day(start, En)),
                ),
                _ => (
                    format!("Undangan terbuka \"{}\" ({})", e.title, day(start, Id)),
                    format!("Open invitation to \"{}\" ({})", e.title, day(start, En)),
                ),
            };
            out.push(Due {
                rule,
                id: e.id,
                due,
                id_text,
                en_text,
            });
        }
    }
    for p in action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.eq(member))
        .all(db)
        .await?
    {
        if let Some(due) = due_of(db, Rule::Inception, p.id, terms).await? {
            out.push(Due {
                rule: Rule::Inception,
                id: p.id,
                due,
                id_text: format!("Penilaian awal (inception) \"{}\"", p.title),
                en_text: format!("Inception assessment of \"{}\"", p.title),
            });
        }
    }
    Ok(out)
}
