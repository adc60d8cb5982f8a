//! The partnership around a member: heads of region and their terms, memberships (office
//! contacts among them), the secretariat, and youth ambassadors (*Duta OGP*).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::membership::{self, Body};
use entity::{Problem, Problems, ambassador, head_of_region_term as term, secretariat};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::decree::{self as decree_gql, Decree};
use super::ids;
use super::mutation::{DeleteInput, DeletePayload, date_change, decode_maybe, decode_opt, maybe};
use super::organisation::{self as org_gql, Organisation};
use super::person::{self as person_gql, Person};
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::partnership as domain;

pub struct HeadOfRegionTerm(pub term::Model);

#[Object]
impl HeadOfRegionTerm {
    async fn id(&self) -> ID {
        ids::encode("HeadOfRegionTerm", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn deputy_name(&self) -> Option<&str> {
        self.0.deputy_name.as_deref()
    }
    /// "Bupati", "Wali Kota", "Gubernur".
    async fn office_title(&self) -> Option<&str> {
        self.0.office_title.as_deref()
    }
    async fn elected_on(&self) -> Option<Date> {
        self.0.elected_on.map(Date)
    }
    /// When the election commission (KPU) declared the winners.
    async fn declared_on(&self) -> Option<Date> {
        self.0.declared_on.map(Date)
    }
    async fn inaugurated_on(&self) -> Option<Date> {
        self.0.inaugurated_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// Whole months left in the term today (OGP Local asks for at least 16).
    async fn months_left(&self, ctx: &Context<'_>) -> Option<i32> {
        let today = visibility::today(ctx, self.0.member_id).await;
        self.0.ends_on.map(|e| term::months_left(today, e))
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct Membership(pub membership::Model);

#[Object]
impl Membership {
    async fn id(&self) -> ID {
        ids::encode("Membership", self.0.id)
    }
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(ctx
            .loaders()
            .person
            .load_one(self.0.person_id)
            .await?
            .map(Person))
    }
    async fn body(&self) -> Body {
        self.0.body
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
    async fn position(&self) -> Option<&str> {
        self.0.position.as_deref()
    }
    /// The organisation's contact person (PIC).
    async fn is_contact(&self) -> bool {
        self.0.is_contact
    }
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A way to reach the secretariat.
#[derive(SimpleObject, InputObject, Serialize, Deserialize, Clone)]
#[graphql(input_name = "ChannelInput")]
pub struct Channel {
    /// "WHATSAPP", "INSTAGRAM", "WEBSITE", …
    pub kind: String,
    pub value: String,
}

pub struct Secretariat(pub secretariat::Model);

#[Object]
impl Secretariat {
    async fn id(&self) -> ID {
        ids::encode("Secretariat", self.0.id)
    }
    /// The decree that established it.
    async fn decree(&self, ctx: &Context<'_>) -> Result<Option<Decree>> {
        decree_gql::visible(ctx, self.0.decree_id).await
    }
    /// "Gedung Pusat Informasi Publik".
    async fn venue_name(&self) -> &str {
        &self.0.venue_name
    }
    /// "Ruang PPID".
    async fn room(&self) -> Option<&str> {
        self.0.room.as_deref()
    }
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }
    async fn channels(&self) -> Vec<Channel> {
        serde_json::from_value(self.0.channels.clone()).unwrap_or_default()
    }
    /// Its staff and representatives.
    async fn staff(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        if !ctx.viewer().belongs_to(self.0.member_id) {
            return Ok(vec![]);
        }
        Ok(membership::Entity::find()
            .filter(membership::Column::MemberId.eq(self.0.member_id))
            .filter(membership::Column::Body.eq(Body::Secretariat))
            .all(ctx.db())
            .await?
            .into_iter()
            .map(Membership)
            .collect())
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct Ambassador(pub ambassador::Model);

#[Object]
impl Ambassador {
    async fn id(&self) -> ID {
        ids::encode("Ambassador", self.0.id)
    }
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(ctx
            .loaders()
            .person
            .load_one(self.0.person_id)
            .await?
            .map(Person))
    }
    /// "2018", "Angkatan I".
    async fn cohort(&self) -> &str {
        &self.0.cohort
    }
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    async fn activities(&self) -> Option<&str> {
        self.0.activities.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

crate::payload!(HeadOfRegionTermPayload, term: HeadOfRegionTerm, term::Model);
crate::payload!(MembershipPayload, membership: Membership, membership::Model);
crate::payload!(SecretariatPayload, secretariat: Secretariat, secretariat::Model);
crate::payload!(AmbassadorPayload, ambassador: Ambassador, ambassador::Model);

/// What `createHeadOfRegionTerm` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateHeadOfRegionTermInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub name: String,
    pub deputy_name: Option<String>,
    pub office_title: Option<String>,
    pub elected_on: Option<Date>,
    pub declared_on: Option<Date>,
    pub inaugurated_on: Option<Date>,
    pub ends_on: Option<Date>,
}

/// What `updateHeadOfRegionTerm` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateHeadOfRegionTermInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub deputy_name: MaybeUndefined<String>,
    pub office_title: MaybeUndefined<String>,
    pub elected_on: MaybeUndefined<Date>,
    pub declared_on: MaybeUndefined<Date>,
    pub inaugurated_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
}

impl From<CreateHeadOfRegionTermInput> for HeadOfRegionTermInput {
    fn from(i: CreateHeadOfRegionTermInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            name: Some(i.name),
            deputy_name: super::mutation::given(i.deputy_name),
            office_title: super::mutation::given(i.office_title),
            elected_on: super::mutation::given(i.elected_on),
            declared_on: super::mutation::given(i.declared_on),
            inaugurated_on: super::mutation::given(i.inaugurated_on),
            ends_on: super::mutation::given(i.ends_on),
        }
    }
}

impl From<UpdateHeadOfRegionTermInput> for HeadOfRegionTermInput {
    fn from(i: UpdateHeadOfRegionTermInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            name: i.name,
            deputy_name: i.deputy_name,
            office_title: i.office_title,
            elected_on: i.elected_on,
            declared_on: i.declared_on,
            inaugurated_on: i.inaugurated_on,
            ends_on: i.ends_on,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct HeadOfRegionTermInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the term (on update).
    pub id: ID,
    /// Required on update.
    pub version: Option<i32>,
    pub name: Option<String>,
    pub deputy_name: MaybeUndefined<String>,
    pub office_title: MaybeUndefined<String>,
    pub elected_on: MaybeUndefined<Date>,
    pub declared_on: MaybeUndefined<Date>,
    pub inaugurated_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
}

/// What `createMembership` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateMembershipInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub person_id: ID,
    pub body: Body,
    pub organisation_id: Option<ID>,
    pub position: Option<String>,
    pub is_contact: Option<bool>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
}

/// What `updateMembership` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateMembershipInput {
    pub id: ID,
    pub version: i32,
    pub person_id: Option<ID>,
    pub body: Option<Body>,
    pub organisation_id: MaybeUndefined<ID>,
    pub position: MaybeUndefined<String>,
    pub is_contact: Option<bool>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
}

impl From<CreateMembershipInput> for MembershipInput {
    fn from(i: CreateMembershipInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            person_id: Some(i.person_id),
            body: Some(i.body),
            organisation_id: super::mutation::given(i.organisation_id),
            position: super::mutation::given(i.position),
            is_contact: i.is_contact,
            starts_on: super::mutation::given(i.starts_on),
            ends_on: super::mutation::given(i.ends_on),
        }
    }
}

impl From<UpdateMembershipInput> for MembershipInput {
    fn from(i: UpdateMembershipInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            person_id: i.person_id,
            body: i.body,
            organisation_id: i.organisation_id,
            position: i.position,
            is_contact: i.is_contact,
            starts_on: i.starts_on,
            ends_on: i.ends_on,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct MembershipInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the membership (on update).
    pub id: ID,
    pub version: Option<i32>,
    /// Required on create.
    pub person_id: Option<ID>,
    /// Required on create.
    pub body: Option<Body>,
    pub organisation_id: MaybeUndefined<ID>,
    pub position: MaybeUndefined<String>,
    pub is_contact: Option<bool>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
}

/// What `createSecretariat` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateSecretariatInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub decree_id: Option<ID>,
    pub venue_name: String,
    pub room: Option<String>,
    pub address: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub channels: Option<Vec<Channel>>,
}

/// What `updateSecretariat` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateSecretariatInput {
    pub id: ID,
    pub version: i32,
    pub decree_id: MaybeUndefined<ID>,
    pub venue_name: Option<String>,
    pub room: MaybeUndefined<String>,
    pub address: MaybeUndefined<String>,
    pub contact_email: MaybeUndefined<String>,
    pub contact_phone: MaybeUndefined<String>,
    pub channels: Option<Vec<Channel>>,
}

impl From<CreateSecretariatInput> for SecretariatInput {
    fn from(i: CreateSecretariatInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            decree_id: super::mutation::given(i.decree_id),
            venue_name: Some(i.venue_name),
            room: super::mutation::given(i.room),
            address: super::mutation::given(i.address),
            contact_email: super::mutation::given(i.contact_email),
            contact_phone: super::mutation::given(i.contact_phone),
            channels: i.channels,
        }
    }
}

impl From<UpdateSecretariatInput> for SecretariatInput {
    fn from(i: UpdateSecretariatInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            decree_id: i.decree_id,
            venue_name: i.venue_name,
            room: i.room,
            address: i.address,
            contact_email: i.contact_email,
            contact_phone: i.contact_phone,
            channels: i.channels,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct SecretariatInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the secretariat (on update).
    pub id: ID,
    pub version: Option<i32>,
    pub decree_id: MaybeUndefined<ID>,
    pub venue_name: Option<String>,
    pub room: MaybeUndefined<String>,
    pub address: MaybeUndefined<String>,
    pub contact_email: MaybeUndefined<String>,
    pub contact_phone: MaybeUndefined<String>,
    pub channels: Option<Vec<Channel>>,
}

/// What `createAmbassador` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateAmbassadorInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub person_id: ID,
    pub cohort: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub activities: Option<String>,
}

/// What `updateAmbassador` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateAmbassadorInput {
    pub id: ID,
    pub version: i32,
    pub person_id: Option<ID>,
    pub cohort: Option<String>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
    pub activities: MaybeUndefined<String>,
}

impl From<CreateAmbassadorInput> for AmbassadorInput {
    fn from(i: CreateAmbassadorInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            person_id: Some(i.person_id),
            cohort: Some(i.cohort),
            starts_on: super::mutation::given(i.starts_on),
            ends_on: super::mutation::given(i.ends_on),
            activities: super::mutation::given(i.activities),
        }
    }
}

impl From<UpdateAmbassadorInput> for AmbassadorInput {
    fn from(i: UpdateAmbassadorInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            person_id: i.person_id,
            cohort: i.cohort,
            starts_on: i.starts_on,
            ends_on: i.ends_on,
            activities: i.activities,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct AmbassadorInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the ambassador (on update).
    pub id: ID,
    pub version: Option<i32>,
    /// Required on create.
    pub person_id: Option<ID>,
    pub cohort: Option<String>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
    pub activities: MaybeUndefined<String>,
}

fn need<T: Clone>(p: &mut Problems, field: &str, v: &Option<T>) -> Option<T> {
    if v.is_none() {
        p.push(&["input", field], Problem::Required);
    }
    v.clone()
}

#[derive(Default)]
pub struct PartnershipMutation;

fn term_fields(i: &HeadOfRegionTermInput) -> domain::term::TermFields {
    domain::term::TermFields {
        name: i.name.clone(),
        deputy_name: maybe(&i.deputy_name),
        office_title: maybe(&i.office_title),
        elected_on: date_change(&i.elected_on),
        declared_on: date_change(&i.declared_on),
        inaugurated_on: date_change(&i.inaugurated_on),
        ends_on: date_change(&i.ends_on),
    }
}

fn membership_fields(
    p: &mut Problems,
    i: &MembershipInput,
) -> domain::membership::MembershipFields {
    domain::membership::MembershipFields {
        person: None,
        body: i.body,
        organisation: decode_maybe(p, "organisationId", &i.organisation_id, org_gql::KIND),
        position: maybe(&i.position),
        is_contact: i.is_contact,
        starts_on: date_change(&i.starts_on),
        ends_on: date_change(&i.ends_on),
    }
}

fn secretariat_fields(
    p: &mut Problems,
    i: &SecretariatInput,
) -> domain::secretariat::SecretariatFields {
    domain::secretariat::SecretariatFields {
        venue_name: i.venue_name.clone(),
        decree: decode_maybe(p, "decreeId", &i.decree_id, decree_gql::KIND),
        room: maybe(&i.room),
        address: maybe(&i.address),
        contact_email: maybe(&i.contact_email),
        contact_phone: maybe(&i.contact_phone),
        channels: i.channels.as_ref().map(|c| {
            c.iter()
                .map(|c| domain::secretariat::Channel {
                    kind: c.kind.clone(),
                    value: c.value.clone(),
                })
                .collect()
        }),
    }
}

fn ambassador_fields(i: &AmbassadorInput) -> domain::ambassador::AmbassadorFields {
    domain::ambassador::AmbassadorFields {
        person: None,
        cohort: i.cohort.clone(),
        starts_on: date_change(&i.starts_on),
        ends_on: date_change(&i.ends_on),
        activities: maybe(&i.activities),
    }
}

fn not_found<T>(refused: impl FnOnce(Problems, entity::Lang) -> T, lang: entity::Lang) -> T {
    refused(Problems::one(&["input", "id"], Problem::NotFound), lang)
}

#[Object]
impl PartnershipMutation {
    /// Records a head of region's term.
    async fn create_head_of_region_term(
        &self,
        ctx: &Context<'_>,
        input: CreateHeadOfRegionTermInput,
    ) -> Result<HeadOfRegionTermPayload> {
        let input = HeadOfRegionTermInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createHeadOfRegionTerm", &input.id)?;
        let spec = Create {
            mutation: "createHeadOfRegionTerm",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: Problems::new(),
        };
        let f = term_fields(&input);
        let result = acting(ctx, &viewer, async |act| {
            domain::term::create(act, member, spec, f).await
        })
        .await;
        let cmid = input.client_mutation_id.clone();
        HeadOfRegionTermPayload::of(result, cmid, ctx.lang(), HeadOfRegionTerm)
    }

    async fn update_head_of_region_term(
        &self,
        ctx: &Context<'_>,
        input: UpdateHeadOfRegionTermInput,
    ) -> Result<HeadOfRegionTermPayload> {
        let input = HeadOfRegionTermInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<term::Entity>(ctx, "updateHeadOfRegionTerm", &input.id)
                .await?
        else {
            return Ok(not_found(HeadOfRegionTermPayload::refused, lang));
        };
        let mut p = Problems::new();
        let version = need(&mut p, "version", &input.version).unwrap_or(0);
        let f = term_fields(&input);
        let result = acting(ctx, &viewer, async |act| {
            domain::term::update(act, &current, version, p, f).await
        })
        .await;
        HeadOfRegionTermPayload::of(result, None, lang, HeadOfRegionTerm)
    }

    async fn delete_head_of_region_term(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<term::Entity>(ctx, "deleteHeadOfRegionTerm", &input.id)
                .await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::term::delete(act, &current, input.version).await
        })
        .await;
        DeletePayload::of(result, input.id, lang)
    }

    /// Records a person's place in an organisation or a body (team, forum, secretariat).
    async fn create_membership(
        &self,
        ctx: &Context<'_>,
        input: CreateMembershipInput,
    ) -> Result<MembershipPayload> {
        let input = MembershipInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createMembership", &input.id)?;
        let mut p = Problems::new();
        let person = need(&mut p, "personId", &input.person_id)
            .and_then(|id| decode_opt(&mut p, "personId", Some(&id), person_gql::KIND));
        let f = domain::membership::MembershipFields {
            person,
            ..membership_fields(&mut p, &input)
        };
        let spec = Create {
            mutation: "createMembership",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::membership::create(act, member, spec, f).await
        })
        .await;
        let cmid = input.client_mutation_id.clone();
        MembershipPayload::of(result, cmid, ctx.lang(), Membership)
    }

    async fn update_membership(
        &self,
        ctx: &Context<'_>,
        input: UpdateMembershipInput,
    ) -> Result<MembershipPayload> {
        let input = MembershipInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<membership::Entity>(ctx, "updateMembership", &input.id)
                .await?
        else {
            return Ok(not_found(MembershipPayload::refused, lang));
        };
        let mut p = Problems::new();
        let version = need(&mut p, "version", &input.version).unwrap_or(0);
        let f = membership_fields(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::membership::update(act, &current, version, p, f).await
        })
        .await;
        MembershipPayload::of(result, None, lang, Membership)
    }

    async fn delete_membership(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<membership::Entity>(ctx, "deleteMembership", &input.id)
                .await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::membership::delete(act, &current, input.version).await
        })
        .await;
        DeletePayload::of(result, input.id, lang)
    }

    /// Sets up the secretariat (one per member: a second is refused).
    async fn create_secretariat(
        &self,
        ctx: &Context<'_>,
        input: CreateSecretariatInput,
    ) -> Result<SecretariatPayload> {
        let input = SecretariatInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createSecretariat", &input.id)?;
        let mut p = Problems::new();
        let f = secretariat_fields(&mut p, &input);
        let spec = Create {
            mutation: "createSecretariat",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::secretariat::create(act, member, spec, f).await
        })
        .await;
        let cmid = input.client_mutation_id.clone();
        SecretariatPayload::of(result, cmid, ctx.lang(), Secretariat)
    }

    async fn update_secretariat(
        &self,
        ctx: &Context<'_>,
        input: UpdateSecretariatInput,
    ) -> Result<SecretariatPayload> {
        let input = SecretariatInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<secretariat::Entity>(ctx, "updateSecretariat", &input.id)
                .await?
        else {
            return Ok(not_found(SecretariatPayload::refused, lang));
        };
        let mut p = Problems::new();
        let version = need(&mut p, "version", &input.version).unwrap_or(0);
        let f = secretariat_fields(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::secretariat::update(act, &current, version, p, f).await
        })
        .await;
        SecretariatPayload::of(result, None, lang, Secretariat)
    }

    /// Adds a youth ambassador (*Duta OGP*).
    async fn create_ambassador(
        &self,
        ctx: &Context<'_>,
        input: CreateAmbassadorInput,
    ) -> Result<AmbassadorPayload> {
        let input = AmbassadorInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createAmbassador", &input.id)?;
        let mut p = Problems::new();
        let person = need(&mut p, "personId", &input.person_id)
            .and_then(|id| decode_opt(&mut p, "personId", Some(&id), person_gql::KIND));
        let f = domain::ambassador::AmbassadorFields {
            person,
            ..ambassador_fields(&input)
        };
        let spec = Create {
            mutation: "createAmbassador",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::ambassador::create(act, member, spec, f).await
        })
        .await;
        let cmid = input.client_mutation_id.clone();
        AmbassadorPayload::of(result, cmid, ctx.lang(), Ambassador)
    }

    async fn update_ambassador(
        &self,
        ctx: &Context<'_>,
        input: UpdateAmbassadorInput,
    ) -> Result<AmbassadorPayload> {
        let input = AmbassadorInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<ambassador::Entity>(ctx, "updateAmbassador", &input.id)
                .await?
        else {
            return Ok(not_found(AmbassadorPayload::refused, lang));
        };
        let mut p = Problems::new();
        let version = need(&mut p, "version", &input.version).unwrap_or(0);
        let f = ambassador_fields(&input);
        let result = acting(ctx, &viewer, async |act| {
            domain::ambassador::update(act, &current, version, p, f).await
        })
        .await;
        AmbassadorPayload::of(result, None, lang, Ambassador)
    }

    async fn delete_ambassador(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<ambassador::Entity>(ctx, "deleteAmbassador", &input.id)
                .await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::ambassador::delete(act, &current, input.version).await
        })
        .await;
        DeletePayload::of(result, input.id, lang)
    }
}

/// The member's partnership, reached from `Member`.
pub async fn heads_of_region(
    ctx: &Context<'_>,
    member: uuid::Uuid,
) -> Result<Vec<HeadOfRegionTerm>> {
    Ok(term::Entity::find()
        .filter(term::Column::MemberId.eq(member))
        .order_by_asc(term::Column::InauguratedOn)
        .order_by_asc(term::Column::ElectedOn)
        .all(ctx.db())
        .await?
        .into_iter()
        .map(HeadOfRegionTerm)
        .collect())
}

pub async fn secretariat_of(ctx: &Context<'_>, member: uuid::Uuid) -> Result<Option<Secretariat>> {
    Ok(secretariat::Entity::find()
        .filter(secretariat::Column::MemberId.eq(member))
        .one(ctx.db())
        .await?
        .map(Secretariat))
}

pub async fn ambassadors_of(ctx: &Context<'_>, member: uuid::Uuid) -> Result<Vec<Ambassador>> {
    Ok(ambassador::Entity::find()
        .filter(ambassador::Column::MemberId.eq(member))
        .all(ctx.db())
        .await?
        .into_iter()
        .map(Ambassador)
        .collect())
}

pub async fn memberships_of(
    ctx: &Context<'_>,
    member: uuid::Uuid,
    body: Option<Body>,
) -> Result<Vec<Membership>> {
    let mut q = membership::Entity::find().filter(membership::Column::MemberId.eq(member));
    if let Some(b) = body {
        q = q.filter(membership::Column::Body.eq(b));
    }
    Ok(q.all(ctx.db()).await?.into_iter().map(Membership).collect())
}
