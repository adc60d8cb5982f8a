//! What each report says, read with the same domain queries the API answers with
//! (`entity::dashboard`, `entity::irm`, `entity::compliance`), so the figures in a report are
//! the figures on the screen. Only what the partnership publishes goes in: organisations,
//! officials named in the plan, counts — never a citizen's name, address or phone number.
//! The plan reports are in `plan`, the IRM table in `glance`, the co-creation checklist in
//! `checklist`, the minutes in `minutes`; what they share is here.

mod checklist;
mod glance;
mod minutes;
mod plan;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::report::{self, ReportKind};
use entity::{
    Lang, action_plan, agenda_item, assessment, commitment, commitment_assessment, compliance,
    dashboard, document, event, event_organisation, follow_up, head_of_region_term, i18n, irm,
    member, milestone, organisation, progress_update, public_input, starred_rule,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::report::doc::{Block, Cell, Doc, Table};

/// Why a report cannot be made (told to the person who asked).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Missing(&'static str),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub struct Inputs<'a> {
    pub report: &'a report::Model,
    pub now: DateTime<Utc>,
    pub lead_days: i64,
    pub public_url: &'a str,
}

fn t(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn code<E: ActiveEnum<Value = String>>(e: E) -> String {
    e.to_value()
}

/// An enumeration's value as people read it.
fn said<E: ActiveEnum<Value = String>>(e: E, lang: Lang) -> String {
    crate::report::words::word(&e.to_value(), lang)
}

/// The IRM star.
pub const STAR: char = '✪';

pub async fn build<C: ConnectionTrait>(db: &C, i: &Inputs<'_>) -> Result<Doc, BuildError> {
    let r = i.report;
    let lang = Lang::from_tag(&r.lang);
    let member = member::Entity::find_by_id(r.member_id)
        .one(db)
        .await?
        .ok_or(BuildError::Missing("member"))?;
    let tz = member.tz();
    let today = i.now.with_timezone(&tz).date_naive();
    let mut doc = Doc {
        footer: match lang {
            Lang::Id => format!(
                "Terbuka · {} · dibuat {}",
                member.name,
                i18n::long_datetime(i.now, tz, lang)
            ),
            Lang::En => format!(
                "Terbuka · {} · made {}",
                member.name,
                i18n::long_datetime(i.now, tz, lang)
            ),
        },
        page_label: match lang {
            Lang::Id => ("Halaman", "dari"),
            Lang::En => ("Page", "of"),
        },
        ..Doc::default()
    };
    if r.kind == ReportKind::Minutes {
        let event = match r.event_id {
            Some(id) => event::Entity::find_by_id(id).one(db).await?,
            None => None,
        }
        .ok_or(BuildError::Missing("event"))?;
        minutes::minutes(db, &mut doc, &member, &event, tz, lang).await?;
        doc.subject = event.title.clone();
        return Ok(doc);
    }
    let plan = match r.plan_id {
        Some(id) => action_plan::Entity::find_by_id(id).one(db).await?,
        None => None,
    }
    .ok_or(BuildError::Missing("plan"))?;
    let ctx = PlanContext::load(db, &member, &plan, today, lang).await?;
    doc.subject = plan.title.clone();
    match r.kind {
        ReportKind::ActionPlan => plan::action_plan_doc(db, &mut doc, &ctx).await?,
        ReportKind::Monev => plan::monev(db, &mut doc, &ctx).await?,
        ReportKind::IrmAtAGlance => {
            let a = match r.assessment_id {
                Some(id) => assessment::Entity::find_by_id(id).one(db).await?,
                None => None,
            }
            .ok_or(BuildError::Missing("assessment"))?;
            glance::at_a_glance(db, &mut doc, &ctx, &a).await?
        }
        ReportKind::CoCreationChecklist => checklist::checklist(db, &mut doc, &ctx, i).await?,
        ReportKind::Minutes => unreachable!("handled above"),
    }
    Ok(doc)
}

/// What every plan report starts from.
struct PlanContext<'a> {
    member: &'a member::Model,
    plan: &'a action_plan::Model,
    today: NaiveDate,
    lang: Lang,
    dashboard: dashboard::Dashboard,
    organisations: HashMap<Uuid, String>,
    head: Option<head_of_region_term::Model>,
}

impl<'a> PlanContext<'a> {
    async fn load<C: ConnectionTrait>(
        db: &C,
        member: &'a member::Model,
        plan: &'a action_plan::Model,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<PlanContext<'a>, DbErr> {
        let dashboard = dashboard::dashboard_of(db, plan.clone(), today).await?;
        let organisations = organisations(db, member.id).await?;
        let terms = head_of_region_term::Entity::find()
            .filter(head_of_region_term::Column::MemberId.eq(member.id))
            .order_by_desc(head_of_region_term::Column::InauguratedOn)
            .all(db)
            .await?;
        // The head of region who submits the plan: in office when it was submitted (or is
        // due), else when it starts; else today's, else the latest.
        let on = plan
            .submitted_on
            .or(plan.submission_deadline)
            .or(plan.period_start)
            .unwrap_or(today);
        let head = terms
            .iter()
            .find(|h| h.inaugurated_on.is_none_or(|s| s <= on) && h.ends_on.is_none_or(|e| e >= on))
            .or(terms.first())
            .cloned();
        Ok(PlanContext {
            member,
            plan,
            today,
            lang,
            dashboard,
            organisations,
            head,
        })
    }

    fn org(&self, id: Option<Uuid>) -> Cell {
        Cell::opt(id.and_then(|id| self.organisations.get(&id).cloned()))
    }

    /// The lines under every plan report's title.
    fn lines(&self) -> Vec<String> {
        let l = self.lang;
        let p = self.plan;
        let mut out = vec![self.member.name.clone()];
        if let (Some(s), Some(e)) = (p.period_start, p.period_end) {
            out.push(format!(
                "{}: {} – {}",
                t(l, "Periode", "Period"),
                i18n::long_date(s, l),
                i18n::long_date(e, l)
            ));
        }
        if let Some(d) = p.submission_deadline {
            out.push(format!(
                "{}: {}",
                t(
                    l,
                    "Batas penyerahan ke Sekretariat OGP",
                    "Due at the OGP secretariat"
                ),
                i18n::long_date(d, l)
            ));
        }
        if let Some(h) = &self.head {
            let office = h
                .office_title
                .clone()
                .unwrap_or_else(|| t(l, "Kepala daerah", "Head of region"));
            out.push(format!("{office}: {}", h.name));
        }
        out.push(format!(
            "{}: {}{}",
            t(l, "Status", "Status"),
            said(p.status, l),
            p.document_version
                .as_ref()
                .map(|v| format!(" · {} {v}", t(l, "versi", "version")))
                .unwrap_or_default()
        ));
        out
    }
}

async fn organisations<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
) -> Result<HashMap<Uuid, String>, DbErr> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::MemberId.eq(member))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Every milestone of the plan's commitments, in order, by commitment.
async fn milestones_of<C: ConnectionTrait>(
    db: &C,
    commitments: &[Uuid],
) -> Result<HashMap<Uuid, Vec<milestone::Model>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<milestone::Model>> = HashMap::new();
    for chunk in commitments.chunks(500) {
        for m in milestone::Entity::find()
            .filter(milestone::Column::CommitmentId.is_in(chunk.to_vec()))
            .order_by_asc(milestone::Column::Ordinal)
            .order_by_asc(milestone::Column::Id)
            .all(db)
            .await?
        {
            out.entry(m.commitment_id).or_default().push(m);
        }
    }
    Ok(out)
}

/// The star per commitment, by the latest assessment of the plan that has values.
async fn stars<C: ConnectionTrait>(db: &C, plan: Uuid) -> Result<HashMap<Uuid, bool>, DbErr> {
    let assessments = assessment::Entity::find()
        .filter(assessment::Column::PlanId.eq(plan))
        .order_by_desc(assessment::Column::PublishedOn)
        .order_by_desc(assessment::Column::CreatedAt)
        .all(db)
        .await?;
    for a in assessments {
        let values = commitment_assessment::Entity::find()
            .filter(commitment_assessment::Column::AssessmentId.eq(a.id))
            .all(db)
            .await?;
        if values.is_empty() {
            continue;
        }
        let rule = starred_rule::of(db, a.framework).await?;
        return Ok(values
            .iter()
            .map(|v| (v.commitment_id, irm::starred(v, &rule)))
            .collect());
    }
    Ok(HashMap::new())
}

fn title_with_star(c: &commitment::Model, starred: bool) -> String {
    if starred {
        format!("{} {STAR}", c.title)
    } else {
        c.title.clone()
    }
}

fn label(c: &commitment::Model) -> String {
    c.code.clone().unwrap_or_default()
}

fn ogp_values(c: &commitment::Model, lang: Lang) -> String {
    let values: Vec<String> = serde_json::from_value(c.ogp_values.clone()).unwrap_or_default();
    values
        .iter()
        .map(|v| crate::report::words::word(v, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

fn milestone_state(m: &milestone::Model, today: NaiveDate, plan_over: bool, lang: Lang) -> String {
    let v = serde_json::to_value(m.state_in(today, plan_over)).unwrap_or(Value::Null);
    crate::report::words::word(v.as_str().unwrap_or_default(), lang)
}

/// The plan-level figures exactly as `planDashboard` gives them.
fn dashboard_figures(d: &dashboard::Dashboard) -> Value {
    let counts = |c: &dashboard::StateCounts| {
        json!({
            "notStarted": c.not_started,
            "inProgress": c.in_progress,
            "completed": c.completed,
            "cancelled": c.cancelled,
            "delayed": c.delayed,
            "notCompleted": c.not_completed,
        })
    };
    json!({
        "progress": d.progress,
        "counts": counts(&d.counts),
        "overdueMilestones": d.overdue(),
        "nextDeadline": d.next_deadline.map(|x| x.to_string()),
        "commitments": d.commitments.iter().map(|c| json!({
            "code": c.commitment.code,
            "title": c.commitment.title,
            "progress": c.progress,
            "counts": counts(&c.counts),
            "overdue": c.overdue.len(),
            "nextDeadline": c.next_deadline.map(|x| x.to_string()),
            "funded": c.funding.is_funded(),
        })).collect::<Vec<_>>(),
    })
}

fn commitment_table(ctx: &PlanContext<'_>, stars: &HashMap<Uuid, bool>) -> Table {
    let l = ctx.lang;
    let mut table = Table::new(
        "komitmen",
        t(l, "Komitmen", "Commitments"),
        &[
            ("code", &t(l, "Kode", "Code"), 1.2),
            ("title", &t(l, "Judul", "Title"), 5.0),
            ("lead", &t(l, "Pelaksana", "Lead"), 3.0),
            ("starts_on", &t(l, "Mulai", "Start"), 1.7),
            ("ends_on", &t(l, "Selesai", "End"), 1.7),
            ("progress", &t(l, "Kemajuan (%)", "Progress (%)"), 1.4),
            ("milestones", &t(l, "Kegiatan", "Milestones"), 1.3),
            ("delayed", &t(l, "Terlambat", "Delayed"), 1.3),
            ("funded", &t(l, "Pendanaan", "Funded"), 1.4),
        ],
    );
    for row in &ctx.dashboard.commitments {
        let c = &row.commitment;
        let n = &row.counts;
        table.push(vec![
            Cell::text(label(c)),
            Cell::text(title_with_star(
                c,
                stars.get(&c.id).copied().unwrap_or(false),
            )),
            ctx.org(c.lead_organisation_id),
            Cell::date(c.starts_on),
            Cell::date(c.ends_on),
            Cell::num(row.progress),
            Cell::Int(i64::from(
                n.not_started + n.in_progress + n.completed + n.cancelled + n.delayed,
            )),
            Cell::Int(row.overdue.len() as i64),
            Cell::text(if row.funding.is_funded() {
                t(l, "Ada", "Yes")
            } else {
                t(l, "Belum ada", "None")
            }),
        ]);
    }
    table
}

fn word_of<E: serde::Serialize>(e: &Option<E>, lang: Lang) -> Cell {
    e.as_ref()
        .and_then(|e| serde_json::to_value(e).ok())
        .and_then(|v| v.as_str().map(|c| crate::report::words::word(c, lang)))
        .map_or(Cell::Empty, Cell::Text)
}
