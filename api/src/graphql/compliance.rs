//! `coCreationCompliance(planId:)`: the OGP co-creation minimum requirements the data can show,
//! computed on every call by `entity::compliance` (the same code the reports use).

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::compliance::{self, CheckCode, Verdict};

use super::context::CtxExt;
use super::errors;
use super::ids;
use super::plan;
use super::scalars::Date;
use super::visibility;

#[derive(SimpleObject)]
pub struct ComplianceCheck {
    code: CheckCode,
    title: String,
    verdict: Verdict,
    /// What satisfies it (events, documents, with their dates).
    evidence: Vec<String>,
    /// What is missing for it to be met.
    missing: Vec<String>,
}

#[derive(SimpleObject)]
pub struct Compliance {
    /// The window looked at: the year before the plan's period, and the period up to today.
    from: Date,
    to: Date,
    checks: Vec<ComplianceCheck>,
}

#[derive(Default)]
pub struct ComplianceQuery;

#[Object]
impl ComplianceQuery {
    /// How a plan's process measures against the OGP Participation & Co-Creation minimum
    /// requirements that the data can show (for the member's people, watchdogs included).
    async fn co_creation_compliance(&self, ctx: &Context<'_>, plan_id: ID) -> Result<Compliance> {
        let lang = ctx.lang();
        let found = match ids::decode_as(&plan_id, plan::KIND) {
            Some(u) => visibility::visible_plan(ctx, u).await?,
            None => None,
        };
        let Some(p) = found else {
            return Err(errors::not_found(lang));
        };
        // The evidence names internal meetings: for the partnership's own people (watchdogs
        // included).
        super::policy::authorize(ctx, "coCreationCompliance", Some(p.member_id))?;
        let tz = visibility::member_tz(ctx, p.member_id).await;
        let today = visibility::today(ctx, p.member_id).await;
        let report = compliance::co_creation(
            ctx.db(),
            &p,
            tz,
            today,
            ctx.app().config.invitation_lead_days,
            lang,
        )
        .await?;
        Ok(Compliance {
            from: Date(report.from),
            to: Date(report.to),
            checks: report
                .checks
                .into_iter()
                .map(|c| ComplianceCheck {
                    code: c.code,
                    title: c.title,
                    verdict: c.verdict,
                    evidence: c.evidence,
                    missing: c.missing,
                })
                .collect(),
        })
    }
}
