//! `nationalOverview(memberId:)`: a national member's regional members, their plans, progress,
//! co-creation verdicts and last forum meeting (`entity::plans::national`).

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::compliance::{CheckCode, Verdict};
use entity::plans::national::{self, Overview, Region, RegionalPlan as Row};

use super::context::CtxExt;
use super::errors;
use super::event::Event;
use super::ids;
use super::member::Member;
use super::plan::ActionPlan;
use super::scalars::Date;

/// What the national member follows.
pub struct NationalOverview(Overview);

#[Object]
impl NationalOverview {
    /// The national member.
    async fn member(&self) -> Member {
        Member(self.0.member.clone())
    }
    /// Its regional members, by name, each with its plans (newest first).
    async fn regions(&self) -> Vec<RegionOverview<'_>> {
        self.0.regions.iter().map(RegionOverview).collect()
    }
}

/// A regional member as the national view shows it.
pub struct RegionOverview<'a>(&'a Region);

#[Object]
impl RegionOverview<'_> {
    async fn member(&self) -> Member {
        Member(self.0.member.clone())
    }
    /// Its plans the viewer may see (for everyone but the national member's people: the
    /// public ones).
    async fn plans(&self) -> Vec<RegionalPlan<'_>> {
        self.0.plans.iter().map(RegionalPlan).collect()
    }
    /// The last forum meeting held (team, monev, co-creation, consultation), of those the
    /// viewer may see.
    async fn last_forum_meeting(&self) -> Option<Event> {
        self.0.last_forum_meeting.clone().map(Event)
    }
}

/// One regional plan with its figures.
pub struct RegionalPlan<'a>(&'a Row);

#[Object]
impl RegionalPlan<'_> {
    async fn plan(&self) -> ActionPlan {
        ActionPlan(self.0.plan.clone())
    }
    async fn status(&self) -> entity::action_plan::PlanStatus {
        self.0.plan.status
    }
    async fn submission_deadline(&self) -> Option<Date> {
        self.0.plan.submission_deadline.map(Date)
    }
    async fn submitted_on(&self) -> Option<Date> {
        self.0.plan.submitted_on.map(Date)
    }
    /// Days from the region's today to the deadline (negative once past); null once
    /// submitted or without a deadline.
    async fn days_to_deadline(&self) -> Option<i32> {
        self.0.days_to_deadline.map(|d| d as i32)
    }
    /// The deadline passed without the plan submitted by then.
    async fn late(&self) -> bool {
        self.0.late
    }
    /// The mean of its commitments' progress, as the plan dashboard shows it.
    async fn progress(&self) -> Option<f64> {
        self.0.progress
    }
    /// Each co-creation check's verdict (the evidence is in `coCreationCompliance`, for the
    /// region's own people).
    async fn compliance(&self) -> Vec<ComplianceVerdict> {
        self.0
            .compliance
            .iter()
            .map(|(code, verdict)| ComplianceVerdict {
                code: *code,
                verdict: *verdict,
            })
            .collect()
    }
}

#[derive(SimpleObject)]
pub struct ComplianceVerdict {
    code: CheckCode,
    verdict: Verdict,
}

#[derive(Default)]
pub struct NationalQuery;

#[Object]
impl NationalQuery {
    /// For a national member: its regional members' plans (status, deadline, days to it, late
    /// or not), their progress, co-creation verdicts and last forum meeting. The national
    /// member's people see every regional plan; everyone else the public ones.
    async fn national_overview(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
    ) -> Result<NationalOverview> {
        let lang = ctx.lang();
        let Some(id) = ids::decode_as(&member_id, super::member::KIND) else {
            return Err(errors::not_found(lang));
        };
        let app = ctx.app();
        let found = national::overview(
            ctx.db(),
            &ctx.viewer(),
            id,
            app.clock.now(),
            app.config.invitation_lead_days,
        )
        .await?;
        match found {
            None => Err(errors::not_found(lang)),
            Some(Err(_)) => Err(errors::bad_input(match lang {
                entity::Lang::Id => "Ini bukan anggota tingkat nasional.".into(),
                entity::Lang::En => "This is not a national member.".into(),
            })),
            Some(Ok(o)) => Ok(NationalOverview(o)),
        }
    }
}
