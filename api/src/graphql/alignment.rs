//! Alignment: development plans (RPJMD), vision/mission/programme items (of a plan or a head of
//! region), legal references — and the commitments linked to them.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::development_goal::{self as goal, GoalKind};
use entity::{
    Problem, Problems, alignment, commitment, development_plan as devplan,
    legal_reference as legal, validate,
};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::crud::{self, Create};
use super::ids;
use super::mutation::{DeletePayload, check_ref, decode_maybe, decode_opt, set, text_change};
use super::policy;

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

fn year(p: &mut Problems, field: &str, v: &MaybeUndefined<i32>) -> Option<Option<i32>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(y) if (1945..=2200).contains(y) => Some(Some(*y)),
        MaybeUndefined::Value(_) => {
            p.push(
                &["input", field],
                Problem::OutOfRange {
                    min: "1945".into(),
                    max: "2200".into(),
                },
            );
            None
        }
    }
}

fn required(p: &mut Problems, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    match v {
        Some(t) => p.check(validate::required_text(&["input", field], t, max)),
        None => {
            p.push(&["input", field], Problem::Required);
            None
        }
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
        let title = required(&mut p, "title", input.title.as_deref(), 500);
        let kind = p
            .check(validate::optional_text(
                &["input", "kind"],
                input.kind.as_deref(),
                40,
            ))
            .flatten()
            .unwrap_or_else(|| "RPJMD".into());
        let (start, end) = (
            year(&mut p, "startYear", &input.start_year).flatten(),
            year(&mut p, "endYear", &input.end_year).flatten(),
        );
        let stage = text_change(&mut p, "stage", &input.stage, 100, false).flatten();
        let term = decode_maybe(
            &mut p,
            "headOfRegionTermId",
            &input.head_of_region_term_id,
            "HeadOfRegionTerm",
        )
        .flatten();
        let result = crud::create::<devplan::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createDevelopmentPlan",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |tx, p| {
                check_ref::<entity::head_of_region_term::Entity, _>(
                    tx,
                    p,
                    "headOfRegionTermId",
                    term,
                    member,
                    |t| t.member_id,
                )
                .await
            },
            |id, now| devplan::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                kind: Set(kind.clone()),
                title: Set(title.clone().unwrap_or_default()),
                start_year: Set(start),
                end_year: Set(end),
                stage: Set(stage.clone()),
                head_of_region_term_id: Set(term),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        let title = input
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
        let (start, end) = (
            year(&mut p, "startYear", &input.start_year),
            year(&mut p, "endYear", &input.end_year),
        );
        let stage = text_change(&mut p, "stage", &input.stage, 100, false);
        let result = crud::update::<devplan::Entity>(
            ctx,
            &viewer,
            &current,
            version,
            p,
            async |_, _, _| Ok(()),
            |_| devplan::ActiveModel {
                title: set(title.clone()),
                start_year: set(start),
                end_year: set(end),
                stage: set(stage.clone()),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let text = match input.text.as_deref() {
            Some(t) => p
                .check(validate::long_text(&["input", "text"], Some(t), 5000))
                .flatten(),
            None => None,
        };
        if text.is_none() {
            p.push(&["input", "text"], Problem::Required);
        }
        let kind = input.kind.unwrap_or(GoalKind::Mission);
        let plan = decode_maybe(
            &mut p,
            "developmentPlanId",
            &input.development_plan_id,
            "DevelopmentPlan",
        )
        .flatten();
        let term = decode_maybe(
            &mut p,
            "headOfRegionTermId",
            &input.head_of_region_term_id,
            "HeadOfRegionTerm",
        )
        .flatten();
        let result = crud::create::<goal::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createDevelopmentGoal",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |tx, p| {
                check_ref::<devplan::Entity, _>(tx, p, "developmentPlanId", plan, member, |x| {
                    x.member_id
                })
                .await?;
                check_ref::<entity::head_of_region_term::Entity, _>(
                    tx,
                    p,
                    "headOfRegionTermId",
                    term,
                    member,
                    |x| x.member_id,
                )
                .await
            },
            |id, now| goal::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                development_plan_id: Set(plan),
                head_of_region_term_id: Set(term),
                kind: Set(kind),
                ordinal: Set(input.ordinal.unwrap_or(0)),
                text: Set(text.clone().unwrap_or_default()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        let text = match input.text.as_deref() {
            Some(t) => p.check(validate::long_text(&["input", "text"], Some(t), 5000)),
            None => None,
        };
        let result = crud::update::<goal::Entity>(
            ctx,
            &viewer,
            &current,
            version,
            p,
            async |_, _, _| Ok(()),
            |_| goal::ActiveModel {
                text: text.clone().flatten().map(Set).unwrap_or(NotSet),
                kind: set(input.kind),
                ordinal: set(input.ordinal),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let mut p = Problems::new();
        let title = required(&mut p, "title", input.title.as_deref(), 500);
        let kind = text_change(&mut p, "kind", &input.kind, 60, false).flatten();
        let url = match &input.url {
            MaybeUndefined::Value(u) => p
                .check(validate::optional_url(&["input", "url"], Some(u)))
                .flatten(),
            _ => None,
        };
        let result = crud::create::<legal::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createLegalReference",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |_, _| Ok(()),
            |id, now| legal::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                title: Set(title.clone().unwrap_or_default()),
                kind: Set(kind.clone()),
                url: Set(url.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        let title = input
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
        let kind = text_change(&mut p, "kind", &input.kind, 60, false);
        let url = match &input.url {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(u) => p.check(validate::optional_url(&["input", "url"], Some(u))),
        };
        let result = crud::update::<legal::Entity>(
            ctx,
            &viewer,
            &current,
            version,
            p,
            async |_, _, _| Ok(()),
            |_| legal::ActiveModel {
                title: set(title.clone()),
                kind: set(kind.clone()),
                url: set(url.clone()),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let mut p = Problems::new();
        let goal_id = ids::decode_as(&input.target_id, "DevelopmentGoal");
        let legal_id = ids::decode_as(&input.target_id, "LegalReference");
        if goal_id.is_none() && legal_id.is_none() {
            p.push(&["input", "targetId"], Problem::NotFound);
        }
        let member = c.member_id;
        let result = crud::update::<commitment::Entity>(
            ctx,
            &viewer,
            &c,
            c.version,
            p,
            async |tx, _, p| {
                check_ref::<goal::Entity, _>(tx, p, "targetId", goal_id, member, |x| x.member_id)
                    .await?;
                check_ref::<legal::Entity, _>(tx, p, "targetId", legal_id, member, |x| x.member_id)
                    .await?;
                let mut q =
                    alignment::Entity::find().filter(alignment::Column::CommitmentId.eq(c.id));
                q = match (goal_id, legal_id) {
                    (Some(g), _) => q.filter(alignment::Column::DevelopmentGoalId.eq(g)),
                    (None, l) => q.filter(alignment::Column::LegalReferenceId.eq(l)),
                };
                if q.one(tx).await?.is_some() {
                    p.push(&["input", "targetId"], Problem::Duplicate);
                }
                Ok(())
            },
            |_| commitment::ActiveModel {
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |tx, c| {
                alignment::Entity::insert(alignment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(c.member_id),
                    commitment_id: Set(c.id),
                    development_goal_id: Set(goal_id),
                    legal_reference_id: Set(legal_id),
                    created_at: Set(ctx.app().clock.now()),
                })
                .exec_without_returning(tx)
                .await?;
                Ok(())
            },
        )
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
        let target = decode_opt(
            &mut Problems::new(),
            "targetId",
            Some(&input.target_id),
            "DevelopmentGoal",
        )
        .or_else(|| ids::decode_as(&input.target_id, "LegalReference"));
        let link = match target {
            Some(t) => {
                alignment::Entity::find()
                    .filter(alignment::Column::CommitmentId.eq(c.id))
                    .filter(
                        alignment::Column::DevelopmentGoalId
                            .eq(t)
                            .or(alignment::Column::LegalReferenceId.eq(t)),
                    )
                    .one(ctx.db())
                    .await?
            }
            None => None,
        };
        let Some(link) = link else {
            return Ok(DeletePayload::not_found("targetId", lang));
        };
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(
            ctx.db(),
            async |tx| -> Result<(), super::mutation::Outcome> {
                alignment::Entity::delete_by_id(link.id).exec(tx).await?;
                crate::audit::record(
                    tx,
                    &viewer,
                    Some(&request_id),
                    crate::audit::Change::of(
                        "alignment",
                        "Alignment",
                        "DELETE",
                        link.id,
                        Some(link.member_id),
                        Some(&link),
                        None,
                    ),
                    ctx.app().clock.now(),
                )
                .await?;
                Ok(())
            },
        )
        .await;
        DeletePayload::of(result, input.target_id, lang)
    }
}
