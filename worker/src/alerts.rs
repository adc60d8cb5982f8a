//! Deadline alerts: the plan's submission deadline, every milestone's end date and every
//! follow-up's due date, at `TERBUKA_ALERT_OFFSETS` days before (default 30, 14, 7, 3, 1), on
//! the day, and once overdue — to the people responsible and to the secretariat (and, for
//! the submission deadline, to subscribers who follow deadlines).
//!
//! Days are counted between the member's calendar dates, so a deadline at 00:00 WIB is not a
//! day off. Each alert is keyed by (what, its date, the threshold, the recipient): a threshold
//! is mailed once, also across restarts and processes, and a worker that was down sends the
//! threshold it is in now (not every one it missed). When the date moves the key changes; when
//! the thing is done or its date moved before the mail goes out, the mail is CANCELLED at send
//! time ([`still_due`]). Milestone alerts are for plans being carried out (SUBMITTED or
//! IMPLEMENTING), not for one that ended.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_plan::PlanStatus;
use entity::follow_up::{self, FollowUpStatus};
use entity::mail_delivery::MailClass;
use entity::milestone::{self, MilestoneStatus};
use entity::subscription::{self, AlertKind, SubscriberKind, SubscriptionStatus, Topic};
use entity::{Lang, action_plan, commitment, i18n, person};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::WorkerState;
use crate::mail::NewMail;
use crate::schedule::Tick;

/// The threshold `days_left` falls in: the smallest offset at or above it, the day itself, or
/// overdue; `None` while it is further away than every offset.
pub fn threshold(days_left: i64, offsets: &[i64]) -> Option<String> {
    if days_left < 0 {
        return Some("overdue".into());
    }
    if days_left == 0 {
        return Some("0".into());
    }
    offsets
        .iter()
        .filter(|o| **o >= days_left)
        .min()
        .map(|o| o.to_string())
}

/// One person to alert, with their subscription if they have one.
#[derive(Clone)]
struct Recipient {
    email: String,
    lang: Lang,
    name: Option<String>,
    subscription: Option<subscription::Model>,
}

fn headline(days_left: i64, lang: Lang) -> String {
    match (days_left, lang) {
        (0, Lang::Id) => "hari ini".into(),
        (0, Lang::En) => "today".into(),
        (d, Lang::Id) if d < 0 => format!("lewat {} hari", -d),
        (d, Lang::En) if d < 0 => format!("{} days overdue", -d),
        (1, Lang::En) => "tomorrow".into(),
        (1, Lang::Id) => "besok".into(),
        (d, Lang::Id) => format!("{d} hari lagi"),
        (d, Lang::En) => format!("in {d} days"),
    }
}

/// The secretariat and admins of the member (active accounts).
async fn secretariat<C: ConnectionTrait>(db: &C, member: Uuid) -> Result<Vec<Recipient>, DbErr> {
    Ok(entity::notify::bounce::office(db, member)
        .await?
        .into_iter()
        .map(|a| Recipient {
            email: a.email,
            lang: a.lang,
            name: Some(a.name),
            subscription: None,
        })
        .collect())
}

async fn people<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<Vec<Recipient>, DbErr> {
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| {
            Some(Recipient {
                email: subscription::normalise(p.email.as_deref()?),
                lang: Lang::Id,
                name: Some(p.name),
                subscription: None,
            })
        })
        .collect())
}

/// What an alert is about, as the admin app's address of it: `{TERBUKA_APP_URL}/{path}/{global id}`.
#[derive(Clone, Copy)]
struct About {
    path: &'static str,
    kind: &'static str,
}

const PLAN: About = About {
    path: "plans",
    kind: "ActionPlan",
};
const MILESTONE: About = About {
    path: "milestones",
    kind: "Milestone",
};
const FOLLOW_UP: About = About {
    path: "follow-ups",
    kind: "FollowUp",
};
const EVENT: About = About {
    path: "events",
    kind: "Event",
};
const MEMBER: About = About {
    path: "members",
    kind: "Member",
};

/// The admin app's page of record `id`.
fn record_url(app_url: &str, about: About, id: Uuid) -> String {
    format!(
        "{}/{}/{}",
        app_url.trim_end_matches('/'),
        about.path,
        entity::ids::encode(about.kind, id)
    )
}

/// Records one alert per recipient (once per address) unless their subscription says no.
#[allow(clippy::too_many_arguments)]
async fn alert(
    state: &WorkerState,
    tick: &Tick,
    subs: &BTreeMap<String, subscription::Model>,
    recipients: Vec<Recipient>,
    kind: AlertKind,
    about: About,
    subject_id: Uuid,
    title: (&str, &str),
    date: NaiveDate,
    days_left: i64,
    bucket: &str,
    extra_check: Value,
    out: &mut Vec<Uuid>,
) -> Result<(), DbErr> {
    let mut check = json!({"kind": kind, "id": subject_id.to_string(), "date": date.to_string()});
    if let (Value::Object(c), Value::Object(extra)) = (&mut check, &extra_check) {
        c.extend(extra.clone());
    }
    let rule = extra_check
        .get("rule")
        .and_then(Value::as_str)
        .map(|r| format!("/{r}"))
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    for mut r in recipients {
        if !seen.insert(r.email.clone()) {
            continue;
        }
        // A request still waiting for its confirmation says nothing about the address's
        // wishes: it neither adds alerts nor takes away the ones its role brings.
        if let Some(s) = subs
            .get(&r.email)
            .filter(|s| s.status != SubscriptionStatus::Pending)
        {
            if !s.wants(MailClass::Alert, Some(kind)) {
                continue;
            }
            r.lang = Lang::from_tag(&s.lang);
            r.subscription = Some(s.clone());
        }
        let lang = r.lang;
        let what = match (kind, lang) {
            (AlertKind::SubmissionDeadline, Lang::Id) => "Batas penyerahan rencana aksi",
            (AlertKind::SubmissionDeadline, Lang::En) => "Action plan submission deadline",
            (AlertKind::MilestoneDue, Lang::Id) => "Tenggat kegiatan",
            (AlertKind::MilestoneDue, Lang::En) => "Milestone due",
            (AlertKind::FollowUpDue, Lang::Id) => "Tenggat tindak lanjut",
            (AlertKind::FollowUpDue, Lang::En) => "Follow-up due",
            (AlertKind::OgpRequirement, Lang::Id) => "Ketentuan OGP",
            (AlertKind::OgpRequirement, Lang::En) => "OGP requirement",
        };
        let mut context = json!({
            "alert_kind": kind,
            "alert_check": check,
            "name": r.name,
            "member": tick.member.name,
            "what": what,
            "title": match lang {
                Lang::Id => title.0,
                Lang::En => title.1,
            },
            "date": i18n::long_date(date, lang),
            "when": headline(days_left, lang),
            "overdue": days_left < 0,
            "record_url": record_url(&state.config.app_url, about, subject_id),
        });
        if let Some(s) = &r.subscription {
            context["subscription_id"] = Value::from(s.id.to_string());
        }
        let mail = NewMail {
            dedupe_key: format!(
                "alert:{}{rule}:{subject_id}:{date}:{bucket}:{}",
                serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                r.email
            ),
            class: MailClass::Alert,
            member_id: Some(tick.member.id),
            recipient: r.email.clone(),
            lang,
            template: "alert".into(),
            context,
        };
        if let Some(id) = crate::mail::record(&state.db, mail).await? {
            out.push(id);
        }
    }
    Ok(())
}

/// Records the alerts due on `tick`'s day; the ids of the messages to send.
pub async fn record(
    state: &WorkerState,
    tick: &Tick,
    _now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let db = &state.db;
    let member = tick.member.id;
    let today = tick.period;
    let offsets = &state.config.alert_offsets;
    let subs: BTreeMap<String, subscription::Model> = subscription::Entity::find()
        .filter(subscription::Column::MemberId.eq(member))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.email.clone(), s))
        .collect();
    let office = secretariat(db, member).await?;
    let mut out = vec![];

    for plan in action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.eq(member))
        .all(db)
        .await?
    {
        let Some(deadline) = plan.submission_deadline else {
            continue;
        };
        if !plan.status.before_submission() {
            continue;
        }
        let left = (deadline - today).num_days();
        let Some(bucket) = threshold(left, offsets) else {
            continue;
        };
        let mut to = office.clone();
        // Subscribers who follow deadlines (the public only once the plan is public).
        for s in subs.values() {
            if s.status == SubscriptionStatus::Confirmed
                && s.topics().contains(&Topic::Deadlines)
                && (s.audience == SubscriberKind::Team || plan.status.is_public())
            {
                to.push(Recipient {
                    email: s.email.clone(),
                    lang: Lang::from_tag(&s.lang),
                    name: s.name.clone(),
                    subscription: None,
                });
            }
        }
        alert(
            state,
            tick,
            &subs,
            to,
            AlertKind::SubmissionDeadline,
            PLAN,
            plan.id,
            (&plan.title, &plan.title),
            deadline,
            left,
            &bucket,
            Value::Null,
            &mut out,
        )
        .await?;
    }

    // Milestones of plans being carried out (not those of a plan that ended or was withdrawn).
    let running: std::collections::HashSet<Uuid> = {
        let plans: Vec<Uuid> = action_plan::Entity::find()
            .filter(action_plan::Column::MemberId.eq(member))
            .filter(
                action_plan::Column::Status
                    .is_in([PlanStatus::Submitted, PlanStatus::Implementing]),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        commitment::Entity::find()
            .filter(commitment::Column::PlanId.is_in(plans))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    for m in milestone::Entity::find()
        .filter(milestone::Column::MemberId.eq(member))
        .filter(milestone::Column::Status.is_in(MilestoneStatus::OPEN))
        .filter(milestone::Column::EndsOn.is_not_null())
        .all(db)
        .await?
    {
        let Some(end) = m.ends_on else { continue };
        if !running.contains(&m.commitment_id) {
            continue;
        }
        let left = (end - today).num_days();
        let Some(bucket) = threshold(left, offsets) else {
            continue;
        };
        let responsible = entity::plans::people::responsible_ids(db, None, Some(m.id)).await?;
        let mut to = people(db, responsible).await?;
        to.extend(office.clone());
        alert(
            state,
            tick,
            &subs,
            to,
            AlertKind::MilestoneDue,
            MILESTONE,
            m.id,
            (&m.title, &m.title),
            end,
            left,
            &bucket,
            Value::Null,
            &mut out,
        )
        .await?;
    }

    for f in follow_up::Entity::find()
        .filter(follow_up::Column::MemberId.eq(member))
        .filter(follow_up::Column::Status.is_in(FollowUpStatus::OPEN))
        .filter(follow_up::Column::DueOn.is_not_null())
        .all(db)
        .await?
    {
        let Some(due) = f.due_on else { continue };
        let left = (due - today).num_days();
        let Some(bucket) = threshold(left, offsets) else {
            continue;
        };
        let owners = entity::plans::follow_up::owner_ids(db, f.id).await?;
        let mut to = people(db, owners).await?;
        to.extend(office.clone());
        alert(
            state,
            tick,
            &subs,
            to,
            AlertKind::FollowUpDue,
            FOLLOW_UP,
            f.id,
            (&f.description, &f.description),
            due,
            left,
            &bucket,
            Value::Null,
            &mut out,
        )
        .await?;
    }

    // OGP requirements about to lapse: to the secretariat.
    let terms = crate::requirements::Terms {
        tz: tick.member.tz(),
        lead_days: state.config.invitation_lead_days,
        minutes_days: state.config.minutes_due_days,
    };
    for r in crate::requirements::owed(db, member, today, terms).await? {
        let left = (r.due - today).num_days();
        let Some(bucket) = threshold(left, &crate::requirements::OFFSETS) else {
            continue;
        };
        alert(
            state,
            tick,
            &subs,
            office.clone(),
            AlertKind::OgpRequirement,
            match r.rule {
                crate::requirements::Rule::Forum => MEMBER,
                crate::requirements::Rule::Inception => PLAN,
                crate::requirements::Rule::Minutes | crate::requirements::Rule::Invitation => EVENT,
            },
            r.id,
            (&r.id_text, &r.en_text),
            r.due,
            left,
            &bucket,
            json!({"rule": r.rule.code(), "tz": terms.tz.name(), "lead_days": terms.lead_days,
                   "minutes_days": terms.minutes_days}),
            &mut out,
        )
        .await?;
    }
    Ok(out)
}

/// Whether the thing an alert is about is still due on the date it names: the plan not yet
/// submitted with the same deadline, the milestone or follow-up still open with the same date.
pub async fn still_due<C: ConnectionTrait>(db: &C, check: &Value) -> Result<bool, DbErr> {
    let kind: Option<AlertKind> = serde_json::from_value(check["kind"].clone()).ok();
    let id = check["id"].as_str().and_then(|s| s.parse::<Uuid>().ok());
    let date = check["date"]
        .as_str()
        .and_then(|s| s.parse::<NaiveDate>().ok());
    let (Some(kind), Some(id), Some(date)) = (kind, id, date) else {
        return Ok(true);
    };
    Ok(match kind {
        AlertKind::SubmissionDeadline => action_plan::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|p| p.status.before_submission() && p.submission_deadline == Some(date)),
        AlertKind::MilestoneDue => milestone::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|m| m.status.is_open() && m.ends_on == Some(date)),
        AlertKind::FollowUpDue => follow_up::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|f| f.is_open() && f.due_on == Some(date)),
        AlertKind::OgpRequirement => {
            let rule = check["rule"]
                .as_str()
                .and_then(crate::requirements::Rule::parse);
            let tz = check["tz"]
                .as_str()
                .and_then(|t| t.parse::<chrono_tz::Tz>().ok());
            match (rule, tz) {
                (Some(rule), Some(tz)) => {
                    let terms = crate::requirements::Terms {
                        tz,
                        lead_days: check["lead_days"].as_i64().unwrap_or(14),
                        minutes_days: check["minutes_days"].as_i64().unwrap_or(7),
                    };
                    crate::requirements::due_of(db, rule, id, terms).await? == Some(date)
                }
                _ => true,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_crosses_each_threshold_once() {
        let offsets = [30, 14, 7, 3, 1];
        assert_eq!(threshold(31, &offsets), None);
        assert_eq!(threshold(30, &offsets).as_deref(), Some("30"));
        assert_eq!(threshold(29, &offsets).as_deref(), Some("30"));
        assert_eq!(threshold(14, &offsets).as_deref(), Some("14"));
        assert_eq!(threshold(8, &offsets).as_deref(), Some("14"));
        assert_eq!(threshold(2, &offsets).as_deref(), Some("3"));
        assert_eq!(threshold(1, &offsets).as_deref(), Some("1"));
        assert_eq!(threshold(0, &offsets).as_deref(), Some("0"));
        assert_eq!(threshold(-5, &offsets).as_deref(), Some("overdue"));
        assert_eq!(headline(30, Lang::Id), "30 hari lagi");
        assert_eq!(headline(-2, Lang::En), "2 days overdue");
    }
}
