//! Budget sync: DPA budget lines (*Dokumen Pelaksanaan Anggaran*) of the offices, NGO
//! programmes, what funds which commitment — and the commitments no one funds.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::budget_line::{self as line, DpaVersion};
use entity::{Problem, Problems, commitment, funding, ngo_programme as programme};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{DeletePayload, date_change, decode_opt, maybe};
use super::organisation::{self as org_gql, Organisation};
use super::policy;
use super::scalars::Date;
use entity::budget as domain;

/// Money as a decimal string of whole rupiah ("250000000").
fn rupiah(v: i64) -> String {
    v.to_string()
}

pub struct BudgetLine(pub line::Model);

#[Object]
impl BudgetLine {
    async fn id(&self) -> ID {
        ids::encode("BudgetLine", self.0.id)
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(ctx
            .loaders()
            .organisation
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn fiscal_year(&self) -> i32 {
        self.0.fiscal_year
    }
    /// ORIGINAL (*murni*) or REVISED (*perubahan*).
    async fn dpa_version(&self) -> DpaVersion {
        self.0.dpa_version
    }
    async fn program_code(&self) -> Option<&str> {
        self.0.program_code.as_deref()
    }
    async fn program_name(&self) -> &str {
        &self.0.program_name
    }
    async fn activity_code(&self) -> Option<&str> {
        self.0.activity_code.as_deref()
    }
    async fn activity_name(&self) -> Option<&str> {
        self.0.activity_name.as_deref()
    }
    async fn sub_activity_code(&self) -> Option<&str> {
        self.0.sub_activity_code.as_deref()
    }
    /// *Pagu*, in whole rupiah.
    async fn ceiling(&self) -> String {
        rupiah(self.0.ceiling)
    }
    /// *Realisasi*, in whole rupiah.
    async fn realisation(&self) -> Option<String> {
        self.0.realisation.map(rupiah)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct NgoProgramme(pub programme::Model);

#[Object]
impl NgoProgramme {
    async fn id(&self) -> ID {
        ids::encode("NgoProgramme", self.0.id)
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(ctx
            .loaders()
            .organisation
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn funder(&self) -> Option<&str> {
        self.0.funder.as_deref()
    }
    async fn period_start(&self) -> Option<Date> {
        self.0.period_start.map(Date)
    }
    async fn period_end(&self) -> Option<Date> {
        self.0.period_end.map(Date)
    }
    /// Whole rupiah.
    async fn amount(&self) -> Option<String> {
        self.0.amount.map(rupiah)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A commitment's funding, by source.
#[derive(SimpleObject)]
pub struct CommitmentFunding {
    pub commitment: Commitment,
    pub budget_lines: Vec<BudgetLine>,
    pub ngo_programmes: Vec<NgoProgramme>,
    /// From DPA lines, whole rupiah.
    pub dpa_amount: String,
    /// From NGO programmes, whole rupiah.
    pub ngo_amount: String,
    pub funded: bool,
}

crate::payload!(BudgetLinePayload, budget_line: BudgetLine, line::Model);
crate::payload!(NgoProgrammePayload, programme: NgoProgramme, programme::Model);
crate::payload!(FundingPayload, commitment: Commitment, commitment::Model);

/// What `createBudgetLine` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateBudgetLineInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub organisation_id: ID,
    pub fiscal_year: i32,
    pub dpa_version: Option<DpaVersion>,
    pub program_code: Option<String>,
    pub program_name: String,
    pub activity_code: Option<String>,
    pub activity_name: Option<String>,
    pub sub_activity_code: Option<String>,
    /// Whole rupiah, as a decimal string.
    pub ceiling: String,
    pub realisation: Option<String>,
}

/// What `updateBudgetLine` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateBudgetLineInput {
    pub id: ID,
    pub version: i32,
    pub organisation_id: Option<ID>,
    pub fiscal_year: Option<i32>,
    pub dpa_version: Option<DpaVersion>,
    pub program_code: MaybeUndefined<String>,
    pub program_name: Option<String>,
    pub activity_code: MaybeUndefined<String>,
    pub activity_name: MaybeUndefined<String>,
    pub sub_activity_code: MaybeUndefined<String>,
    /// Whole rupiah, as a decimal string.
    pub ceiling: Option<String>,
    pub realisation: MaybeUndefined<String>,
}

impl From<CreateBudgetLineInput> for BudgetLineInput {
    fn from(i: CreateBudgetLineInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            organisation_id: Some(i.organisation_id),
            fiscal_year: Some(i.fiscal_year),
            dpa_version: i.dpa_version,
            program_code: super::mutation::given(i.program_code),
            program_name: Some(i.program_name),
            activity_code: super::mutation::given(i.activity_code),
            activity_name: super::mutation::given(i.activity_name),
            sub_activity_code: super::mutation::given(i.sub_activity_code),
            ceiling: Some(i.ceiling),
            realisation: super::mutation::given(i.realisation),
        }
    }
}

impl From<UpdateBudgetLineInput> for BudgetLineInput {
    fn from(i: UpdateBudgetLineInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            organisation_id: i.organisation_id,
            fiscal_year: i.fiscal_year,
            dpa_version: i.dpa_version,
            program_code: i.program_code,
            program_name: i.program_name,
            activity_code: i.activity_code,
            activity_name: i.activity_name,
            sub_activity_code: i.sub_activity_code,
            ceiling: i.ceiling,
            realisation: i.realisation,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct BudgetLineInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the line (on update).
    pub id: ID,
    pub version: Option<i32>,
    /// Required on create.
    pub organisation_id: Option<ID>,
    pub fiscal_year: Option<i32>,
    pub dpa_version: Option<DpaVersion>,
    pub program_code: MaybeUndefined<String>,
    pub program_name: Option<String>,
    pub activity_code: MaybeUndefined<String>,
    pub activity_name: MaybeUndefined<String>,
    pub sub_activity_code: MaybeUndefined<String>,
    /// Whole rupiah, as a decimal string.
    pub ceiling: Option<String>,
    pub realisation: MaybeUndefined<String>,
}

/// What `createNgoProgramme` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateNgoProgrammeInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub organisation_id: ID,
    pub title: String,
    pub funder: Option<String>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub amount: Option<String>,
}

/// What `updateNgoProgramme` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateNgoProgrammeInput {
    pub id: ID,
    pub version: i32,
    pub organisation_id: Option<ID>,
    pub title: Option<String>,
    pub funder: MaybeUndefined<String>,
    pub period_start: MaybeUndefined<Date>,
    pub period_end: MaybeUndefined<Date>,
    pub amount: MaybeUndefined<String>,
}

impl From<CreateNgoProgrammeInput> for NgoProgrammeInput {
    fn from(i: CreateNgoProgrammeInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            organisation_id: Some(i.organisation_id),
            title: Some(i.title),
            funder: super::mutation::given(i.funder),
            period_start: super::mutation::given(i.period_start),
            period_end: super::mutation::given(i.period_end),
            amount: super::mutation::given(i.amount),
        }
    }
}

impl From<UpdateNgoProgrammeInput> for NgoProgrammeInput {
    fn from(i: UpdateNgoProgrammeInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            organisation_id: i.organisation_id,
            title: i.title,
            funder: i.funder,
            period_start: i.period_start,
            period_end: i.period_end,
            amount: i.amount,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct NgoProgrammeInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the programme (on update).
    pub id: ID,
    pub version: Option<i32>,
    /// Required on create.
    pub organisation_id: Option<ID>,
    pub title: Option<String>,
    pub funder: MaybeUndefined<String>,
    pub period_start: MaybeUndefined<Date>,
    pub period_end: MaybeUndefined<Date>,
    pub amount: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct FundingInput {
    pub commitment_id: ID,
    /// A budget line or an NGO programme.
    pub source_id: ID,
    /// A milestone of the commitment, when the money is for one activity.
    pub milestone_id: Option<ID>,
    /// Whole rupiah allocated (default: the source's whole amount).
    pub amount: Option<String>,
}

/// The budget line's fields as the domain reads them, its ids decoded (problems in `p`).
fn line_fields(p: &mut Problems, input: &BudgetLineInput) -> domain::LineFields {
    domain::LineFields {
        organisation: input
            .organisation_id
            .as_ref()
            .and_then(|o| decode_opt(p, "organisationId", Some(o), org_gql::KIND)),
        organisation_named: input.organisation_id.is_some(),
        fiscal_year: input.fiscal_year,
        dpa_version: input.dpa_version,
        program_code: maybe(&input.program_code),
        program_name: input.program_name.clone(),
        activity_code: maybe(&input.activity_code),
        activity_name: maybe(&input.activity_name),
        sub_activity_code: maybe(&input.sub_activity_code),
        ceiling: input.ceiling.clone(),
        realisation: maybe(&input.realisation),
    }
}

/// The NGO programme's fields as the domain reads them (problems in `p`).
fn programme_fields(p: &mut Problems, input: &NgoProgrammeInput) -> domain::ProgrammeFields {
    domain::ProgrammeFields {
        organisation: input
            .organisation_id
            .as_ref()
            .and_then(|o| decode_opt(p, "organisationId", Some(o), org_gql::KIND)),
        organisation_named: input.organisation_id.is_some(),
        title: input.title.clone(),
        funder: maybe(&input.funder),
        period_start: date_change(&input.period_start),
        period_end: date_change(&input.period_end),
        amount: maybe(&input.amount),
    }
}

#[derive(Default)]
pub struct BudgetMutation;

#[Object]
impl BudgetMutation {
    /// Records a DPA budget line.
    async fn create_budget_line(
        &self,
        ctx: &Context<'_>,
        input: CreateBudgetLineInput,
    ) -> Result<BudgetLinePayload> {
        let input = BudgetLineInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createBudgetLine", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = line_fields(&mut p, &input);
        let spec = Create {
            mutation: "createBudgetLine",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create_line(act, member, spec, f).await
        })
        .await;
        BudgetLinePayload::of(result, input.client_mutation_id.clone(), lang, BudgetLine)
    }

    async fn update_budget_line(
        &self,
        ctx: &Context<'_>,
        input: UpdateBudgetLineInput,
    ) -> Result<BudgetLinePayload> {
        let input = BudgetLineInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<line::Entity>(ctx, "updateBudgetLine", &input.id).await?
        else {
            return Ok(BudgetLinePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        let f = line_fields(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update_line(act, &current, version, p, f).await
        })
        .await;
        BudgetLinePayload::of(result, None, lang, BudgetLine)
    }

    /// Records an NGO programme.
    async fn create_ngo_programme(
        &self,
        ctx: &Context<'_>,
        input: CreateNgoProgrammeInput,
    ) -> Result<NgoProgrammePayload> {
        let input = NgoProgrammeInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createNgoProgramme", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = programme_fields(&mut p, &input);
        let spec = Create {
            mutation: "createNgoProgramme",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create_programme(act, member, spec, f).await
        })
        .await;
        NgoProgrammePayload::of(result, input.client_mutation_id.clone(), lang, NgoProgramme)
    }

    async fn update_ngo_programme(
        &self,
        ctx: &Context<'_>,
        input: UpdateNgoProgrammeInput,
    ) -> Result<NgoProgrammePayload> {
        let input = NgoProgrammeInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<programme::Entity>(ctx, "updateNgoProgramme", &input.id)
                .await?
        else {
            return Ok(NgoProgrammePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        let f = programme_fields(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update_programme(act, &current, version, p, f).await
        })
        .await;
        NgoProgrammePayload::of(result, None, lang, NgoProgramme)
    }

    /// Links a budget line or an NGO programme to a commitment (or one of its milestones).
    async fn add_funding(&self, ctx: &Context<'_>, input: FundingInput) -> Result<FundingPayload> {
        let lang = ctx.lang();
        let (viewer, Some(c)) =
            crud::authorize_record::<commitment::Entity>(ctx, "addFunding", &input.commitment_id)
                .await?
        else {
            return Ok(FundingPayload::refused(
                Problems::one(&["input", "commitmentId"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let milestone = decode_opt(
            &mut p,
            "milestoneId",
            input.milestone_id.as_ref(),
            super::milestone::KIND,
        );
        let fund = domain::Fund {
            budget_line: ids::decode_as(&input.source_id, "BudgetLine"),
            ngo_programme: ids::decode_as(&input.source_id, "NgoProgramme"),
            milestone,
            amount: input.amount.clone(),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::add_funding(act, &c, p, fund).await
        })
        .await;
        FundingPayload::of(result, None, lang, Commitment)
    }

    /// Removes a funding link.
    async fn remove_funding(
        &self,
        ctx: &Context<'_>,
        input: FundingInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(c)) = crud::authorize_record::<commitment::Entity>(
            ctx,
            "removeFunding",
            &input.commitment_id,
        )
        .await?
        else {
            return Ok(DeletePayload::not_found("commitmentId", lang));
        };
        let Some(source) = ids::decode(&input.source_id).map(|(_, u)| u) else {
            return Ok(DeletePayload::not_found("sourceId", lang));
        };
        let result = match acting(ctx, &viewer, async |act| {
            domain::remove_funding(act, &c, source).await
        })
        .await
        {
            Ok(false) => return Ok(DeletePayload::not_found("sourceId", lang)),
            Ok(true) => Ok(()),
            Err(e) => Err(e),
        };
        DeletePayload::of(result, input.source_id, lang)
    }
}

#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// DPA budget lines of a member (optionally of one fiscal year).
    async fn budget_lines(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        fiscal_year: Option<i32>,
    ) -> Result<Vec<BudgetLine>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        let mut q = line::Entity::find().filter(line::Column::MemberId.eq(member));
        if let Some(y) = fiscal_year {
            q = q.filter(line::Column::FiscalYear.eq(y));
        }
        Ok(q.all(ctx.db()).await?.into_iter().map(BudgetLine).collect())
    }

    async fn ngo_programmes(&self, ctx: &Context<'_>, member_id: ID) -> Result<Vec<NgoProgramme>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        Ok(programme::Entity::find()
            .filter(programme::Column::MemberId.eq(member))
            .all(ctx.db())
            .await?
            .into_iter()
            .map(NgoProgramme)
            .collect())
    }

    /// Each commitment of a plan with its funding by source; `onlyUnfunded` lists those no one
    /// funds.
    async fn plan_funding(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        #[graphql(default)] only_unfunded: bool,
    ) -> Result<Vec<CommitmentFunding>> {
        let lang = ctx.lang();
        let Some(pid) = ids::decode_as(&plan_id, super::plan::KIND) else {
            return Err(super::errors::not_found(lang));
        };
        let Some(plan) = ctx.loaders().plan.load_one(pid).await? else {
            return Err(super::errors::not_found(lang));
        };
        if !super::visibility::sees_plan(&ctx.viewer(), &plan) {
            return Err(super::errors::not_found(lang));
        }
        let db = ctx.db();
        let commitments = commitment::Entity::find()
            .filter(commitment::Column::PlanId.eq(pid))
            .all(db)
            .await?;
        let links = funding::Entity::find()
            .filter(funding::Column::CommitmentId.is_in(commitments.iter().map(|c| c.id)))
            .all(db)
            .await?;
        let lines = line::Entity::find()
            .filter(line::Column::Id.is_in(links.iter().filter_map(|l| l.budget_line_id)))
            .all(db)
            .await?;
        let programmes = programme::Entity::find()
            .filter(programme::Column::Id.is_in(links.iter().filter_map(|l| l.ngo_programme_id)))
            .all(db)
            .await?;
        let mut out = Vec::new();
        for c in commitments {
            let mine: Vec<&funding::Model> =
                links.iter().filter(|l| l.commitment_id == c.id).collect();
            let my_lines: Vec<line::Model> = lines
                .iter()
                .filter(|l| mine.iter().any(|f| f.budget_line_id == Some(l.id)))
                .cloned()
                .collect();
            let my_programmes: Vec<programme::Model> = programmes
                .iter()
                .filter(|x| mine.iter().any(|f| f.ngo_programme_id == Some(x.id)))
                .cloned()
                .collect();
            let dpa: i64 = mine
                .iter()
                .filter_map(|f| {
                    f.budget_line_id.map(|l| {
                        f.amount.unwrap_or_else(|| {
                            lines
                                .iter()
                                .find(|x| x.id == l)
                                .map(|x| x.ceiling)
                                .unwrap_or(0)
                        })
                    })
                })
                .sum();
            let ngo: i64 = mine
                .iter()
                .filter_map(|f| {
                    f.ngo_programme_id.map(|x| {
                        f.amount.unwrap_or_else(|| {
                            programmes
                                .iter()
                                .find(|y| y.id == x)
                                .and_then(|y| y.amount)
                                .unwrap_or(0)
                        })
                    })
                })
                .sum();
            let funded = !mine.is_empty();
            if only_unfunded && funded {
                continue;
            }
            out.push(CommitmentFunding {
                commitment: Commitment(c),
                budget_lines: my_lines.into_iter().map(BudgetLine).collect(),
                ngo_programmes: my_programmes.into_iter().map(NgoProgramme).collect(),
                dpa_amount: rupiah(dpa),
                ngo_amount: rupiah(ngo),
                funded,
            });
        }
        Ok(out)
    }
}
