//! The team decree (*SK Bupati*) establishing the *Tim Kemitraan Pemerintahan Terbuka*: its
//! text, dates, status, the amendments, and the appendix listing the team — and the team as it
//! stood on any date.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::Refusal;
use entity::decree::{self, DecreeStatus, Represents, TeamPosition};
use entity::{Problem, Problems, decree_member, validate};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create};
use super::ids;
use super::mutation::{
    check_range, check_ref, date_change, decode_maybe, decode_opt, set, text_change,
};
use super::organisation::{self as org_gql, Organisation};
use super::person::{self as person_gql, Person};
use super::policy;
use super::scalars::Date;
use super::visibility;

pub const KIND: &str = "Decree";
crate::record!(entity::decree, "decree", "Decree");

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

struct DecreeFields {
    number: Option<Option<String>>,
    title: Option<String>,
    considerations: Option<Option<String>>,
    legal_basis: Option<Option<String>>,
    items: Option<serde_json::Value>,
    signatory_name: Option<Option<String>>,
    signatory_office: Option<Option<String>>,
    set_place: Option<Option<String>>,
    set_on: Option<Option<chrono::NaiveDate>>,
    signed_on: Option<Option<chrono::NaiveDate>>,
    from: Option<Option<chrono::NaiveDate>>,
    to: Option<Option<chrono::NaiveDate>>,
    amends: Option<Option<Uuid>>,
}

fn fields(p: &mut Problems, input: &DecreeInput) -> DecreeFields {
    let mut items = None;
    if let Some(list) = &input.decided_items {
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            if let Some(Some(t)) = p.check(validate::long_text(
                &["input", &format!("decidedItems.{i}")],
                Some(item),
                10_000,
            )) {
                out.push(t);
            }
        }
        if list.len() > 50 {
            p.push(&["input", "decidedItems"], Problem::TooMany { max: 50 });
        }
        items = Some(serde_json::to_value(out).unwrap_or_default());
    }
    DecreeFields {
        number: text_change(p, "number", &input.number, 120, false),
        title: input
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500))),
        considerations: text_change(p, "considerations", &input.considerations, 50_000, true),
        legal_basis: text_change(p, "legalBasis", &input.legal_basis, 50_000, true),
        items,
        signatory_name: text_change(p, "signatoryName", &input.signatory_name, 200, false),
        signatory_office: text_change(p, "signatoryOffice", &input.signatory_office, 200, false),
        set_place: text_change(p, "setPlace", &input.set_place, 100, false),
        set_on: date_change(&input.set_on),
        signed_on: date_change(&input.signed_on),
        from: date_change(&input.effective_from),
        to: date_change(&input.effective_to),
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
        if input.title.is_none() {
            p.push(&["input", "title"], Problem::Required);
        }
        let f = fields(&mut p, &input);
        check_range(&mut p, "effectiveTo", f.from.flatten(), f.to.flatten());
        let amends = f.amends.flatten();
        let result = crud::create::<decree::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createDecree",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |tx, p| {
                check_ref::<decree::Entity, _>(tx, p, "amendsId", amends, member, |d| d.member_id)
                    .await
            },
            |id, now| decree::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                number: Set(f.number.clone().flatten()),
                title: Set(f.title.clone().unwrap_or_default()),
                considerations: Set(f.considerations.clone().flatten()),
                legal_basis: Set(f.legal_basis.clone().flatten()),
                decided_items: Set(f.items.clone().unwrap_or_else(|| serde_json::json!([]))),
                signatory_name: Set(f.signatory_name.clone().flatten()),
                signatory_office: Set(f.signatory_office.clone().flatten()),
                set_place: Set(f.set_place.clone().flatten()),
                set_on: Set(f.set_on.flatten()),
                signed_on: Set(f.signed_on.flatten()),
                effective_from: Set(f.from.flatten()),
                effective_to: Set(f.to.flatten()),
                status: Set(DecreeStatus::Draft),
                amends_id: Set(amends),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        let f = fields(&mut p, &input);
        check_range(
            &mut p,
            "effectiveTo",
            f.from.unwrap_or(current.effective_from),
            f.to.unwrap_or(current.effective_to),
        );
        if f.amends == Some(Some(current.id)) {
            p.push(&["input", "amendsId"], Problem::ParentCycle);
        }
        let member = current.member_id;
        let result = crud::update::<decree::Entity>(
            ctx,
            &viewer,
            &current,
            version,
            p,
            async |tx, _, p| {
                check_ref::<decree::Entity, _>(tx, p, "amendsId", f.amends.flatten(), member, |d| {
                    d.member_id
                })
                .await
            },
            |_| decree::ActiveModel {
                number: set(f.number.clone()),
                title: set(f.title.clone()),
                considerations: set(f.considerations.clone()),
                legal_basis: set(f.legal_basis.clone()),
                decided_items: set(f.items.clone()),
                signatory_name: set(f.signatory_name.clone()),
                signatory_office: set(f.signatory_office.clone()),
                set_place: set(f.set_place.clone()),
                set_on: set(f.set_on),
                signed_on: set(f.signed_on),
                effective_from: set(f.from),
                effective_to: set(f.to),
                amends_id: set(f.amends),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let to = input.to;
        let request_id = ctx.meta().request_id;
        let today = visibility::today(ctx, current.member_id).await;
        let result = crud::transition::<decree::Entity, _>(
            ctx,
            &viewer,
            &current,
            input.version,
            to,
            |d| d.status,
            async |tx, before, p| {
                if to == DecreeStatus::Signed {
                    if before.number.is_none() {
                        p.push(
                            &["input", "to"],
                            Problem::Refused(Refusal::DecreeNeedsNumber),
                        );
                    }
                    if before.signed_on.is_none() || before.effective_from.is_none() {
                        p.push(
                            &["input", "to"],
                            Problem::Refused(Refusal::DecreeNeedsDates),
                        );
                    }
                    if p.is_empty()
                        && let Some(old) = before.amends_id
                        && let Some(amended) = decree::Entity::find_by_id(old).one(tx).await?
                        && amended.status.in_force()
                    {
                        decree::Entity::update_many()
                            .col_expr(decree::Column::Status, Expr::value(DecreeStatus::Amended))
                            .col_expr(decree::Column::Version, Expr::value(amended.version + 1))
                            .col_expr(
                                decree::Column::UpdatedAt,
                                Expr::value(ctx.app().clock.now()),
                            )
                            .filter(decree::Column::Id.eq(old))
                            .exec(tx)
                            .await?;
                        let after = decree::Entity::find_by_id(old).one(tx).await?;
                        crate::audit::record(
                            tx,
                            &viewer,
                            Some(&request_id),
                            crate::audit::Change::of(
                                "decree",
                                KIND,
                                "UPDATE",
                                old,
                                Some(amended.member_id),
                                Some(&amended),
                                after.as_ref(),
                            ),
                            ctx.app().clock.now(),
                        )
                        .await?;
                    }
                }
                Ok(())
            },
            |before, to| {
                // Revoked or expired: in force until the day before (the team's history).
                let ends = matches!(to, DecreeStatus::Revoked | DecreeStatus::Expired)
                    .then(|| today.pred_opt())
                    .flatten()
                    .filter(|last| before.effective_to.is_none_or(|t| t > *last));
                decree::ActiveModel {
                    status: Set(to),
                    effective_to: ends.map(|d| Set(Some(d))).unwrap_or(NotSet),
                    updated_at: Set(ctx.app().clock.now()),
                    ..Default::default()
                }
            },
        )
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
        if input.lines.len() > 200 {
            p.push(&["input", "lines"], Problem::TooMany { max: 200 });
        }
        let mut lines = Vec::new();
        for (i, l) in input.lines.iter().enumerate() {
            let name = p.check(validate::required_text(
                &["input", &format!("lines.{i}.name")],
                &l.name,
                200,
            ));
            let person = decode_opt(
                &mut p,
                &format!("lines.{i}.personId"),
                l.person_id.as_ref(),
                person_gql::KIND,
            );
            let org = decode_opt(
                &mut p,
                &format!("lines.{i}.organisationId"),
                l.organisation_id.as_ref(),
                org_gql::KIND,
            );
            let note = p
                .check(validate::optional_text(
                    &["input", &format!("lines.{i}.roleNote")],
                    l.role_note.as_deref(),
                    200,
                ))
                .flatten();
            lines.push((
                name.unwrap_or_default(),
                l.position,
                l.represents,
                person,
                org,
                note,
            ));
        }
        let member = current.member_id;
        let result = crud::update::<decree::Entity>(
            ctx,
            &viewer,
            &current,
            input.version,
            p,
            async |tx, _, p| {
                for (i, (_, _, _, person, org, _)) in lines.iter().enumerate() {
                    check_ref::<entity::person::Entity, _>(
                        tx,
                        p,
                        &format!("lines.{i}.personId"),
                        *person,
                        member,
                        |x| x.member_id,
                    )
                    .await?;
                    check_ref::<entity::organisation::Entity, _>(
                        tx,
                        p,
                        &format!("lines.{i}.organisationId"),
                        *org,
                        member,
                        |x| x.member_id,
                    )
                    .await?;
                }
                Ok(())
            },
            |_| decree::ActiveModel {
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |tx, d| {
                decree_member::Entity::delete_many()
                    .filter(decree_member::Column::DecreeId.eq(d.id))
                    .exec(tx)
                    .await?;
                for (i, (name, position, represents, person, org, note)) in lines.iter().enumerate()
                {
                    decree_member::Entity::insert(decree_member::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        member_id: Set(member),
                        decree_id: Set(d.id),
                        person_id: Set(*person),
                        name: Set(name.clone()),
                        position: Set(*position),
                        represents: Set(*represents),
                        organisation_id: Set(*org),
                        role_note: Set(note.clone()),
                        ordinal: Set(i as i32),
                        created_at: Set(ctx.app().clock.now()),
                    })
                    .exec_without_returning(tx)
                    .await?;
                }
                Ok(())
            },
        )
        .await;
        DecreePayload::of(result, None, lang, Decree)
    }
}
