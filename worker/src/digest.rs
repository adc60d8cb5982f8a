//! Digests: one message per confirmed subscriber per period (a local day, or a week from
//! Monday) with what is coming and what changed — upcoming events and open invitations,
//! milestones due soon or overdue, overdue follow-ups, new publications, progress reported
//! since the last digest, and the countdown to the plan's submission deadline.
//!
//! The partnership's own people (TEAM) read everything of their member; everyone else reads
//! what is public (public events, plans from public review on, published posts). A digest with
//! nothing in it is recorded as SKIPPED, not sent. Each message is keyed
//! `digest:{subscription}:{daily|weekly}:{period}`, so a period is mailed once per subscriber
//! however often the tick runs.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::action_plan;
use entity::event::{self, EventStatus};
use entity::follow_up::{self, FollowUpStatus};
use entity::mail_delivery::MailClass;
use entity::milestone;
use entity::subscription::{self, DigestFrequency, SubscriberKind, SubscriptionStatus, Topic};
use entity::{Lang, commitment, i18n, invitation, progress_update};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::WorkerState;
use crate::mail::NewMail;
use crate::schedule::{Schedule, Tick};
use entity::notify::record_skipped;

/// How far ahead a digest looks for events and due milestones.
pub const LOOK_AHEAD_DAYS: u64 = 14;

/// Something a digest can say, with whether the public may read it.
struct Line {
    public: bool,
    id: String,
    en: String,
}

impl Line {
    fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

#[derive(Default)]
struct Sections {
    events: Vec<Line>,
    due: Vec<Line>,
    overdue: Vec<Line>,
    follow_ups: Vec<Line>,
    publications: Vec<Line>,
    progress: Vec<Line>,
    countdown: Vec<Line>,
}

fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_hms_opt(0, 0, 0).unwrap().and_utc())
}

/// What the member's records say: what changed in the `back` days before `period`, and what
/// is coming from `day` (the day the digest is prepared) on.
async fn gather(
    state: &WorkerState,
    member: Uuid,
    tz: Tz,
    period: NaiveDate,
    day: NaiveDate,
    back: Days,
) -> Result<Sections, DbErr> {
    let db = &state.db;
    let since = local_midnight(period - back, tz);
    let until = local_midnight(period, tz);
    let from = local_midnight(day, tz);
    let horizon = day + Days::new(LOOK_AHEAD_DAYS);
    let date = |d: NaiveDate, lang: Lang| i18n::long_date(d, lang);
    let mut s = Sections::default();

    let plans: HashMap<Uuid, action_plan::Model> = action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.eq(member))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    for p in plans.values() {
        if let Some(deadline) = p.submission_deadline
            && p.status.before_submission()
            && deadline >= day
        {
            let left = (deadline - day).num_days();
            s.countdown.push(Line {
                public: p.status.is_public(),
                id: format!(
                    "{}: {left} hari lagi sampai batas penyerahan ({})",
                    p.title,
                    date(deadline, Lang::Id)
                ),
                en: format!(
                    "{}: {left} days to the submission deadline ({})",
                    p.title,
                    date(deadline, Lang::En)
                ),
            });
        }
    }

    // Planned events from today on: those within the look-ahead, and every one with an open
    // invitation until its registration closes, however far ahead (an invitation published
    // three weeks before its event is news from the day it is out).
    let now = state.clock.now();
    let open: Vec<Uuid> = invitation::Entity::find()
        .filter(invitation::Column::MemberId.eq(member))
        .filter(invitation::Column::PublishedAt.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(invitation::Column::RegistrationClosesAt.is_null())
                .add(invitation::Column::RegistrationClosesAt.gt(now)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.event_id)
        .collect();
    let events = event::Entity::find()
        .filter(event::Column::MemberId.eq(member))
        .filter(event::Column::Status.eq(EventStatus::Planned))
        .filter(event::Column::StartsAt.gte(from))
        .filter(
            sea_orm::Condition::any()
                .add(event::Column::StartsAt.lt(local_midnight(horizon, tz)))
                .add(event::Column::Id.is_in(open.iter().copied())),
        )
        .order_by_asc(event::Column::StartsAt)
        .all(db)
        .await?;
    for e in &events {
        let invited = open.contains(&e.id);
        s.events.push(Line {
            public: e.is_public,
            id: format!(
                "{} — {}{}",
                e.title,
                i18n::long_datetime(e.starts_at, tz, Lang::Id),
                if invited { " (undangan terbuka)" } else { "" }
            ),
            en: format!(
                "{} — {}{}",
                e.title,
                i18n::long_datetime(e.starts_at, tz, Lang::En),
                if invited { " (open invitation)" } else { "" }
            ),
        });
    }

    let commitments: HashMap<Uuid, commitment::Model> = commitment::Entity::find()
        .filter(commitment::Column::MemberId.eq(member))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let public_commitment = |id: Uuid| {
        commitments
            .get(&id)
            .and_then(|c| plans.get(&c.plan_id))
            .is_some_and(|p| p.status.is_public())
    };
    // A milestone of a plan that is over (ended, assessed, withdrawn) is never due or overdue
    // news: that plan's final state is its report's business.
    let plan_running = |id: Uuid| {
        commitments
            .get(&id)
            .and_then(|c| plans.get(&c.plan_id))
            .is_some_and(|p| !p.status.is_over())
    };
    // Every milestone of the member, read once: the open ones due by the horizon are listed,
    // and all of them name the progress reports below.
    let milestones: HashMap<Uuid, milestone::Model> = milestone::Entity::find()
        .filter(milestone::Column::MemberId.eq(member))
        .order_by_asc(milestone::Column::EndsOn)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut listed: Vec<&milestone::Model> = milestones
        .values()
        .filter(|m| {
            m.status.is_open()
                && m.ends_on.is_some_and(|e| e <= horizon)
                && plan_running(m.commitment_id)
        })
        .collect();
    listed.sort_by_key(|m| (m.ends_on, m.id));
    for m in listed {
        let Some(end) = m.ends_on else { continue };
        let line = Line {
            public: public_commitment(m.commitment_id),
            id: format!("{} — {} ({} %)", m.title, date(end, Lang::Id), m.progress),
            en: format!("{} — {} ({} %)", m.title, date(end, Lang::En), m.progress),
        };
        if end < day {
            s.overdue.push(line);
        } else {
            s.due.push(line);
        }
    }

    for u in progress_update::Entity::find()
        .filter(progress_update::Column::MemberId.eq(member))
        .filter(progress_update::Column::CreatedAt.gte(since))
        .filter(progress_update::Column::CreatedAt.lt(until))
        .order_by_asc(progress_update::Column::CreatedAt)
        .all(db)
        .await?
    {
        let Some(m) = milestones.get(&u.milestone_id) else {
            continue;
        };
        s.progress.push(Line {
            public: public_commitment(m.commitment_id),
            id: format!("{}: {} % ({})", m.title, u.percent, u.author_label),
            en: format!("{}: {} % ({})", m.title, u.percent, u.author_label),
        });
    }

    for f in follow_up::Entity::find()
        .filter(follow_up::Column::MemberId.eq(member))
        .filter(follow_up::Column::Status.is_in(FollowUpStatus::OPEN))
        .filter(follow_up::Column::DueOn.lt(day))
        .order_by_asc(follow_up::Column::DueOn)
        .all(db)
        .await?
    {
        let Some(due) = f.due_on else { continue };
        s.follow_ups.push(Line {
            public: false,
            id: format!("{} — jatuh tempo {}", f.description, date(due, Lang::Id)),
            en: format!("{} — due {}", f.description, date(due, Lang::En)),
        });
    }

    for p in entity::news::published_between(db, member, since, until).await? {
        s.publications.push(Line {
            public: true,
            id: p.title.clone(),
            en: p.title_en.clone().unwrap_or(p.title.clone()),
        });
    }
    Ok(s)
}

/// The sections `sub` reads, in its language: `[{"title", "items"}]`.
fn sections_for(s: &Sections, sub: &subscription::Model, lang: Lang) -> Vec<Value> {
    let team = sub.audience == SubscriberKind::Team;
    let topics = sub.topics();
    let pick = |lines: &[Line]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| team || l.public)
            .map(|l| l.text(lang).to_owned())
            .collect()
    };
    let words = |id: &str, en: &str| match lang {
        Lang::Id => id.to_owned(),
        Lang::En => en.to_owned(),
    };
    let mut out = vec![];
    let mut push = |topic: Topic, title: String, items: Vec<String>| {
        if topics.contains(&topic) && !items.is_empty() {
            out.push(json!({"title": title, "items": items}));
        }
    };
    push(
        Topic::Deadlines,
        words("Menuju batas penyerahan", "Countdown to submission"),
        pick(&s.countdown),
    );
    push(
        Topic::EventsAndInvitations,
        words("Kegiatan dan undangan", "Events and invitations"),
        pick(&s.events),
    );
    push(
        Topic::PlanProgress,
        words("Kegiatan rencana aksi lewat tenggat", "Milestones overdue"),
        pick(&s.overdue),
    );
    push(
        Topic::PlanProgress,
        words(
            "Kegiatan rencana aksi segera jatuh tempo",
            "Milestones due soon",
        ),
        pick(&s.due),
    );
    push(
        Topic::PlanProgress,
        words("Kemajuan yang dilaporkan", "Progress reported"),
        pick(&s.progress),
    );
    push(
        Topic::PlanProgress,
        words("Tindak lanjut lewat tenggat", "Follow-ups overdue"),
        pick(&s.follow_ups),
    );
    push(
        Topic::Publications,
        words("Berita baru", "New posts"),
        pick(&s.publications),
    );
    out
}

/// Records the digests of `tick`; the ids of the messages to send.
pub async fn record(
    state: &WorkerState,
    tick: &Tick,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let (frequency, kind, back) = match tick.schedule {
        Schedule::WeeklyDigest => (DigestFrequency::Weekly, "weekly", Days::new(7)),
        _ => (DigestFrequency::Daily, "daily", Days::new(1)),
    };
    let subscribers = subscription::Entity::find()
        .filter(subscription::Column::MemberId.eq(tick.member.id))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Confirmed))
        .filter(subscription::Column::Frequency.eq(frequency))
        .order_by_asc(subscription::Column::Id)
        .all(&state.db)
        .await?;
    if subscribers.is_empty() {
        return Ok(vec![]);
    }
    let tz = tick.member.tz();
    let today = now.with_timezone(&tz).date_naive().max(tick.period);
    let sections = gather(state, tick.member.id, tz, tick.period, today, back).await?;
    let mut ids = vec![];
    for sub in &subscribers {
        let lang = Lang::from_tag(&sub.lang);
        let items = sections_for(&sections, sub, lang);
        let period = match (tick.schedule, lang) {
            (Schedule::WeeklyDigest, Lang::Id) => {
                format!("pekan {}", i18n::long_date(tick.period, lang))
            }
            (Schedule::WeeklyDigest, Lang::En) => {
                format!("week of {}", i18n::long_date(tick.period, lang))
            }
            _ => i18n::long_date(tick.period, lang),
        };
        let mail = NewMail {
            dedupe_key: format!("digest:{}:{kind}:{}", sub.id, tick.period),
            class: MailClass::Digest,
            member_id: Some(tick.member.id),
            recipient: sub.email.clone(),
            lang,
            template: "digest".into(),
            context: json!({
                "subscription_id": sub.id.to_string(),
                "name": sub.name,
                "member": tick.member.name,
                "period": period,
                "weekly": tick.schedule == Schedule::WeeklyDigest,
                "sections": items,
            }),
        };
        if items.is_empty() {
            record_skipped(&state.db, mail, "empty digest").await?;
        } else if let Some(id) = crate::mail::record(&state.db, mail).await? {
            ids.push(id);
        }
    }
    Ok(ids)
}
