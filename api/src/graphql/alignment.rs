//! Alignment: development plans (RPJMD), vision/mission/programme items (of a plan or a head of
//! region), legal references — and the commitments linked to them.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::development_goal::{self as goal, GoalKind};
use entity::{
    Problem, Problems, alignment, commitment, development_plan as devplan, legal_reference as legal,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{DeletePayload, decode_maybe, maybe};
use super::policy;
use entity::plans::alignment as domain;

pub struct DevelopmentPlan(pub devplan::Model);

#[Object]
impl DevelopmentPlan {
    async fn id(&self) -> ID {
        ids::encode("DevelopmentPlan", self.0.id)
    }
    /// "RPJMD".
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }
    /// "rancangan teknokratik", "rancangan awal", … as the planning office writes it.
    async fn stage(&self) -> Option<&str> {
        self.0.stage.as_deref()
    }
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<DevelopmentGoal>> {
        let mut g = goal::Entity::find()
            .filter(goal::Column::DevelopmentPlanId.eq(self.0.id))
            .all(ctx.db())
            .await?;
        g.sort_by_key(|x| (x.kind, x.ordinal));
        Ok(g.into_iter().map(DevelopmentGoal).collect())
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct DevelopmentGoal(pub goal::Model);

#[Object]
impl DevelopmentGoal {
    async fn id(&self) -> ID {
        ids::encode("DevelopmentGoal", self.0.id)
    }
    async fn kind(&self) -> GoalKind {
        self.0.kind
    }
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The commitments aligned with it.
    async fn commitments(&self, ctx: &Context<'_>) -> Result<Vec<Commitment>> {
        linked(ctx, alignment::Column::DevelopmentGoalId, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct LegalReference(pub legal::Model);

#[Object]
impl LegalReference {
    async fn id(&self) -> ID {
        ids::encode("LegalReference", self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn kind(&self) -> Option<&str> {
        self.0.kind.as_deref()
    }
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    async fn commitments(&self, ctx: &Context<'_>) -> Result<Vec<Commitment>> {
        linked(ctx, alignment::Column::LegalReferenceId, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

async fn linked(ctx: &Context<'_>, col: alignment::Column, id: Uuid) -> Result<Vec<Commitment>> {
    let links = alignment::Entity::find()
        .filter(col.eq(id))
        .all(ctx.db())
        .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.commitment_id).collect();
    let viewer = ctx.viewer();
    let found = commitment::Entity::find()
        .filter(commitment::Column::Id.is_in(ids))
        .all(ctx.db())
        .await?;
    let mut out = Vec::new();
    for c in found {
        if let Some(plan) = ctx.loaders().plan.load_one(c.plan_id).await?
            && super::visibility::sees_plan(&viewer, &plan)
        {
            out.push(Commitment(c));
        }
    }
    Ok(out)
}

crate::payload!(DevelopmentPlanPayload, development_plan: DevelopmentPlan, devplan::Model);
crate::payload!(DevelopmentGoalPayload, goal: DevelopmentGoal, goal::Model);
crate::payload!(LegalReferencePayload, reference: LegalReference, legal::Model);
crate::payload!(AlignmentPayload, commitment: Commitment, commitment::Model);

/// What `createDevelopmentPlan` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateDevelopmentPlanInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    /// "RPJMD" by default.
    pub kind: Option<String>,
    pub title: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub stage: Option<String>,
    pub head_of_region_term_id: Option<ID>,
}

/// What `updateDevelopmentPlan` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateDevelopmentPlanInput {
    pub id: ID,
    pub version: i32,
    /// "RPJMD" by default.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub start_year: MaybeUndefined<i32>,
    pub end_year: MaybeUndefined<i32>,
    pub stage: MaybeUndefined<String>,
    pub head_of_region_term_id: MaybeUndefined<ID>,
}

impl From<CreateDevelopmentPlanInput> for DevelopmentPlanInput {
    fn from(i: CreateDevelopmentPlanInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            kind: i.kind,
            title: Some(i.title),
            start_year: super::mutation::given(i.start_year),
            end_year: super::mutation::given(i.end_year),
            stage: super::mutation::given(i.stage),
            head_of_region_term_id: super::mutation::given(i.head_of_region_term_id),
        }
    }
}

impl From<UpdateDevelopmentPlanInput> for DevelopmentPlanInput {
    fn from(i: UpdateDevelopmentPlanInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            kind: i.kind,
            title: i.title,
            start_year: i.start_year,
            end_year: i.end_year,
            stage: i.stage,
            head_of_region_term_id: i.head_of_region_term_id,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct DevelopmentPlanInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the development plan (on update).
    pub id: ID,
    pub version: Option<i32>,
    /// "RPJMD" by default.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub start_year: MaybeUndefined<i32>,
    pub end_year: MaybeUndefined<i32>,
    pub stage: MaybeUndefined<String>,
    pub head_of_region_term_id: MaybeUndefined<ID>,
}

/// What `createDevelopmentGoal` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateDevelopmentGoalInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub development_plan_id: Option<ID>,
    pub head_of_region_term_id: Option<ID>,
    pub kind: Option<GoalKind>,
    pub ordinal: Option<i32>,
    pub text: String,
}

/// What `updateDevelopmentGoal` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateDevelopmentGoalInput {
    pub id: ID,
    pub version: i32,
    pub development_plan_id: MaybeUndefined<ID>,
    pub head_of_region_term_id: MaybeUndefined<ID>,
    pub kind: Option<GoalKind>,
    pub ordinal: Option<i32>,
    pub text: Option<String>,
}

impl From<CreateDevelopmentGoalInput> for DevelopmentGoalInput {
    fn from(i: CreateDevelopmentGoalInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            development_plan_id: super::mutation::given(i.development_plan_id),
            head_of_region_term_id: super::mutation::given(i.head_of_region_term_id),
            kind: i.kind,
            ordinal: i.ordinal,
            text: Some(i.text),
        }
    }
}

impl From<UpdateDevelopmentGoalInput> for DevelopmentGoalInput {
    fn from(i: UpdateDevelopmentGoalInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            development_plan_id: i.development_plan_id,
            head_of_region_term_id: i.head_of_region_term_id,
            kind: i.kind,
            ordinal: i.ordinal,
            text: i.text,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct DevelopmentGoalInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the goal (on update).
    pub id: ID,
    pub version: Option<i32>,
    pub development_plan_id: MaybeUndefined<ID>,
    pub head_of_region_term_id: MaybeUndefined<ID>,
    pub kind: Option<GoalKind>,
    pub ordinal: Option<i32>,
    pub text: Option<String>,
}

/// What `createLegalReference` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateLegalReferenceInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub title: String,
    pub kind: Option<String>,
    pub url: Option<String>,
}

/// What `updateLegalReference` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateLegalReferenceInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub kind: MaybeUndefined<String>,
    pub url: MaybeUndefined<String>,
}

impl From<CreateLegalReferenceInput> for LegalReferenceInput {
    fn from(i: CreateLegalReferenceInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            title: Some(i.title),
            kind: super::mutation::given(i.kind),
            url: super::mutation::given(i.url),
        }
    }
}

impl From<UpdateLegalReferenceInput> for LegalReferenceInput {
    fn from(i: UpdateLegalReferenceInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            title: i.title,
            kind: i.kind,
            url: i.url,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct LegalReferenceInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the reference (on update).
    pub id: ID,
    pub version: Option<i32>,
    pub title: Option<String>,
    pub kind: MaybeUndefined<String>,
    pub url: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct AlignInput {
    pub commitment_id: ID,
    /// A development goal or a legal reference.
    pub target_id: ID,
}

/// A development plan's fields as the domain reads them (problems decoding ids in `p`).
fn devplan_fields(p: &mut Problems, input: &DevelopmentPlanInput) -> domain::DevPlanFields {
    domain::DevPlanFields {
        title: input.title.clone(),
        kind: input.kind.clone(),
        start_year: maybe(&input.start_year),
        end_year: maybe(&input.end_year),
        stage: maybe(&input.stage),
        head_of_region_term: decode_maybe(
            p,
            "headOfRegionTermId",
            &input.head_of_region_term_id,
            "HeadOfRegionTerm",
        )
        .flatten(),
    }
}

/// A goal's fields as the domain reads them (problems decoding ids in `p`).
fn goal_fields(p: &mut Problems, input: &DevelopmentGoalInput) -> domain::GoalFields {
    domain::GoalFields {
        text: input.text.clone(),
        kind: input.kind,
        ordinal: input.ordinal,
        development_plan: decode_maybe(
            p,
            "developmentPlanId",
            &input.development_plan_id,
            "DevelopmentPlan",
        )
        .flatten(),
        head_of_region_term: decode_maybe(
            p,
            "headOfRegionTermId",
            &input.head_of_region_term_id,
            "HeadOfRegionTerm",
        )
        .flatten(),
    }
}

/// A regulation's fields as the domain reads them; on creation a `null` url is no url.
fn legal_fields(input: &LegalReferenceInput, creating: bool) -> domain::LegalFields {
    domain::LegalFields {
        title: input.title.clone(),
        kind: maybe(&input.kind),
        url: match maybe(&input.url) {
            Some(None) if creating => None,
            other => other,
        },
    }
}

#[derive(Default)]
pub struct AlignmentMutation;

#[Object]
impl AlignmentMutation {
    async fn create_development_plan(
        &self,
        ctx: &Context<'_>,
        input: CreateDevelopmentPlanInput,
    ) -> Result<DevelopmentPlanPayload> {
        let input = DevelopmentPlanInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createDevelopmentPlan", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = devplan_fields(&mut p, &input);
        let spec = Create {
            mutation: "createDevelopmentPlan",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create_development_plan(act, member, spec, f).await
        })
        .await;
        DevelopmentPlanPayload::of(
            result,
            input.client_mutation_id.clone(),
            lang,
            DevelopmentPlan,
        )
    }

    async fn update_development_plan(
        &self,
        ctx: &Context<'_>,
        input: UpdateDevelopmentPlanInput,
    ) -> Result<DevelopmentPlanPayload> {
        let input = DevelopmentPlanInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<devplan::Entity>(ctx, "updateDevelopmentPlan", &input.id)
                .await?
        else {
            return Ok(DevelopmentPlanPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        // The update takes the title, years and stage only (its other fields are not read).
        let f = devplan_fields(&mut Problems::new(), &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update_development_plan(act, &current, version, p, f).await
        })
        .await;
        DevelopmentPlanPayload::of(result, None, lang, DevelopmentPlan)
    }

    async fn create_development_goal(
        &self,
        ctx: &Context<'_>,
        input: CreateDevelopmentGoalInput,
    ) -> Result<DevelopmentGoalPayload> {
        let input = DevelopmentGoalInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createDevelopmentGoal", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = goal_fields(&mut p, &input);
        let spec = Create {
            mutation: "createDevelopmentGoal",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create_goal(act, member, spec, f).await
        })
        .await;
        DevelopmentGoalPayload::of(
            result,
            input.client_mutation_id.clone(),
            lang,
            DevelopmentGoal,
        )
    }

    async fn update_development_goal(
        &self,
        ctx: &Context<'_>,
        input: UpdateDevelopmentGoalInput,
    ) -> Result<DevelopmentGoalPayload> {
        let input = DevelopmentGoalInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<goal::Entity>(ctx, "updateDevelopmentGoal", &input.id).await?
        else {
            return Ok(DevelopmentGoalPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        // The update takes the text, kind and place only (its other fields are not read).
        let f = goal_fields(&mut Problems::new(), &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update_goal(act, &current, version, p, f).await
        })
        .await;
        DevelopmentGoalPayload::of(result, None, lang, DevelopmentGoal)
    }

    async fn create_legal_reference(
        &self,
        ctx: &Context<'_>,
        input: CreateLegalReferenceInput,
    ) -> Result<LegalReferencePayload> {
        let input = LegalReferenceInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createLegalReference", &input.id)?;
        let lang = ctx.lang();
        let f = legal_fields(&input, true);
        let spec = Create {
            mutation: "createLegalReference",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: Problems::new(),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create_legal_reference(act, member, spec, f).await
        })
        .await;
        LegalReferencePayload::of(
            result,
            input.client_mutation_id.clone(),
            lang,
            LegalReference,
        )
    }

    async fn update_legal_reference(
        &self,
        ctx: &Context<'_>,
        input: UpdateLegalReferenceInput,
    ) -> Result<LegalReferencePayload> {
        let input = LegalReferenceInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<legal::Entity>(ctx, "updateLegalReference", &input.id).await?
        else {
            return Ok(LegalReferencePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        let f = legal_fields(&input, false);
        let result = acting(ctx, &viewer, async |act| {
            domain::update_legal_reference(act, &current, version, p, f).await
        })
        .await;
        LegalReferencePayload::of(result, None, lang, LegalReference)
    }

    /// Links a commitment to a development goal or a legal reference.
    async fn align_commitment(
        &self,
        ctx: &Context<'_>,
        input: AlignInput,
    ) -> Result<AlignmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(c)) = crud::authorize_record::<commitment::Entity>(
            ctx,
            "alignCommitment",
            &input.commitment_id,
        )
        .await?
        else {
            return Ok(AlignmentPayload::refused(
                Problems::one(&["input", "commitmentId"], Problem::NotFound),
                lang,
            ));
        };
        let target = ids::decode_as(&input.target_id, "DevelopmentGoal")
            .map(domain::Target::Goal)
            .or_else(|| {
                ids::decode_as(&input.target_id, "LegalReference")
                    .map(domain::Target::LegalReference)
            });
        let result = acting(ctx, &viewer, async |act| {
            domain::align(act, &c, target).await
        })
        .await;
        AlignmentPayload::of(result, None, lang, Commitment)
    }

    /// Removes a commitment's link to a development goal or a legal reference.
    async fn unalign_commitment(
        &self,
        ctx: &Context<'_>,
        input: AlignInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(c)) = crud::authorize_record::<commitment::Entity>(
            ctx,
            "unalignCommitment",
            &input.commitment_id,
        )
        .await?
        else {
            return Ok(DeletePayload::not_found("commitmentId", lang));
        };
        let target = ids::decode_as(&input.target_id, "DevelopmentGoal")
            .or_else(|| ids::decode_as(&input.target_id, "LegalReference"));
        let Some(target) = target else {
            return Ok(DeletePayload::not_found("targetId", lang));
        };
        let result = match acting(ctx, &viewer, async |act| {
            domain::unalign(act, &c, target).await
        })
        .await
        {
            Ok(false) => return Ok(DeletePayload::not_found("targetId", lang)),
            Ok(true) => Ok(()),
            Err(e) => Err(e),
        };
        DeletePayload::of(result, input.target_id, lang)
    }
}
