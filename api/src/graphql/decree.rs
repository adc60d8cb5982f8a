//! The team decree (*SK Bupati*) establishing the *Tim Kemitraan Pemerintahan Terbuka*: its
//! text, dates, status, the amendments, and the appendix listing the team — and the team as it
//! stood on any date.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::decree::{self, DecreeStatus, Represents, TeamPosition};
use entity::{Problem, Problems, decree_member};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{date_change, decode_maybe, decode_opt, maybe};
use super::organisation::{self as org_gql, Organisation};
use super::person::{self as person_gql, Person};
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::partnership::decree as domain;

pub const KIND: &str = "Decree";

pub struct Decree(pub decree::Model);

/// The decree behind `id`, when the viewer may see it.
pub async fn visible(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Decree>> {
    let Some(id) = id else { return Ok(None) };
    Ok(visibility::visible_decree(ctx, id).await?.map(Decree))
}

#[Object]
impl Decree {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    /// As written ("188/364/KEP/412.013/2025"); none while a draft.
    async fn number(&self) -> Option<&str> {
        self.0.number.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// *Menimbang*.
    async fn considerations(&self) -> Option<&str> {
        self.0.considerations.as_deref()
    }
    /// *Mengingat*.
    async fn legal_basis(&self) -> Option<&str> {
        self.0.legal_basis.as_deref()
    }
    /// *Memutuskan*: KESATU, KEDUA, …
    async fn decided_items(&self) -> Vec<String> {
        serde_json::from_value(self.0.decided_items.clone()).unwrap_or_default()
    }
    async fn signatory_name(&self) -> Option<&str> {
        self.0.signatory_name.as_deref()
    }
    async fn signatory_office(&self) -> Option<&str> {
        self.0.signatory_office.as_deref()
    }
    /// *Ditetapkan di*.
    async fn set_place(&self) -> Option<&str> {
        self.0.set_place.as_deref()
    }
    /// *Pada tanggal*.
    async fn set_on(&self) -> Option<Date> {
        self.0.set_on.map(Date)
    }
    async fn signed_on(&self) -> Option<Date> {
        self.0.signed_on.map(Date)
    }
    async fn effective_from(&self) -> Option<Date> {
        self.0.effective_from.map(Date)
    }
    async fn effective_to(&self) -> Option<Date> {
        self.0.effective_to.map(Date)
    }
    async fn status(&self) -> DecreeStatus {
        self.0.status
    }
    /// The decree this one changes.
    async fn amends(&self, ctx: &Context<'_>) -> Result<Option<Decree>> {
        visible(ctx, self.0.amends_id).await
    }
    /// The appendix (*lampiran*): the team.
    async fn appendix(&self, ctx: &Context<'_>) -> Result<Vec<DecreeMember>> {
        let mut rows = ctx
            .loaders()
            .members_of_decree
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        rows.sort_by_key(|r| r.ordinal);
        Ok(rows.into_iter().map(DecreeMember).collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct DecreeMember(pub decree_member::Model);

#[Object]
impl DecreeMember {
    /// As printed in the appendix.
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn position(&self) -> TeamPosition {
        self.0.position
    }
    /// Government or civil society.
    async fn represents(&self) -> Represents {
        self.0.represents
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(o) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(o)
            .await?
            .map(Organisation))
    }
    /// The person record (for the partnership's own people).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(p) = self.0.person_id else {
            return Ok(None);
        };
        if !ctx.viewer().belongs_to(self.0.member_id) {
            return Ok(None);
        }
        Ok(ctx.loaders().person.load_one(p).await?.map(Person))
    }
    async fn role_note(&self) -> Option<&str> {
        self.0.role_note.as_deref()
    }
}

/// The team as it stood on a day: the decree in force then and its appendix.
#[derive(SimpleObject)]
pub struct TeamOnDate {
    pub on: Date,
    pub decree: Option<Decree>,
}

/// The team on `day`, from the decrees the viewer may see.
pub async fn team_on(
    ctx: &Context<'_>,
    member: Uuid,
    day: chrono::NaiveDate,
) -> Result<TeamOnDate> {
    let all = decree::Entity::find()
        .filter(decree::Column::MemberId.eq(member))
        .all(ctx.db())
        .await?;
    let viewer = ctx.viewer();
    let seen: Vec<decree::Model> = all
        .into_iter()
        .filter(|d| visibility::sees_decree(&viewer, d))
        .collect();
    Ok(TeamOnDate {
        on: Date(day),
        decree: decree::governing(&seen, day).cloned().map(Decree),
    })
}

pub async fn decrees_of(ctx: &Context<'_>, member: Uuid) -> Result<Vec<Decree>> {
    let viewer = ctx.viewer();
    Ok(decree::Entity::find()
        .filter(decree::Column::MemberId.eq(member))
        .all(ctx.db())
        .await?
        .into_iter()
        .filter(|d| visibility::sees_decree(&viewer, d))
        .map(Decree)
        .collect())
}

crate::payload!(DecreePayload, decree: Decree, decree::Model);

/// What `createDecree` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateDecreeInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub number: Option<String>,
    pub title: String,
    pub considerations: Option<String>,
    pub legal_basis: Option<String>,
    pub decided_items: Option<Vec<String>>,
    pub signatory_name: Option<String>,
    pub signatory_office: Option<String>,
    pub set_place: Option<String>,
    pub set_on: Option<Date>,
    pub signed_on: Option<Date>,
    pub effective_from: Option<Date>,
    pub effective_to: Option<Date>,
    /// The decree this one changes.
    pub amends_id: Option<ID>,
}

/// What `updateDecree` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateDecreeInput {
    pub id: ID,
    pub version: i32,
    pub number: MaybeUndefined<String>,
    pub title: Option<String>,
    pub considerations: MaybeUndefined<String>,
    pub legal_basis: MaybeUndefined<String>,
    pub decided_items: Option<Vec<String>>,
    pub signatory_name: MaybeUndefined<String>,
    pub signatory_office: MaybeUndefined<String>,
    pub set_place: MaybeUndefined<String>,
    pub set_on: MaybeUndefined<Date>,
    pub signed_on: MaybeUndefined<Date>,
    pub effective_from: MaybeUndefined<Date>,
    pub effective_to: MaybeUndefined<Date>,
    /// The decree this one changes.
    pub amends_id: MaybeUndefined<ID>,
}

impl From<CreateDecreeInput> for DecreeInput {
    fn from(i: CreateDecreeInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            number: super::mutation::given(i.number),
            title: Some(i.title),
            considerations: super::mutation::given(i.considerations),
            legal_basis: super::mutation::given(i.legal_basis),
            decided_items: i.decided_items,
            signatory_name: super::mutation::given(i.signatory_name),
            signatory_office: super::mutation::given(i.signatory_office),
            set_place: super::mutation::given(i.set_place),
            set_on: super::mutation::given(i.set_on),
            signed_on: super::mutation::given(i.signed_on),
            effective_from: super::mutation::given(i.effective_from),
            effective_to: super::mutation::given(i.effective_to),
            amends_id: super::mutation::given(i.amends_id),
        }
    }
}

impl From<UpdateDecreeInput> for DecreeInput {
    fn from(i: UpdateDecreeInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            number: i.number,
            title: i.title,
            considerations: i.considerations,
            legal_basis: i.legal_basis,
            decided_items: i.decided_items,
            signatory_name: i.signatory_name,
            signatory_office: i.signatory_office,
            set_place: i.set_place,
            set_on: i.set_on,
            signed_on: i.signed_on,
            effective_from: i.effective_from,
            effective_to: i.effective_to,
            amends_id: i.amends_id,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct DecreeInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the decree (on update).
    pub id: ID,
    /// Required on update.
    pub version: Option<i32>,
    pub number: MaybeUndefined<String>,
    /// Required on create.
    pub title: Option<String>,
    pub considerations: MaybeUndefined<String>,
    pub legal_basis: MaybeUndefined<String>,
    pub decided_items: Option<Vec<String>>,
    pub signatory_name: MaybeUndefined<String>,
    pub signatory_office: MaybeUndefined<String>,
    pub set_place: MaybeUndefined<String>,
    pub set_on: MaybeUndefined<Date>,
    pub signed_on: MaybeUndefined<Date>,
    pub effective_from: MaybeUndefined<Date>,
    pub effective_to: MaybeUndefined<Date>,
    /// The decree this one changes.
    pub amends_id: MaybeUndefined<ID>,
}

#[derive(InputObject)]
pub struct TransitionDecreeInput {
    pub id: ID,
    pub version: i32,
    pub to: DecreeStatus,
}

#[derive(InputObject)]
pub struct AppendixLineInput {
    pub name: String,
    pub position: TeamPosition,
    pub represents: Represents,
    pub person_id: Option<ID>,
    pub organisation_id: Option<ID>,
    pub role_note: Option<String>,
}

#[derive(InputObject)]
pub struct SetDecreeAppendixInput {
    pub id: ID,
    pub version: i32,
    pub lines: Vec<AppendixLineInput>,
}

/// The decree's text as the domain reads it, its ids decoded (problems on the way in `p`).
fn text_of(p: &mut Problems, input: &DecreeInput) -> domain::DecreeText {
    domain::DecreeText {
        number: maybe(&input.number),
        title: input.title.clone(),
        considerations: maybe(&input.considerations),
        legal_basis: maybe(&input.legal_basis),
        decided_items: input.decided_items.clone(),
        signatory_name: maybe(&input.signatory_name),
        signatory_office: maybe(&input.signatory_office),
        set_place: maybe(&input.set_place),
        set_on: date_change(&input.set_on),
        signed_on: date_change(&input.signed_on),
        effective_from: date_change(&input.effective_from),
        effective_to: date_change(&input.effective_to),
        amends: decode_maybe(p, "amendsId", &input.amends_id, KIND),
    }
}

#[derive(Default)]
pub struct DecreeMutation;

#[Object]
impl DecreeMutation {
    /// Drafts a decree.
    async fn create_decree(
        &self,
        ctx: &Context<'_>,
        input: CreateDecreeInput,
    ) -> Result<DecreePayload> {
        let input = DecreeInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createDecree", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let text = text_of(&mut p, &input);
        let spec = Create {
            mutation: "createDecree",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, text).await
        })
        .await;
        DecreePayload::of(result, input.client_mutation_id.clone(), lang, Decree)
    }

    /// Changes a decree's text and dates.
    async fn update_decree(
        &self,
        ctx: &Context<'_>,
        input: UpdateDecreeInput,
    ) -> Result<DecreePayload> {
        let input = DecreeInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<decree::Entity>(ctx, "updateDecree", &input.id).await?
        else {
            return Ok(DecreePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let Some(version) = input.version else {
            return Ok(DecreePayload::refused(
                Problems::one(&["input", "version"], Problem::Required),
                lang,
            ));
        };
        let text = text_of(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, version, p, text).await
        })
        .await;
        DecreePayload::of(result, None, lang, Decree)
    }

    /// DRAFT → IN_LEGAL_REVIEW → AWAITING_SIGNATURE → SIGNED → PUBLISHED → AMENDED / REVOKED /
    /// EXPIRED. Signing needs a number and a signing date; when a decree that amends another is
    /// signed, the other becomes AMENDED.
    async fn transition_decree(
        &self,
        ctx: &Context<'_>,
        input: TransitionDecreeInput,
    ) -> Result<DecreePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<decree::Entity>(ctx, "transitionDecree", &input.id).await?
        else {
            return Ok(DecreePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(act, &current, input.version, input.to).await
        })
        .await;
        DecreePayload::of(result, None, lang, Decree)
    }

    /// Replaces a decree's appendix (the team), in order.
    async fn set_decree_appendix(
        &self,
        ctx: &Context<'_>,
        input: SetDecreeAppendixInput,
    ) -> Result<DecreePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<decree::Entity>(ctx, "setDecreeAppendix", &input.id).await?
        else {
            return Ok(DecreePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let lines = input
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| domain::AppendixLine {
                name: l.name.clone(),
                position: l.position,
                represents: l.represents,
                person: decode_opt(
                    &mut p,
                    &format!("lines.{i}.personId"),
                    l.person_id.as_ref(),
                    person_gql::KIND,
                ),
                organisation: decode_opt(
                    &mut p,
                    &format!("lines.{i}.organisationId"),
                    l.organisation_id.as_ref(),
                    org_gql::KIND,
                ),
                role_note: l.role_note.clone(),
            })
            .collect();
        let result = acting(ctx, &viewer, async |act| {
            domain::set_appendix(act, &current, input.version, p, lines).await
        })
        .await;
        DecreePayload::of(result, None, lang, Decree)
    }
}
