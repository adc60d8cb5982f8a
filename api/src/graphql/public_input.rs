//! Public input (*masukan*) on a draft plan or a commitment, the partnership's reasoned
//! response to each, and moderation of what the public writes.
//!
//! The public sends input online while the plan is in co-creation, drafting or public review
//! (`submitPublicInput`, no account, consent recorded, a few per minute per client); the
//! secretariat notes what was said at an event or in a letter (`recordPublicInput`). Each input
//! is answered ACCEPTED / PARTIALLY / REJECTED / DEFERRED with a reason, and who answered and
//! when are kept. An abusive or off-topic input is hidden with a reason — kept and audited,
//! shown to nobody outside the partnership, and needing no response.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::public_input::{self, InputResponse, InputSource};
use entity::{Lang, Problem, Problems, action_plan};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::{self as commitment_gql, Commitment};
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::errors;
use super::event::{self as event_gql, Event};
use super::ids;
use super::mutation::decode_opt;
use super::pagination::{self, Conn, Page};
use super::plan::{self as plan_gql, ActionPlan};
use super::policy;
use super::visibility;
use entity::participation::public_input as domain;

pub const KIND: &str = "PublicInput";

/// Inputs one client may send per minute.
const INPUTS_PER_MINUTE: u32 = 5;
/// The input behind `id` when the viewer sees it: the partnership's own people see all of
/// their member's; the public sees those not hidden on a plan they can see.
pub async fn visible_input(ctx: &Context<'_>, id: Uuid) -> Result<Option<public_input::Model>> {
    let Some(input) = public_input::Entity::find_by_id(id).one(ctx.db()).await? else {
        return Ok(None);
    };
    if ctx.viewer().belongs_to(input.member_id)
        || (!input.is_hidden()
            && visibility::visible_plan(ctx, input.plan_id)
                .await?
                .is_some())
    {
        return Ok(Some(input));
    }
    Ok(None)
}

pub struct PublicInput(pub public_input::Model);

#[Object]
impl PublicInput {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<ActionPlan>> {
        Ok(visibility::visible_plan(ctx, self.0.plan_id)
            .await?
            .map(ActionPlan))
    }
    /// The commitment it is about, if it is about one.
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Option<Commitment>> {
        let Some(id) = self.0.commitment_id else {
            return Ok(None);
        };
        Ok(visibility::visible_commitment(ctx, id)
            .await?
            .map(Commitment))
    }
    /// The event it was given at.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(id) = self.0.event_id else {
            return Ok(None);
        };
        Ok(event_gql::visible_event(ctx, id).await?.map(Event))
    }
    async fn source(&self) -> InputSource {
        self.0.source
    }
    /// Who gave it (the member's admins and secretariat).
    async fn author_name(&self, ctx: &Context<'_>) -> Option<String> {
        self.personal(ctx, &self.0.author_name)
    }
    /// Where to send the answer (the member's admins and secretariat).
    async fn author_email(&self, ctx: &Context<'_>) -> Option<String> {
        self.personal(ctx, &self.0.author_email)
    }
    /// The organisation it speaks for, if any.
    async fn organisation_name(&self) -> Option<&str> {
        self.0.organisation_name.as_deref()
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    /// What became of it; none while it waits for an answer.
    async fn response(&self) -> Option<InputResponse> {
        self.0.response
    }
    /// Why: the reasoned response.
    async fn response_reason(&self) -> Option<&str> {
        self.0.response_reason.as_deref()
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// The account that answered (the partnership's own people see its name).
    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.account_name(ctx, self.0.responded_by).await
    }
    /// Answered with a reason.
    async fn answered(&self) -> bool {
        self.0.is_answered()
    }
    async fn hidden(&self) -> bool {
        self.0.is_hidden()
    }
    async fn hidden_at(&self) -> Option<DateTime<Utc>> {
        self.0.hidden_at
    }
    async fn hidden_reason(&self) -> Option<&str> {
        self.0.hidden_reason.as_deref()
    }
    async fn hidden_by(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.account_name(ctx, self.0.hidden_by).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

impl PublicInput {
    fn personal(&self, ctx: &Context<'_>, value: &Option<String>) -> Option<String> {
        ctx.viewer()
            .may_read(
                entity::privacy::Class::Personal,
                Some(self.0.member_id),
                None,
            )
            .then(|| value.clone())
            .flatten()
    }

    async fn account_name(&self, ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<String>> {
        let Some(id) = id else { return Ok(None) };
        if !ctx.viewer().belongs_to(self.0.member_id) {
            return Ok(None);
        }
        Ok(entity::account::Entity::find_by_id(id)
            .one(ctx.db())
            .await?
            .map(|a| a.name))
    }
}

crate::payload!(PublicInputPayload, public_input: PublicInput, public_input::Model);

/// Input from a member of the public, sent online.
#[derive(InputObject, Serialize)]
pub struct SubmitPublicInputInput {
    pub client_mutation_id: Option<String>,
    pub plan_id: ID,
    /// When the input is about one commitment of the plan.
    pub commitment_id: Option<ID>,
    pub name: String,
    /// For the answer; never shown publicly.
    pub email: Option<String>,
    pub organisation_name: Option<String>,
    pub body: String,
    /// Agreement that the name and email are kept to answer the input.
    pub consent: bool,
}

/// Input noted by the secretariat: said at an event, or sent by letter or message.
#[derive(InputObject, Serialize)]
pub struct RecordPublicInputInput {
    pub client_mutation_id: Option<String>,
    pub plan_id: ID,
    pub commitment_id: Option<ID>,
    /// Required when the source is EVENT.
    pub event_id: Option<ID>,
    /// EVENT or WRITTEN (ONLINE is what the public sends itself).
    pub source: InputSource,
    pub author_name: Option<String>,
    pub organisation_name: Option<String>,
    pub body: String,
    /// Default: the event's start, or now.
    pub received_at: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct RespondToPublicInputInput {
    pub id: ID,
    pub version: i32,
    pub response: InputResponse,
    /// Why: required, and shown with the response.
    pub reason: String,
}

#[derive(InputObject)]
pub struct HidePublicInputInput {
    pub id: ID,
    pub version: i32,
    /// Why it is hidden (kept in the record and the audit log).
    pub reason: String,
}

#[derive(InputObject)]
pub struct RestorePublicInputInput {
    pub id: ID,
    pub version: i32,
}

fn not_found(lang: Lang) -> PublicInputPayload {
    PublicInputPayload::refused(Problems::one(&["input", "id"], Problem::NotFound), lang)
}

#[derive(Default)]
pub struct PublicInputMutation;

#[Object]
impl PublicInputMutation {
    /// Sends input on a plan (or one of its commitments) that is open for it: in co-creation,
    /// drafting or public review. No account needed; at most five a minute per client.
    async fn submit_public_input(
        &self,
        ctx: &Context<'_>,
        input: SubmitPublicInputInput,
    ) -> Result<PublicInputPayload> {
        let viewer = policy::gate(ctx, "submitPublicInput")?;
        let lang = ctx.lang();
        let app = ctx.app();
        if !app.limiter.allow(
            &ctx.meta().client,
            "submitPublicInput",
            INPUTS_PER_MINUTE,
            app.clock.now(),
        ) {
            return Err(errors::rate_limited(lang));
        }
        let mut p = Problems::new();
        let plan = decode_opt(&mut p, "planId", Some(&input.plan_id), plan_gql::KIND);
        let commitment = decode_opt(
            &mut p,
            "commitmentId",
            input.commitment_id.as_ref(),
            commitment_gql::KIND,
        );
        let email = match input.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => {
                let parsed = entity::notify::Address::parse(e);
                if parsed.is_none() {
                    p.push(&["input", "email"], Problem::InvalidEmail);
                }
                parsed
            }
        };
        if !input.consent {
            p.push(&["input", "consent"], Problem::Required);
        }
        let cmd = domain::Submit {
            plan,
            commitment,
            name: input.name.clone(),
            email,
            organisation: input.organisation_name.clone(),
            body: input.body.clone(),
            lang,
        };
        let spec = Create {
            mutation: "submitPublicInput",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::submit(act, spec, cmd).await
        })
        .await;
        PublicInputPayload::of(result, input.client_mutation_id.clone(), lang, PublicInput)
    }

    /// Notes input given at an event or by letter or message.
    async fn record_public_input(
        &self,
        ctx: &Context<'_>,
        input: RecordPublicInputInput,
    ) -> Result<PublicInputPayload> {
        let lang = ctx.lang();
        policy::gate(ctx, "recordPublicInput")?;
        let mut p = Problems::new();
        let plan = decode_opt(&mut p, "planId", Some(&input.plan_id), plan_gql::KIND);
        let Some(plan_id) = plan else {
            return Ok(PublicInputPayload::refused(p, lang));
        };
        let Some(plan_row) = action_plan::Entity::find_by_id(plan_id)
            .one(ctx.db())
            .await?
        else {
            return Ok(PublicInputPayload::refused(
                Problems::one(&["input", "planId"], Problem::NotFound),
                lang,
            ));
        };
        let viewer = policy::authorize(ctx, "recordPublicInput", Some(plan_row.member_id))?;
        let _member = plan_row.member_id;
        let commitment = decode_opt(
            &mut p,
            "commitmentId",
            input.commitment_id.as_ref(),
            commitment_gql::KIND,
        );
        let event = decode_opt(&mut p, "eventId", input.event_id.as_ref(), event_gql::KIND);
        let cmd = domain::Record {
            commitment,
            event,
            event_named: input.event_id.is_some(),
            source: input.source,
            author: input.author_name.clone(),
            organisation: input.organisation_name.clone(),
            body: input.body.clone(),
            received_at: input.received_at,
            lang,
        };
        let spec = Create {
            mutation: "recordPublicInput",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::record(act, &plan_row, spec, cmd).await
        })
        .await;
        PublicInputPayload::of(result, input.client_mutation_id.clone(), lang, PublicInput)
    }

    /// Answers an input: what became of it and why. Answering again replaces the answer (the
    /// audit log keeps the earlier one).
    async fn respond_to_public_input(
        &self,
        ctx: &Context<'_>,
        input: RespondToPublicInputInput,
    ) -> Result<PublicInputPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<public_input::Entity>(ctx, "respondToPublicInput", &input.id)
                .await?
        else {
            return Ok(not_found(lang));
        };
        let answered = acting(ctx, &viewer, async |act| {
            domain::respond(act, &current, input.version, input.response, &input.reason).await
        })
        .await;
        let result = match answered {
            Ok((row, mails)) => {
                ctx.app().queue_mail(&mails).await;
                Ok(row)
            }
            Err(e) => Err(e),
        };
        PublicInputPayload::of(result, None, lang, PublicInput)
    }

    /// Hides an input from everyone outside the partnership, with the reason (moderation).
    async fn hide_public_input(
        &self,
        ctx: &Context<'_>,
        input: HidePublicInputInput,
    ) -> Result<PublicInputPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<public_input::Entity>(ctx, "hidePublicInput", &input.id)
                .await?
        else {
            return Ok(not_found(lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::hide(act, &current, input.version, &input.reason).await
        })
        .await;
        PublicInputPayload::of(result, None, lang, PublicInput)
    }

    /// Shows a hidden input again.
    async fn restore_public_input(
        &self,
        ctx: &Context<'_>,
        input: RestorePublicInputInput,
    ) -> Result<PublicInputPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<public_input::Entity>(ctx, "restorePublicInput", &input.id)
                .await?
        else {
            return Ok(not_found(lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::restore(act, &current, input.version).await
        })
        .await;
        PublicInputPayload::of(result, None, lang, PublicInput)
    }
}

#[derive(Default)]
pub struct PublicInputQuery;

#[Object]
impl PublicInputQuery {
    /// The input on a plan (or one commitment of it), oldest first, with the responses. The
    /// public sees what is not hidden; `unanswered` keeps those still waiting for a reasoned
    /// response; `hidden` (the partnership's own people) lists the hidden ones only.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn public_inputs(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        commitment_id: Option<ID>,
        unanswered: Option<bool>,
        hidden: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<PublicInput>> {
        let lang = ctx.lang();
        let page = Page::from_args(ctx, first, after, last, before)?;
        let found = match ids::decode_as(&plan_id, plan_gql::KIND) {
            Some(u) => visibility::visible_plan(ctx, u).await?,
            None => None,
        };
        let Some(plan) = found else {
            return Err(errors::not_found(lang));
        };
        let own = ctx.viewer().belongs_to(plan.member_id);
        let mut select =
            public_input::Entity::find().filter(public_input::Column::PlanId.eq(plan.id));
        if let Some(c) = &commitment_id {
            let Some(c) = ids::decode_as(c, commitment_gql::KIND) else {
                return Err(errors::not_found(lang));
            };
            select = select.filter(public_input::Column::CommitmentId.eq(c));
        }
        select = if hidden == Some(true) && own {
            select.filter(public_input::Column::HiddenAt.is_not_null())
        } else {
            select.filter(public_input::Column::HiddenAt.is_null())
        };
        if unanswered == Some(true) {
            select = select.filter(
                public_input::Column::Response
                    .is_null()
                    .or(public_input::Column::ResponseReason.is_null()),
            );
        }
        Ok(pagination::page(ctx.db(), select, page, PublicInput).await?)
    }

    /// One input by id.
    async fn public_input(&self, ctx: &Context<'_>, id: ID) -> Result<PublicInput> {
        let lang = ctx.lang();
        let found = match ids::decode_as(&id, KIND) {
            Some(u) => visible_input(ctx, u).await?,
            None => None,
        };
        found
            .map(PublicInput)
            .ok_or_else(|| errors::not_found(lang))
    }
}
