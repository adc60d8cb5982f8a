//! Budget sync: DPA budget lines (*Dokumen Pelaksanaan Anggaran*) of the offices, NGO
//! programmes, what funds which commitment — and the commitments no one funds.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::Refusal;
use entity::budget_line::{self as line, DpaVersion};
use entity::{Problem, Problems, commitment, funding, ngo_programme as programme, validate};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::crud::{self, Create};
use super::ids;
use super::mutation::{
    DeletePayload, check_range, check_ref, date_change, decode_opt, set, text_change,
};
use super::organisation::{self as org_gql, Organisation};
use super::policy;
use super::scalars::Date;

/// Money as a decimal string of whole rupiah ("250000000").
fn rupiah(v: i64) -> String {
    v.to_string()
}

fn parse_rupiah(p: &mut Problems, field: &str, v: &str) -> Option<i64> {
    let clean: String = v
        .trim()
        .chars()
        .filter(|c| *c != '.' && *c != ',' && *c != ' ')
        .collect();
    match clean.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000_000_000).contains(&n) => Some(n),
        _ => {
            p.push(&["input", field], Problem::Refused(Refusal::AmountInvalid));
            None
        }
    }
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

fn check_year(p: &mut Problems, y: i32) {
    if !(2000..=2100).contains(&y) {
        p.push(
            &["input", "fiscalYear"],
            Problem::OutOfRange {
                min: "2000".into(),
                max: "2100".into(),
            },
        );
    }
}

fn money_change(p: &mut Problems, field: &str, v: &MaybeUndefined<String>) -> Option<Option<i64>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(s) => parse_rupiah(p, field, s).map(Some),
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
        let org = match &input.organisation_id {
            Some(o) => decode_opt(&mut p, "organisationId", Some(o), org_gql::KIND),
            None => {
                p.push(&["input", "organisationId"], Problem::Required);
                None
            }
        };
        let year = input.fiscal_year.unwrap_or_else(|| {
            p.push(&["input", "fiscalYear"], Problem::Required);
            0
        });
        check_year(&mut p, year);
        let name = match input.program_name.as_deref() {
            Some(n) => p.check(validate::required_text(&["input", "programName"], n, 500)),
            None => {
                p.push(&["input", "programName"], Problem::Required);
                None
            }
        };
        let ceiling = match input.ceiling.as_deref() {
            Some(c) => parse_rupiah(&mut p, "ceiling", c),
            None => {
                p.push(&["input", "ceiling"], Problem::Required);
                None
            }
        };
        let realisation = money_change(&mut p, "realisation", &input.realisation).flatten();
        let codes = (
            text_change(&mut p, "programCode", &input.program_code, 60, false).flatten(),
            text_change(&mut p, "activityCode", &input.activity_code, 60, false).flatten(),
            text_change(&mut p, "activityName", &input.activity_name, 500, false).flatten(),
            text_change(
                &mut p,
                "subActivityCode",
                &input.sub_activity_code,
                60,
                false,
            )
            .flatten(),
        );
        let result = crud::create::<line::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createBudgetLine",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |tx, p| {
                check_ref::<entity::organisation::Entity, _>(
                    tx,
                    p,
                    "organisationId",
                    org,
                    member,
                    |o| o.member_id,
                )
                .await
            },
            |id, now| line::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                organisation_id: Set(org.unwrap_or_default()),
                fiscal_year: Set(year),
                dpa_version: Set(input.dpa_version.unwrap_or(DpaVersion::Original)),
                program_code: Set(codes.0.clone()),
                program_name: Set(name.clone().unwrap_or_default()),
                activity_code: Set(codes.1.clone()),
                activity_name: Set(codes.2.clone()),
                sub_activity_code: Set(codes.3.clone()),
                ceiling: Set(ceiling.unwrap_or(0)),
                realisation: Set(realisation),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        if let Some(y) = input.fiscal_year {
            check_year(&mut p, y);
        }
        let name = input
            .program_name
            .as_deref()
            .and_then(|n| p.check(validate::required_text(&["input", "programName"], n, 500)));
        let ceiling = input
            .ceiling
            .as_deref()
            .and_then(|c| parse_rupiah(&mut p, "ceiling", c));
        let realisation = money_change(&mut p, "realisation", &input.realisation);
        let codes = (
            text_change(&mut p, "programCode", &input.program_code, 60, false),
            text_change(&mut p, "activityCode", &input.activity_code, 60, false),
            text_change(&mut p, "activityName", &input.activity_name, 500, false),
            text_change(
                &mut p,
                "subActivityCode",
                &input.sub_activity_code,
                60,
                false,
            ),
        );
        let result = crud::update::<line::Entity>(
            ctx,
            &viewer,
            &current,
            version,
            p,
            async |_, _, _| Ok(()),
            |_| line::ActiveModel {
                fiscal_year: set(input.fiscal_year),
                dpa_version: set(input.dpa_version),
                program_name: set(name.clone()),
                ceiling: set(ceiling),
                realisation: set(realisation),
                program_code: set(codes.0.clone()),
                activity_code: set(codes.1.clone()),
                activity_name: set(codes.2.clone()),
                sub_activity_code: set(codes.3.clone()),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let org = match &input.organisation_id {
            Some(o) => decode_opt(&mut p, "organisationId", Some(o), org_gql::KIND),
            None => {
                p.push(&["input", "organisationId"], Problem::Required);
                None
            }
        };
        let title = match input.title.as_deref() {
            Some(t) => p.check(validate::required_text(&["input", "title"], t, 500)),
            None => {
                p.push(&["input", "title"], Problem::Required);
                None
            }
        };
        let funder = text_change(&mut p, "funder", &input.funder, 200, false).flatten();
        let amount = money_change(&mut p, "amount", &input.amount).flatten();
        let (start, end) = (
            date_change(&input.period_start).flatten(),
            date_change(&input.period_end).flatten(),
        );
        check_range(&mut p, "periodEnd", start, end);
        let result = crud::create::<programme::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createNgoProgramme",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |tx, p| {
                check_ref::<entity::organisation::Entity, _>(
                    tx,
                    p,
                    "organisationId",
                    org,
                    member,
                    |o| o.member_id,
                )
                .await
            },
            |id, now| programme::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                organisation_id: Set(org.unwrap_or_default()),
                title: Set(title.clone().unwrap_or_default()),
                funder: Set(funder.clone()),
                period_start: Set(start),
                period_end: Set(end),
                amount: Set(amount),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        let title = input
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
        let funder = text_change(&mut p, "funder", &input.funder, 200, false);
        let amount = money_change(&mut p, "amount", &input.amount);
        let (start, end) = (
            date_change(&input.period_start),
            date_change(&input.period_end),
        );
        check_range(
            &mut p,
            "periodEnd",
            start.unwrap_or(current.period_start),
            end.unwrap_or(current.period_end),
        );
        let result = crud::update::<programme::Entity>(
            ctx,
            &viewer,
            &current,
            version,
            p,
            async |_, _, _| Ok(()),
            |_| programme::ActiveModel {
                title: set(title.clone()),
                funder: set(funder.clone()),
                amount: set(amount),
                period_start: set(start),
                period_end: set(end),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let line_id = ids::decode_as(&input.source_id, "BudgetLine");
        let programme_id = ids::decode_as(&input.source_id, "NgoProgramme");
        if line_id.is_none() && programme_id.is_none() {
            p.push(&["input", "sourceId"], Problem::NotFound);
        }
        let milestone = decode_opt(
            &mut p,
            "milestoneId",
            input.milestone_id.as_ref(),
            super::milestone::KIND,
        );
        let amount = input
            .amount
            .as_deref()
            .and_then(|a| parse_rupiah(&mut p, "amount", a));
        let member = c.member_id;
        let result = crud::update::<commitment::Entity>(
            ctx,
            &viewer,
            &c,
            c.version,
            p,
            async |tx, before, p| {
                check_ref::<line::Entity, _>(tx, p, "sourceId", line_id, member, |x| x.member_id)
                    .await?;
                check_ref::<programme::Entity, _>(tx, p, "sourceId", programme_id, member, |x| {
                    x.member_id
                })
                .await?;
                if let Some(m) = milestone
                    && entity::milestone::Entity::find_by_id(m)
                        .one(tx)
                        .await?
                        .is_none_or(|m| m.commitment_id != before.id)
                {
                    p.push(&["input", "milestoneId"], Problem::NotFound);
                }
                Ok(())
            },
            |_| commitment::ActiveModel {
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |tx, c| {
                funding::Entity::insert(funding::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(c.member_id),
                    commitment_id: Set(c.id),
                    milestone_id: Set(milestone),
                    budget_line_id: Set(line_id),
                    ngo_programme_id: Set(programme_id),
                    amount: Set(amount),
                    created_at: Set(ctx.app().clock.now()),
                })
                .exec_without_returning(tx)
                .await?;
                Ok(())
            },
        )
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
        let source = ids::decode(&input.source_id).map(|(_, u)| u);
        let link = match source {
            Some(s) => {
                funding::Entity::find()
                    .filter(funding::Column::CommitmentId.eq(c.id))
                    .filter(
                        funding::Column::BudgetLineId
                            .eq(s)
                            .or(funding::Column::NgoProgrammeId.eq(s)),
                    )
                    .one(ctx.db())
                    .await?
            }
            None => None,
        };
        let Some(link) = link else {
            return Ok(DeletePayload::not_found("sourceId", lang));
        };
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(
            ctx.db(),
            async |tx| -> Result<(), super::mutation::Outcome> {
                funding::Entity::delete_by_id(link.id).exec(tx).await?;
                crate::audit::record(
                    tx,
                    &viewer,
                    Some(&request_id),
                    crate::audit::Change::of(
                        "funding",
                        "Funding",
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
        let member = super::member::decode_scope(ctx, &member_id)?;
        let mut q = line::Entity::find().filter(line::Column::MemberId.eq(member));
        if let Some(y) = fiscal_year {
            q = q.filter(line::Column::FiscalYear.eq(y));
        }
        Ok(q.all(ctx.db()).await?.into_iter().map(BudgetLine).collect())
    }

    async fn ngo_programmes(&self, ctx: &Context<'_>, member_id: ID) -> Result<Vec<NgoProgramme>> {
        let member = super::member::decode_scope(ctx, &member_id)?;
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
