//! The partnership's website and social-media accounts (`OnlineChannel`): what the public can
//! follow, and who runs each. Planned channels are for the partnership's own people; active
//! and retired ones are public.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::online_channel::{self, ChannelKind, ChannelStatus};
use entity::{Problem, Problems};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{DeleteInput, DeletePayload, decode_maybe, maybe};
use super::organisation::{self as org_gql, Organisation};
use super::policy;
use entity::partnership::channel as domain;

pub const KIND: &str = "OnlineChannel";

/// The most channels a member lists.
const MAX_CHANNELS: u64 = 100;

pub struct OnlineChannel(pub online_channel::Model);

#[Object]
impl OnlineChannel {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn kind(&self) -> ChannelKind {
        self.0.kind
    }
    /// "Pemerintahan Terbuka Bojonegoro".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The account name as people search for it, e.g. "@ogpbojonegoro".
    async fn handle(&self) -> Option<&str> {
        self.0.handle.as_deref()
    }
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// The organisation that runs it.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    async fn status(&self) -> ChannelStatus {
        self.0.status
    }
    /// What it is for.
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A member's channels in their order: the public sees the active and retired ones.
pub async fn channels_of(ctx: &Context<'_>, member: Uuid) -> Result<Vec<OnlineChannel>> {
    let mut select = online_channel::Entity::find()
        .filter(online_channel::Column::MemberId.eq(member))
        .order_by_asc(online_channel::Column::Ordinal)
        .order_by_asc(online_channel::Column::Id);
    if !ctx.viewer().belongs_to(member) {
        select = select.filter(online_channel::Column::Status.ne(ChannelStatus::Planned));
    }
    use sea_orm::QuerySelect;
    Ok(select
        .limit(MAX_CHANNELS)
        .all(ctx.db())
        .await?
        .into_iter()
        .map(OnlineChannel)
        .collect())
}

crate::payload!(OnlineChannelPayload, online_channel: OnlineChannel, online_channel::Model);

/// What `createOnlineChannel` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateOnlineChannelInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub kind: ChannelKind,
    pub name: String,
    pub handle: Option<String>,
    /// http(s); required for an ACTIVE channel.
    pub url: Option<String>,
    pub organisation_id: Option<ID>,
    /// Default: PLANNED.
    pub status: Option<ChannelStatus>,
    pub purpose: Option<String>,
    pub ordinal: Option<i32>,
}

/// What `updateOnlineChannel` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateOnlineChannelInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<ChannelKind>,
    pub name: Option<String>,
    pub handle: MaybeUndefined<String>,
    /// http(s); required for an ACTIVE channel.
    pub url: MaybeUndefined<String>,
    pub organisation_id: MaybeUndefined<ID>,
    /// Default: PLANNED.
    pub status: Option<ChannelStatus>,
    pub purpose: MaybeUndefined<String>,
    pub ordinal: Option<i32>,
}

impl From<CreateOnlineChannelInput> for OnlineChannelInput {
    fn from(i: CreateOnlineChannelInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            kind: Some(i.kind),
            name: Some(i.name),
            handle: super::mutation::given(i.handle),
            url: super::mutation::given(i.url),
            organisation_id: super::mutation::given(i.organisation_id),
            status: i.status,
            purpose: super::mutation::given(i.purpose),
            ordinal: i.ordinal,
        }
    }
}

impl From<UpdateOnlineChannelInput> for OnlineChannelInput {
    fn from(i: UpdateOnlineChannelInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            kind: i.kind,
            name: i.name,
            handle: i.handle,
            url: i.url,
            organisation_id: i.organisation_id,
            status: i.status,
            purpose: i.purpose,
            ordinal: i.ordinal,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct OnlineChannelInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the channel (on update).
    pub id: ID,
    /// Required on update.
    pub version: Option<i32>,
    /// Required on create.
    pub kind: Option<ChannelKind>,
    /// Required on create.
    pub name: Option<String>,
    pub handle: MaybeUndefined<String>,
    /// http(s); required for an ACTIVE channel.
    pub url: MaybeUndefined<String>,
    pub organisation_id: MaybeUndefined<ID>,
    /// Default: PLANNED.
    pub status: Option<ChannelStatus>,
    pub purpose: MaybeUndefined<String>,
    pub ordinal: Option<i32>,
}

/// The channel's fields as the domain reads them, its ids decoded (problems in `p`).
fn fields(p: &mut Problems, input: &OnlineChannelInput) -> domain::ChannelFields {
    domain::ChannelFields {
        kind: input.kind,
        name: input.name.clone(),
        handle: maybe(&input.handle),
        url: maybe(&input.url),
        organisation: decode_maybe(p, "organisationId", &input.organisation_id, org_gql::KIND),
        status: input.status,
        purpose: maybe(&input.purpose),
        ordinal: input.ordinal,
    }
}

fn not_found(lang: entity::Lang) -> OnlineChannelPayload {
    OnlineChannelPayload::refused(Problems::one(&["input", "id"], Problem::NotFound), lang)
}

#[derive(Default)]
pub struct ChannelMutation;

#[Object]
impl ChannelMutation {
    /// Adds a website or social-media account of the partnership.
    async fn create_online_channel(
        &self,
        ctx: &Context<'_>,
        input: CreateOnlineChannelInput,
    ) -> Result<OnlineChannelPayload> {
        let input = OnlineChannelInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createOnlineChannel", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = fields(&mut p, &input);
        let spec = Create {
            mutation: "createOnlineChannel",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, f).await
        })
        .await;
        OnlineChannelPayload::of(
            result,
            input.client_mutation_id.clone(),
            lang,
            OnlineChannel,
        )
    }

    /// Changes a channel: its address, who runs it, PLANNED / ACTIVE / RETIRED.
    async fn update_online_channel(
        &self,
        ctx: &Context<'_>,
        input: UpdateOnlineChannelInput,
    ) -> Result<OnlineChannelPayload> {
        let input = OnlineChannelInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<online_channel::Entity>(ctx, "updateOnlineChannel", &input.id)
                .await?
        else {
            return Ok(not_found(lang));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        let f = fields(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, version, p, f).await
        })
        .await;
        OnlineChannelPayload::of(result, None, lang, OnlineChannel)
    }

    async fn delete_online_channel(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<online_channel::Entity>(ctx, "deleteOnlineChannel", &input.id)
                .await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::delete(act, &current, input.version).await
        })
        .await;
        DeletePayload::of(result, input.id.clone(), lang)
    }
}
