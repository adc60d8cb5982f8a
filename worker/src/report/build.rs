//! What each report says, read with the same domain queries the API answers with
//! (`entity::dashboard`, `entity::irm`, `entity::compliance`), so the figures in a report are
//! the figures on the screen. Only what the partnership publishes goes in: organisations,
//! officials named in the plan, counts — never a citizen's name, address or phone number.

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

use super::doc::{Block, Cell, Doc, Table};

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
    super::words::word(&e.to_value(), lang)
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
        minutes(db, &mut doc, &member, &event, tz, lang).await?;
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
        ReportKind::ActionPlan => action_plan_doc(db, &mut doc, &ctx).await?,
        ReportKind::Monev => monev(db, &mut doc, &ctx).await?,
        ReportKind::IrmAtAGlance => {
            let a = match r.assessment_id {
                Some(id) => assessment::Entity::find_by_id(id).one(db).await?,
                None => None,
            }
            .ok_or(BuildError::Missing("assessment"))?;
            at_a_glance(db, &mut doc, &ctx, &a).await?
        }
        ReportKind::CoCreationChecklist => checklist(db, &mut doc, &ctx, i).await?,
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
        .map(|v| super::words::word(v, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

fn milestone_state(m: &milestone::Model, today: NaiveDate, lang: Lang) -> String {
    let v = serde_json::to_value(m.state(today)).unwrap_or(Value::Null);
    super::words::word(v.as_str().unwrap_or_default(), lang)
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

async fn action_plan_doc<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let stars = stars(db, ctx.plan.id).await?;
    doc.title = ctx.plan.title.clone();
    doc.lines = ctx.lines();
    if let Some(s) = &ctx.plan.summary {
        doc.paragraph(s.clone());
    }
    doc.paragraph(t(
        l,
        &format!("{STAR} = komitmen bintang menurut penilaian IRM terakhir atas rencana ini."),
        &format!("{STAR} = starred commitment by the plan's latest IRM assessment."),
    ));
    doc.heading(t(l, "Daftar komitmen", "Commitments"));
    doc.table(commitment_table(ctx, &stars));
    doc.figures = dashboard_figures(&ctx.dashboard);

    let ids: Vec<Uuid> = ctx
        .dashboard
        .commitments
        .iter()
        .map(|c| c.commitment.id)
        .collect();
    let milestones = milestones_of(db, &ids).await?;
    let mut m_table = Table::new(
        "kegiatan",
        t(l, "Kegiatan dan keluaran", "Milestones"),
        &[
            ("commitment", &t(l, "Komitmen", "Commitment"), 1.2),
            ("title", &t(l, "Kegiatan", "Milestone"), 4.5),
            (
                "deliverable",
                &t(
                    l,
                    "Keluaran yang dapat diverifikasi",
                    "Verifiable deliverable",
                ),
                4.0,
            ),
            ("responsible", &t(l, "Penanggung jawab", "Responsible"), 2.5),
            ("starts_on", &t(l, "Mulai", "Start"), 1.7),
            ("ends_on", &t(l, "Selesai", "End"), 1.7),
        ],
    );
    let m_index = doc.tables.len();
    doc.heading(t(
        l,
        "Komitmen dalam format OGP",
        "Commitments in the OGP template",
    ));
    for row in &ctx.dashboard.commitments {
        let c = &row.commitment;
        let starred = stars.get(&c.id).copied().unwrap_or(false);
        doc.blocks.push(Block::PageBreak);
        doc.subheading(format!("{} — {}", label(c), title_with_star(c, starred)));
        let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
        let period = match (c.starts_on, c.ends_on) {
            (Some(s), Some(e)) => format!("{} – {}", i18n::long_date(s, l), i18n::long_date(e, l)),
            _ => "—".into(),
        };
        doc.fields(vec![
            (t(l, "Tema", "Theme"), opt(&c.theme)),
            (t(l, "Masalah", "Problem"), opt(&c.problem)),
            (t(l, "Kondisi awal", "Status quo"), opt(&c.baseline)),
            (t(l, "Tujuan", "Objective"), opt(&c.objective)),
            (t(l, "Deskripsi", "Description"), opt(&c.description)),
            (
                t(
                    l,
                    "Bagaimana komitmen menyelesaikan masalah",
                    "How it solves the problem",
                ),
                opt(&c.how_it_solves),
            ),
            (t(l, "Nilai OGP", "OGP values"), ogp_values(c, l)),
            (t(l, "Ambisi", "Ambition"), opt(&c.ambition)),
            (
                t(l, "Pelaksana utama", "Lead agency"),
                ctx.org(c.lead_organisation_id).display(),
            ),
            (
                t(l, "Pejabat penanggung jawab", "Official in charge"),
                opt(&c.official_in_charge),
            ),
            (t(l, "Waktu pelaksanaan", "Period"), period),
            (
                t(l, "Kemajuan", "Progress"),
                row.progress
                    .map_or("—".into(), |p| format!("{} %", super::doc::format_num(p))),
            ),
        ]);
        let first = m_table.rows.len();
        for m in milestones.get(&c.id).into_iter().flatten() {
            m_table.push(vec![
                Cell::text(label(c)),
                Cell::text(m.title.clone()),
                Cell::opt(m.deliverable.clone()),
                ctx.org(m.responsible_organisation_id),
                Cell::date(m.starts_on),
                Cell::date(m.ends_on),
            ]);
        }
        if m_table.rows.len() > first {
            doc.blocks
                .push(Block::TableRows(m_index, first, m_table.rows.len()));
        }
    }
    // The milestones' table is shown in slices under each commitment.
    doc.tables.push(m_table);
    Ok(())
}

async fn monev<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let d = &ctx.dashboard;
    doc.title = format!(
        "{} — {}",
        t(l, "Laporan monev", "Monitoring report"),
        ctx.plan.title
    );
    doc.lines = ctx.lines();
    doc.lines.push(format!(
        "{}: {}",
        t(l, "Keadaan per", "As of"),
        i18n::long_date(ctx.today, l)
    ));
    doc.figures = dashboard_figures(d);
    doc.heading(t(l, "Ringkasan", "Summary"));
    doc.fields(vec![
        (
            t(l, "Kemajuan rencana", "Plan progress"),
            d.progress
                .map_or("—".into(), |p| format!("{} %", super::doc::format_num(p))),
        ),
        (
            t(l, "Komitmen", "Commitments"),
            d.commitments.len().to_string(),
        ),
        (
            t(l, "Kegiatan belum mulai", "Milestones not started"),
            d.counts.not_started.to_string(),
        ),
        (
            t(l, "Kegiatan berjalan", "Milestones in progress"),
            d.counts.in_progress.to_string(),
        ),
        (
            t(l, "Kegiatan selesai", "Milestones completed"),
            d.counts.completed.to_string(),
        ),
        (
            t(l, "Kegiatan terlambat", "Milestones delayed"),
            d.counts.delayed.to_string(),
        ),
        (
            t(l, "Kegiatan dibatalkan", "Milestones cancelled"),
            d.counts.cancelled.to_string(),
        ),
        (
            t(l, "Tenggat berikutnya", "Next deadline"),
            d.next_deadline
                .map_or("—".into(), |x| i18n::long_date(x, l)),
        ),
        (
            t(l, "Komitmen tanpa pendanaan", "Commitments without funding"),
            d.unfunded().count().to_string(),
        ),
    ]);
    doc.heading(t(l, "Kemajuan per komitmen", "Progress by commitment"));
    doc.table(commitment_table(ctx, &HashMap::new()));

    let ids: Vec<Uuid> = d.commitments.iter().map(|c| c.commitment.id).collect();
    let milestones = milestones_of(db, &ids).await?;
    let m_ids: Vec<Uuid> = milestones.values().flatten().map(|m| m.id).collect();
    let mut latest: HashMap<Uuid, progress_update::Model> = HashMap::new();
    for chunk in m_ids.chunks(500) {
        for u in progress_update::Entity::find()
            .filter(progress_update::Column::MilestoneId.is_in(chunk.to_vec()))
            .order_by_asc(progress_update::Column::ReportedOn)
            .order_by_asc(progress_update::Column::CreatedAt)
            .all(db)
            .await?
        {
            latest.insert(u.milestone_id, u);
        }
    }
    let mut table = Table::new(
        "kegiatan",
        t(l, "Kemajuan kegiatan", "Milestone progress"),
        &[
            ("commitment", &t(l, "Komitmen", "Commitment"), 1.2),
            ("title", &t(l, "Kegiatan", "Milestone"), 3.8),
            ("responsible", &t(l, "Penanggung jawab", "Responsible"), 2.2),
            ("ends_on", &t(l, "Selesai", "Due"), 1.7),
            ("weight", &t(l, "Bobot", "Weight"), 1.0),
            ("status", &t(l, "Status", "Status"), 1.8),
            ("percent", &t(l, "%", "%"), 0.8),
            ("reported_on", &t(l, "Laporan terakhir", "Last report"), 1.7),
            ("note", &t(l, "Catatan", "Note"), 3.0),
            ("evidence", &t(l, "Bukti", "Evidence"), 2.6),
        ],
    );
    for row in &d.commitments {
        let c = &row.commitment;
        for m in milestones.get(&c.id).into_iter().flatten() {
            let u = latest.get(&m.id);
            let links: Vec<String> = u
                .and_then(|u| serde_json::from_value(u.evidence_links.clone()).ok())
                .unwrap_or_default();
            table.push(vec![
                Cell::text(label(c)),
                Cell::text(m.title.clone()),
                ctx.org(m.responsible_organisation_id),
                Cell::date(m.ends_on),
                Cell::Int(i64::from(m.weight)),
                Cell::text(milestone_state(m, ctx.today, l)),
                Cell::Int(i64::from(m.percent())),
                Cell::date(u.map(|u| u.reported_on)),
                Cell::opt(u.and_then(|u| u.note.clone())),
                if links.is_empty() {
                    Cell::Empty
                } else {
                    Cell::text(links.join("\n"))
                },
            ]);
        }
    }
    doc.heading(t(l, "Kemajuan per kegiatan", "Progress by milestone"));
    doc.table(table);
    doc.primary = 0;
    Ok(())
}

fn word_of<E: serde::Serialize>(e: &Option<E>, lang: Lang) -> Cell {
    e.as_ref()
        .and_then(|e| serde_json::to_value(e).ok())
        .and_then(|v| v.as_str().map(|c| super::words::word(c, lang)))
        .map_or(Cell::Empty, Cell::Text)
}

async fn at_a_glance<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
    a: &assessment::Model,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let rule = starred_rule::of(db, a.framework).await?;
    let values = commitment_assessment::Entity::find()
        .filter(commitment_assessment::Column::AssessmentId.eq(a.id))
        .all(db)
        .await?;
    let by_commitment: HashMap<Uuid, &commitment_assessment::Model> =
        values.iter().map(|v| (v.commitment_id, v)).collect();
    let glance = irm::at_a_glance(&values, &rule);
    doc.subject = a.title.clone();
    doc.title = format!(
        "{} — {}",
        a.title,
        t(l, "Ringkasan (At a Glance)", "At a Glance")
    );
    doc.lines = ctx.lines();
    if let Some(who) = &a.assessor {
        doc.lines
            .push(format!("{}: {who}", t(l, "Penilai", "Assessor")));
    }
    if let Some(d) = a.published_on {
        doc.lines.push(format!(
            "{}: {}",
            t(l, "Terbit", "Published"),
            i18n::long_date(d, l)
        ));
    }
    doc.lines.push(format!(
        "{}: {} · {}",
        t(l, "Kerangka", "Framework"),
        said(a.framework, l),
        said(a.kind, l)
    ));
    let mut table = Table::new(
        "penilaian",
        t(l, "Penilaian per komitmen", "Values by commitment"),
        &[
            ("code", &t(l, "Kode", "Code"), 1.2),
            ("title", &t(l, "Komitmen", "Commitment"), 4.5),
            ("verifiable", &t(l, "Dapat diverifikasi", "Verifiable"), 1.5),
            (
                "relevance",
                &t(l, "Relevansi nilai OGP", "OGP value relevance"),
                2.6,
            ),
            (
                "potential_impact",
                &t(l, "Potensi dampak", "Potential impact"),
                2.0,
            ),
            ("completion", &t(l, "Penyelesaian", "Completion"), 1.9),
            (
                "did_it_open_government",
                &t(l, "Membuka pemerintahan?", "Did it open government?"),
                2.2,
            ),
            ("starred", &t(l, "Bintang", "Starred"), 1.2),
        ],
    );
    for row in &ctx.dashboard.commitments {
        let c = &row.commitment;
        let Some(v) = by_commitment.get(&c.id) else {
            continue;
        };
        let relevant: Vec<String> = v
            .relevant()
            .into_iter()
            .map(|x| {
                serde_json::to_value(x)
                    .ok()
                    .and_then(|v| v.as_str().map(|c| super::words::word(c, l)))
                    .unwrap_or_default()
            })
            .collect();
        let starred = irm::starred(v, &rule);
        table.push(vec![
            Cell::text(label(c)),
            Cell::text(c.title.clone()),
            match v.verifiable {
                Some(true) => Cell::text(t(l, "Ya", "Yes")),
                Some(false) => Cell::text(t(l, "Tidak", "No")),
                None => Cell::Empty,
            },
            Cell::text(relevant.join(", ")),
            word_of(&v.potential_impact, l),
            word_of(&v.completion, l),
            word_of(&v.did_it_open_government, l),
            Cell::text(if starred {
                STAR.to_string()
            } else {
                String::new()
            }),
        ]);
    }
    let figures = json!({
        "commitments": glance.commitments,
        "verifiable": glance.verifiable,
        "clearRelevance": glance.clear_relevance,
        "transformativePotentialImpact": glance.transformative_potential_impact,
        "completionNotStarted": glance.completion_not_started,
        "completionLimited": glance.completion_limited,
        "completionSubstantial": glance.completion_substantial,
        "completionComplete": glance.completion_complete,
        "completionNoEvidence": glance.completion_no_evidence,
        "starred": glance.starred,
        "diogWorsened": glance.diog_worsened,
        "diogDidNotChange": glance.diog_did_not_change,
        "diogMarginal": glance.diog_marginal,
        "diogMajor": glance.diog_major,
        "diogOutstanding": glance.diog_outstanding,
    });
    let mut summary = Table::new(
        "ringkasan",
        t(l, "At a Glance", "At a Glance"),
        &[
            ("measure", &t(l, "Ukuran", "Measure"), 4.0),
            ("count", &t(l, "Jumlah", "Count"), 1.0),
        ],
    );
    let names: [(&str, &str, &str); 15] = [
        ("commitments", "Jumlah komitmen", "Commitments"),
        ("verifiable", "Dapat diverifikasi", "Verifiable"),
        (
            "clearRelevance",
            "Relevan dengan nilai OGP",
            "Relevant to OGP values",
        ),
        (
            "transformativePotentialImpact",
            "Potensi dampak transformatif",
            "Transformative potential impact",
        ),
        (
            "completionNotStarted",
            "Penyelesaian: belum dimulai",
            "Completion: not started",
        ),
        (
            "completionLimited",
            "Penyelesaian: terbatas",
            "Completion: limited",
        ),
        (
            "completionSubstantial",
            "Penyelesaian: substansial",
            "Completion: substantial",
        ),
        (
            "completionComplete",
            "Penyelesaian: selesai",
            "Completion: complete",
        ),
        (
            "completionNoEvidence",
            "Penyelesaian: tanpa bukti",
            "Completion: no evidence",
        ),
        ("starred", "Komitmen bintang ✪", "Starred commitments ✪"),
        (
            "diogWorsened",
            "Membuka pemerintahan: memburuk",
            "Did it open government: worsened",
        ),
        (
            "diogDidNotChange",
            "Membuka pemerintahan: tidak berubah",
            "Did it open government: did not change",
        ),
        (
            "diogMarginal",
            "Membuka pemerintahan: marginal",
            "Did it open government: marginal",
        ),
        (
            "diogMajor",
            "Membuka pemerintahan: besar",
            "Did it open government: major",
        ),
        (
            "diogOutstanding",
            "Membuka pemerintahan: luar biasa",
            "Did it open government: outstanding",
        ),
    ];
    for (key, id, en) in names {
        summary.push(vec![
            Cell::text(t(l, id, en)),
            Cell::Int(figures[key].as_i64().unwrap_or(0)),
        ]);
    }
    doc.figures = figures;
    doc.heading(t(l, "Ringkasan", "At a Glance"));
    doc.table(summary);
    doc.heading(t(l, "Penilaian per komitmen", "Values by commitment"));
    doc.primary = doc.table(table);
    if let Some(f) = &a.findings {
        doc.heading(t(l, "Temuan", "Findings"));
        doc.paragraph(f.clone());
    }
    if let Some(r) = &a.recommendations {
        doc.heading(t(l, "Rekomendasi", "Recommendations"));
        doc.paragraph(r.clone());
    }
    Ok(())
}

async fn checklist<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
    i: &Inputs<'_>,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let tz: Tz = ctx.member.tz();
    let report = compliance::co_creation(db, ctx.plan, tz, ctx.today, i.lead_days, l).await?;
    doc.title = format!(
        "{} — {}",
        t(l, "Standar ko-kreasi OGP", "OGP co-creation standards"),
        ctx.plan.title
    );
    doc.lines = ctx.lines();
    doc.lines.push(format!(
        "{}: {} – {}",
        t(l, "Rentang yang diperiksa", "Period checked"),
        i18n::long_date(report.from, l),
        i18n::long_date(report.to, l)
    ));
    let mut table = Table::new(
        "standar",
        t(l, "Daftar periksa", "Checklist"),
        &[
            ("code", &t(l, "Kode", "Code"), 2.8),
            ("title", &t(l, "Standar", "Standard"), 3.3),
            ("verdict", &t(l, "Hasil", "Verdict"), 1.9),
            ("evidence", &t(l, "Bukti", "Evidence"), 4.0),
            ("missing", &t(l, "Yang kurang", "Missing"), 3.2),
        ],
    );
    for c in &report.checks {
        table.push(vec![
            Cell::text(code(c.code)),
            Cell::text(c.title.clone()),
            Cell::text(match c.verdict {
                compliance::Verdict::Met => t(l, "Terpenuhi", "Met"),
                compliance::Verdict::NotMet => t(l, "Belum terpenuhi", "Not met"),
            }),
            Cell::text(c.evidence.join("\n")),
            Cell::text(c.missing.join("\n")),
        ]);
    }
    doc.figures = json!({
        "from": report.from.to_string(),
        "to": report.to.to_string(),
        "met": report.checks.iter().filter(|c| c.verdict == compliance::Verdict::Met).count(),
        "checks": report.checks.iter().map(|c| json!({
            "code": code(c.code),
            "verdict": code(c.verdict),
            "evidence": c.evidence,
            "missing": c.missing,
        })).collect::<Vec<_>>(),
    });
    doc.heading(t(l, "Daftar periksa", "Checklist"));
    doc.primary = doc.table(table);

    // The documents behind the evidence, with links to open them.
    let events: HashMap<Uuid, event::Model> = event::Entity::find()
        .filter(event::Column::MemberId.eq(ctx.member.id))
        .all(db)
        .await?
        .into_iter()
        .filter(|e| {
            let d = e.starts_at.with_timezone(&tz).date_naive();
            d >= report.from && d <= report.to
        })
        .map(|e| (e.id, e))
        .collect();
    let docs = document::Entity::find()
        .filter(document::Column::MemberId.eq(ctx.member.id))
        .order_by_asc(document::Column::DocumentDate)
        .order_by_asc(document::Column::CreatedAt)
        .all(db)
        .await?;
    let mut links = Table::new(
        "bukti",
        t(l, "Dokumen bukti", "Evidence documents"),
        &[
            ("date", &t(l, "Tanggal", "Date"), 1.7),
            ("title", &t(l, "Dokumen", "Document"), 3.5),
            ("kind", &t(l, "Jenis", "Kind"), 1.6),
            ("event", &t(l, "Kegiatan", "Event"), 3.0),
            ("link", &t(l, "Tautan", "Link"), 4.0),
        ],
    );
    for d in docs {
        let event = d.event_id.and_then(|id| events.get(&id));
        let for_plan = d.plan_id == Some(ctx.plan.id);
        if event.is_none() && !for_plan {
            continue;
        }
        let link = d
            .url
            .clone()
            .unwrap_or_else(|| format!("{}/files/{}", i.public_url.trim_end_matches('/'), d.id));
        links.push(vec![
            Cell::date(
                d.document_date
                    .or_else(|| event.map(|e| e.starts_at.with_timezone(&tz).date_naive())),
            ),
            Cell::text(d.title.clone()),
            Cell::text(said(d.kind, l)),
            Cell::opt(event.map(|e| e.title.clone())),
            Cell::text(link),
        ]);
    }
    doc.heading(t(l, "Dokumen bukti", "Evidence documents"));
    doc.table(links);
    Ok(())
}

async fn minutes<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    member: &member::Model,
    e: &event::Model,
    tz: Tz,
    l: Lang,
) -> Result<(), BuildError> {
    let orgs = organisations(db, member.id).await?;
    let org = |id: Option<Uuid>| id.and_then(|id| orgs.get(&id).cloned());
    doc.title = format!("{} — {}", t(l, "Notulen", "Minutes"), e.title);
    doc.lines = vec![member.name.clone(), i18n::long_datetime(e.starts_at, tz, l)];
    let venue: Vec<&str> = [
        e.venue_room.as_deref(),
        e.venue_name.as_deref(),
        e.venue_address.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !venue.is_empty() {
        doc.lines.push(venue.join(", "));
    }
    let attending: Vec<String> = event_organisation::Entity::find()
        .filter(event_organisation::Column::EventId.eq(e.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|x| org(Some(x.organisation_id)))
        .collect();
    doc.fields(vec![
        (t(l, "Jenis kegiatan", "Kind"), said(e.kind, l)),
        (t(l, "Status", "Status"), said(e.status, l)),
        (
            t(l, "Penyelenggara", "Organiser"),
            org(e.organiser_id).unwrap_or_else(|| "—".into()),
        ),
        (
            t(l, "Lembaga yang hadir", "Organisations present"),
            if attending.is_empty() {
                "—".into()
            } else {
                attending.join(", ")
            },
        ),
        (
            t(l, "Jumlah peserta", "Attendees"),
            e.attendee_count.map_or("—".into(), |n| n.to_string()),
        ),
    ]);
    let agenda = agenda_item::Entity::find()
        .filter(agenda_item::Column::EventId.eq(e.id))
        .order_by_asc(agenda_item::Column::Ordinal)
        .all(db)
        .await?;
    let mut a_table = Table::new(
        "agenda",
        t(l, "Agenda", "Agenda"),
        &[
            ("ordinal", "No", 0.6),
            ("title", &t(l, "Acara", "Item"), 5.0),
            ("speaker", &t(l, "Narasumber", "Speaker"), 2.5),
            ("minutes", &t(l, "Menit", "Minutes"), 1.0),
        ],
    );
    for a in &agenda {
        a_table.push(vec![
            Cell::Int(i64::from(a.ordinal)),
            Cell::text(a.title.clone()),
            Cell::opt(a.speaker_name.clone()),
            a.duration_minutes
                .map_or(Cell::Empty, |m| Cell::Int(i64::from(m))),
        ]);
    }
    if !agenda.is_empty() {
        doc.heading(t(l, "Agenda", "Agenda"));
        doc.table(a_table);
    }
    doc.heading(t(l, "Notulen", "Minutes"));
    doc.paragraph(e.minutes.clone().unwrap_or_else(|| {
        t(
            l,
            "Notulen belum ditulis.",
            "The minutes have not been written yet.",
        )
    }));

    let follow_ups = follow_up::Entity::find()
        .filter(follow_up::Column::EventId.eq(e.id))
        .order_by_asc(follow_up::Column::Ordinal)
        .all(db)
        .await?;
    let mut f_table = Table::new(
        "tindak_lanjut",
        t(l, "Tindak lanjut", "Follow-up actions"),
        &[
            ("ordinal", "No", 0.6),
            ("description", &t(l, "Tindak lanjut", "Action"), 5.0),
            ("owner", &t(l, "Pelaksana", "Owner"), 2.5),
            ("due_on", &t(l, "Tenggat", "Due"), 1.6),
            ("status", &t(l, "Status", "Status"), 1.5),
        ],
    );
    for (n, f) in follow_ups.iter().enumerate() {
        f_table.push(vec![
            Cell::Int(n as i64 + 1),
            Cell::text(f.description.clone()),
            Cell::opt(org(f.owner_organisation_id)),
            Cell::date(f.due_on),
            Cell::text(said(f.status, l)),
        ]);
    }
    doc.heading(t(l, "Tindak lanjut", "Follow-up actions"));
    doc.primary = doc.table(f_table);

    // What participants said, without who they are (names and addresses stay private).
    let inputs = public_input::Entity::find()
        .filter(public_input::Column::EventId.eq(e.id))
        .filter(public_input::Column::HiddenAt.is_null())
        .order_by_asc(public_input::Column::ReceivedAt)
        .all(db)
        .await?;
    let mut i_table = Table::new(
        "masukan",
        t(l, "Masukan dan catatan", "Input received"),
        &[
            ("ordinal", "No", 0.6),
            ("body", &t(l, "Masukan", "Input"), 5.0),
            ("response", &t(l, "Tanggapan", "Response"), 1.6),
            ("reason", &t(l, "Alasan", "Reason"), 3.0),
        ],
    );
    for (n, p) in inputs.iter().enumerate() {
        i_table.push(vec![
            Cell::Int(n as i64 + 1),
            Cell::text(p.body.clone()),
            Cell::opt(p.response.map(|r| r.label(l))),
            Cell::opt(p.response_reason.clone()),
        ]);
    }
    if !inputs.is_empty() {
        doc.heading(t(l, "Masukan dan catatan", "Input received"));
        doc.table(i_table);
    }
    doc.figures = json!({
        "attendeeCount": e.attendee_count,
        "organisationsPresent": attending.len(),
        "agendaItems": agenda.len(),
        "followUps": follow_ups.len(),
        "inputs": inputs.len(),
    });
    Ok(())
}
