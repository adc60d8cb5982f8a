//! Reports through GraphQL: `requestReport` (recorded in the mutation's transaction, produced
//! by a worker in any process), `reports` / `report` for their status, and the
//! `reportProgress` subscription over `graphql-ws`, which reads the row the worker updates — so
//! it works whichever process renders. The file itself is downloaded from `GET /reports/{id}`.

use std::time::Duration;

use async_graphql::{Context, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entity::report::{self, ReportFormat, ReportKind, ReportStatus};
use entity::{Problem, Problems, action_plan, event};
use futures::Stream;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::context::CtxExt;
use super::crud;
use super::ids;
use super::policy;

pub const KIND: &str = entity::report::KIND;

/// The most reports a list answers.
const MAX_ROWS: i32 = 200;

/// A report and how far along it is.
pub struct Report(pub report::Model);

#[Object]
impl Report {
    async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn kind(&self) -> ReportKind {
        self.0.kind
    }
    async fn format(&self) -> ReportFormat {
        self.0.format
    }
    /// `id` or `en`.
    async fn language(&self) -> &str {
        &self.0.lang
    }
    async fn status(&self) -> ReportStatus {
        self.0.status
    }
    /// Percent done (0–100).
    async fn progress(&self) -> i32 {
        self.0.progress
    }
    async fn plan_id(&self) -> Option<ID> {
        self.0.plan_id.map(|id| ids::encode("ActionPlan", id))
    }
    async fn event_id(&self) -> Option<ID> {
        self.0.event_id.map(|id| ids::encode("Event", id))
    }
    async fn assessment_id(&self) -> Option<ID> {
        self.0
            .assessment_id
            .map(|id| ids::encode(super::assessment::KIND, id))
    }
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Tries so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the last try failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn file_name(&self) -> Option<&str> {
        self.0.file_name.as_deref()
    }
    async fn content_type(&self) -> &str {
        self.0.format.content_type()
    }
    async fn size_bytes(&self) -> Option<String> {
        self.0.size_bytes.map(|s| s.to_string())
    }
    /// PDF pages.
    async fn pages(&self) -> Option<i32> {
        self.0.pages
    }
    /// Where to download it (with the same sign-in) once it is DONE.
    async fn download_url(&self, ctx: &Context<'_>) -> Option<String> {
        (self.0.status == ReportStatus::Done).then(|| {
            format!(
                "{}/reports/{}",
                ctx.app().config.worker.public_url.trim_end_matches('/'),
                ids::encode(KIND, self.0.id).0
            )
        })
    }
}

#[derive(InputObject, serde::Serialize)]
pub struct RequestReportInput {
    pub kind: ReportKind,
    pub format: ReportFormat,
    /// The plan (every kind but MINUTES).
    pub plan_id: Option<ID>,
    /// The meeting (MINUTES).
    pub event_id: Option<ID>,
    /// The assessment (IRM_AT_A_GLANCE).
    pub assessment_id: Option<ID>,
    /// `id` (default: the request's language) or `en`.
    pub language: Option<String>,
    pub client_mutation_id: Option<String>,
}

crate::payload!(ReportPayload, report: Report, report::Model);

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// A member's reports, newest first (optionally one plan's).
    async fn reports(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        plan_id: Option<ID>,
        #[graphql(default = 50, desc = "At most 200 (PAGE_SIZE_EXCEEDED beyond).")] first: i32,
    ) -> Result<Vec<Report>> {
        policy::gate(ctx, "reports")?;
        let member = super::ids::decode_scope(ctx, &member_id)?;
        policy::authorize(ctx, "reports", Some(member))?;
        let mut select = report::Entity::find()
            .filter(report::Column::MemberId.eq(member))
            .order_by_desc(report::Column::RequestedAt)
            .order_by_desc(report::Column::Id);
        if let Some(p) = plan_id {
            let plan = ids::decode_as(&p, "ActionPlan").unwrap_or_default();
            select = select.filter(report::Column::PlanId.eq(plan));
        }
        Ok(select
            .limit(super::pagination::bounded(ctx, first, MAX_ROWS)?)
            .all(ctx.db())
            .await?
            .into_iter()
            .map(Report)
            .collect())
    }

    /// One report (none for someone who may not see it).
    async fn report(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Report>> {
        let (_, found) = crud::authorize_record::<report::Entity>(ctx, "reports", &id).await?;
        Ok(found.map(Report))
    }
}

#[derive(Default)]
pub struct ReportMutation;

fn not_found(field: &str) -> Problems {
    Problems::one(&["input", field], Problem::NotFound)
}

#[Object]
impl ReportMutation {
    /// Asks for a report. It is recorded at once (QUEUED) and made by a worker; follow it with
    /// `reportProgress` or `report`, then download it from `downloadUrl`.
    async fn request_report(
        &self,
        ctx: &Context<'_>,
        input: RequestReportInput,
    ) -> Result<ReportPayload> {
        let lang = ctx.lang();
        let refused = |p: Problems| Ok(ReportPayload::refused(p, lang));
        // The record the report is about decides whose it is and who may ask.
        let (viewer, member, plan, event) = if input.kind == ReportKind::Minutes {
            let Some(id) = &input.event_id else {
                return refused(Problems::one(&["input", "eventId"], Problem::Required));
            };
            let (viewer, Some(e)) =
                crud::authorize_record::<event::Entity>(ctx, "requestReport", id).await?
            else {
                return refused(not_found("eventId"));
            };
            (viewer, e.member_id, None, Some(e.id))
        } else {
            let Some(id) = &input.plan_id else {
                return refused(Problems::one(&["input", "planId"], Problem::Required));
            };
            let (viewer, Some(p)) =
                crud::authorize_record::<action_plan::Entity>(ctx, "requestReport", id).await?
            else {
                return refused(not_found("planId"));
            };
            (viewer, p.member_id, Some(p.id), None)
        };
        let asked = entity::reporting::Request {
            kind: input.kind,
            format: input.format,
            plan,
            event,
            assessment: input
                .assessment_id
                .as_ref()
                .map(|id| ids::decode_as(id, super::assessment::KIND)),
            language: input.language.clone(),
            default_lang: lang,
        };
        let spec = crud::Create {
            mutation: "requestReport",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: Problems::new(),
        };
        let app = ctx.app();
        let result = crud::acting(ctx, &viewer, async |act| {
            entity::reporting::request(act, member, spec, asked).await
        })
        .await;
        if let Ok(r) = &result
            && r.status == ReportStatus::Queued
            && let Err(e) = app.queue.push_report(r.id).await
        {
            // The row is the request; a worker's sweep finds it.
            tracing::warn!(report = %r.id, error = %e, "cannot queue the report job now");
        }
        ReportPayload::of(result, input.client_mutation_id.clone(), lang, Report)
    }
}

pub use super::context::Shutdown;

#[derive(Default)]
pub struct SubscriptionRoot;

/// How often a subscription looks at the report.
const POLL: Duration = Duration::from_millis(200);

/// The root of `subscription` operations (over `/graphql/ws`).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// The report each time its status or progress changes, until it is DONE or FAILED.
    async fn report_progress(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = Report> + use<>> {
        let (_, found) = crud::authorize_record::<report::Entity>(ctx, "reports", &id).await?;
        let Some(first) = found else {
            return Err(super::errors::not_found(ctx.lang()));
        };
        let db = ctx.db().clone();
        let mut stop = ctx
            .data_opt::<Shutdown>()
            .map(|s| s.0.clone())
            .unwrap_or_else(|| tokio::sync::watch::channel(false).1);
        // The report as it is, then each change of status or progress until it is final.
        let changes = futures::stream::unfold(first.clone(), move |mut last| {
            let db = db.clone();
            async move {
                if last.status.is_final() {
                    return None;
                }
                loop {
                    tokio::time::sleep(POLL).await;
                    match report::Entity::find_by_id(last.id).one(&db).await {
                        Ok(Some(now))
                            if now.status != last.status || now.progress != last.progress =>
                        {
                            return Some((now.clone(), now));
                        }
                        Ok(Some(now)) => last = now,
                        Ok(None) => return None,
                        Err(e) => tracing::warn!(error = %e, "reportProgress"),
                    }
                }
            }
        });
        Ok(futures::stream::once(async move { first })
            .chain(changes)
            // On shutdown the stream ends (the client gets `complete`).
            .take_until(async move {
                let _ = stop.wait_for(|s| *s).await.map(|_| ());
            })
            .map(Report))
    }
}

use futures::StreamExt;
