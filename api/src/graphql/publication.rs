//! News posts: written by the secretariat, public once published, counted as they are read,
//! and answered by a satisfaction poll with one vote per visitor.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::Refusal;
use entity::news::VoteRefused;
use entity::publication::{self, PublicationStatus, Satisfaction};
use entity::{Problem, Problems};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::errors;
use super::event::{self as event_gql, Event};
use super::ids;
use super::mutation::{DeleteInput, DeletePayload, UserError, decode_maybe, maybe, user_errors};
use super::pagination::{self, Conn, Page};
use super::policy;
use entity::news::posts as domain;

pub const KIND: &str = "Publication";

/// Votes one client may cast per minute (across posts).
use entity::news::VOTES_PER_MINUTE;

/// Public: published, and its publication time has come.
pub use entity::news::is_public;

pub fn sees(ctx: &Context<'_>, p: &publication::Model) -> bool {
    ctx.viewer().belongs_to(p.member_id) || is_public(p, ctx.app().clock.now())
}

pub async fn visible_publication(
    ctx: &Context<'_>,
    id: Uuid,
) -> Result<Option<publication::Model>> {
    Ok(publication::Entity::find_by_id(id)
        .one(ctx.db())
        .await?
        .filter(|p| sees(ctx, p)))
}

pub struct Publication(pub publication::Model);

/// One answer of a poll with its count and share.
#[derive(SimpleObject)]
pub struct PollOption {
    choice: Satisfaction,
    label: String,
    count: i32,
    /// Whole percent, summing to 100 over the options (largest remainder); none without votes.
    percent: Option<i32>,
}

#[derive(SimpleObject)]
pub struct Poll {
    question: String,
    total: i32,
    options: Vec<PollOption>,
}

async fn poll_of(ctx: &Context<'_>, p: &publication::Model) -> Result<Option<Poll>> {
    let lang = ctx.lang();
    Ok(entity::news::poll(ctx.db(), p).await?.map(|f| Poll {
        question: f.question,
        total: i32::try_from(f.total).unwrap_or(i32::MAX),
        options: f
            .answers
            .into_iter()
            .map(|a| PollOption {
                choice: a.choice,
                label: a.choice.label(lang).to_owned(),
                count: i32::try_from(a.count).unwrap_or(i32::MAX),
                percent: a.percent.map(|x| x as i32),
            })
            .collect(),
    }))
}

#[Object]
impl Publication {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<super::member::Member>> {
        Ok(ctx
            .loaders()
            .member
            .load_one(self.0.member_id)
            .await?
            .map(super::member::Member))
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn title_en(&self) -> Option<&str> {
        self.0.title_en.as_deref()
    }
    async fn body_en(&self) -> Option<&str> {
        self.0.body_en.as_deref()
    }
    /// The credit line as printed, e.g. "Nuty/Dinkominfo".
    async fn author_credit(&self) -> Option<&str> {
        self.0.author_credit.as_deref()
    }
    /// Who posted it, as shown (e.g. "Admin").
    async fn posted_by(&self) -> Option<&str> {
        self.0.posted_by.as_deref()
    }
    /// The event it reports on, where the viewer may see it.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(id) = self.0.event_id else {
            return Ok(None);
        };
        Ok(event_gql::visible_event(ctx, id).await?.map(Event))
    }
    async fn status(&self) -> PublicationStatus {
        self.0.status
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// How many times it was read.
    async fn views(&self) -> i32 {
        i32::try_from(self.0.views).unwrap_or(i32::MAX)
    }
    /// The satisfaction poll, when the post has one.
    async fn poll(&self, ctx: &Context<'_>) -> Result<Option<Poll>> {
        poll_of(ctx, &self.0).await
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

crate::payload!(PublicationPayload, publication: Publication, publication::Model);

/// What `createPublication` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreatePublicationInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    pub title: String,
    pub body: String,
    /// Default: made from the title.
    pub slug: Option<String>,
    pub title_en: Option<String>,
    pub body_en: Option<String>,
    pub author_credit: Option<String>,
    pub posted_by: Option<String>,
    pub event_id: Option<ID>,
    /// "Bagaimana Tanggapan Anda?"; null removes the poll.
    pub poll_question: Option<String>,
}

/// What `updatePublication` takes: the record at the version read; a field left out stays as it
/// is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdatePublicationInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub body: Option<String>,
    /// Default: made from the title.
    pub slug: Option<String>,
    pub title_en: MaybeUndefined<String>,
    pub body_en: MaybeUndefined<String>,
    pub author_credit: MaybeUndefined<String>,
    pub posted_by: MaybeUndefined<String>,
    pub event_id: MaybeUndefined<ID>,
    /// "Bagaimana Tanggapan Anda?"; null removes the poll.
    pub poll_question: MaybeUndefined<String>,
}

impl From<CreatePublicationInput> for PublicationInput {
    fn from(i: CreatePublicationInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            title: Some(i.title),
            body: Some(i.body),
            slug: i.slug,
            title_en: super::mutation::given(i.title_en),
            body_en: super::mutation::given(i.body_en),
            author_credit: super::mutation::given(i.author_credit),
            posted_by: super::mutation::given(i.posted_by),
            event_id: super::mutation::given(i.event_id),
            poll_question: super::mutation::given(i.poll_question),
        }
    }
}

impl From<UpdatePublicationInput> for PublicationInput {
    fn from(i: UpdatePublicationInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            title: i.title,
            body: i.body,
            slug: i.slug,
            title_en: i.title_en,
            body_en: i.body_en,
            author_credit: i.author_credit,
            posted_by: i.posted_by,
            event_id: i.event_id,
            poll_question: i.poll_question,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct PublicationInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the post (on update).
    pub id: ID,
    /// Required on update.
    pub version: Option<i32>,
    /// Required on create.
    pub title: Option<String>,
    /// Required on create.
    pub body: Option<String>,
    /// Default: made from the title.
    pub slug: Option<String>,
    pub title_en: MaybeUndefined<String>,
    pub body_en: MaybeUndefined<String>,
    pub author_credit: MaybeUndefined<String>,
    pub posted_by: MaybeUndefined<String>,
    pub event_id: MaybeUndefined<ID>,
    /// "Bagaimana Tanggapan Anda?"; null removes the poll.
    pub poll_question: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct TransitionPublicationInput {
    pub id: ID,
    pub version: i32,
    pub to: PublicationStatus,
}

#[derive(InputObject)]
pub struct RecordViewInput {
    pub publication_id: ID,
}

#[derive(SimpleObject)]
pub struct RecordViewPayload {
    /// The count after this view.
    views: Option<i32>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct VoteInput {
    pub publication_id: ID,
    pub choice: Satisfaction,
    /// The anonymous token the visitor's browser keeps (16–200 characters); only a keyed hash
    /// of it is stored.
    pub visitor_token: String,
}

#[derive(SimpleObject)]
pub struct VotePayload {
    poll: Option<Poll>,
    user_errors: Vec<UserError>,
}

/// The post's fields as the domain reads them, its ids decoded (problems in `p`).
fn fields(p: &mut Problems, input: &PublicationInput) -> domain::PostFields {
    domain::PostFields {
        title: input.title.clone(),
        body: input.body.clone(),
        slug: input.slug.clone(),
        title_en: maybe(&input.title_en),
        body_en: maybe(&input.body_en),
        author_credit: maybe(&input.author_credit),
        posted_by: maybe(&input.posted_by),
        event: decode_maybe(p, "eventId", &input.event_id, event_gql::KIND),
        poll_question: maybe(&input.poll_question),
    }
}

fn not_found(lang: entity::Lang) -> PublicationPayload {
    PublicationPayload::refused(Problems::one(&["input", "id"], Problem::NotFound), lang)
}

/// The keyed hash that stands for a visitor.
fn visitor_hash(ctx: &Context<'_>, token: &str) -> String {
    entity::news::visitor_hash(
        &ctx.app()
            .signer
            .derive(entity::news::VISITOR_PURPOSE, token),
    )
}

#[derive(Default)]
pub struct PublicationMutation;

#[Object]
impl PublicationMutation {
    /// Writes a news post (DRAFT).
    async fn create_publication(
        &self,
        ctx: &Context<'_>,
        input: CreatePublicationInput,
    ) -> Result<PublicationPayload> {
        let input = PublicationInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createPublication", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = fields(&mut p, &input);
        let spec = Create {
            mutation: "createPublication",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, f).await
        })
        .await;
        PublicationPayload::of(result, input.client_mutation_id.clone(), lang, Publication)
    }

    async fn update_publication(
        &self,
        ctx: &Context<'_>,
        input: UpdatePublicationInput,
    ) -> Result<PublicationPayload> {
        let input = PublicationInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<publication::Entity>(ctx, "updatePublication", &input.id)
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
        PublicationPayload::of(result, None, lang, Publication)
    }

    /// DRAFT → PUBLISHED (public from now on, or from its earlier publication time) →
    /// WITHDRAWN → PUBLISHED / DRAFT.
    async fn transition_publication(
        &self,
        ctx: &Context<'_>,
        input: TransitionPublicationInput,
    ) -> Result<PublicationPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<publication::Entity>(ctx, "transitionPublication", &input.id)
                .await?
        else {
            return Ok(not_found(lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(act, &current, input.version, input.to).await
        })
        .await;
        PublicationPayload::of(result, None, lang, Publication)
    }

    /// Deletes a post that was never published.
    async fn delete_publication(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<publication::Entity>(ctx, "deletePublication", &input.id)
                .await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        DeletePayload::of(
            acting(ctx, &viewer, async |act| {
                domain::delete(act, &current, input.version).await
            })
            .await,
            input.id,
            lang,
        )
    }

    /// Counts one reading of a public post (in the database, so no increment is lost
    /// whatever the number of api processes).
    async fn record_view(
        &self,
        ctx: &Context<'_>,
        input: RecordViewInput,
    ) -> Result<RecordViewPayload> {
        policy::gate(ctx, "recordView")?;
        let lang = ctx.lang();
        let refused = || RecordViewPayload {
            views: None,
            user_errors: user_errors(
                Problems::one(&["input", "publicationId"], Problem::NotFound),
                lang,
            ),
        };
        let Some(id) = ids::decode_as(&input.publication_id, KIND) else {
            return Ok(refused());
        };
        let views = entity::news::record_view(ctx.db(), id, ctx.app().clock.now()).await?;
        Ok(match views {
            Some(v) => RecordViewPayload {
                views: Some(i32::try_from(v).unwrap_or(i32::MAX)),
                user_errors: vec![],
            },
            None => refused(),
        })
    }

    /// Answers a public post's poll: one vote per visitor (a second one is refused as
    /// DUPLICATE), at most 30 votes a minute per client.
    async fn vote_poll(&self, ctx: &Context<'_>, input: VoteInput) -> Result<VotePayload> {
        policy::gate(ctx, "votePoll")?;
        let lang = ctx.lang();
        let app = ctx.app();
        if !app.limiter.allow(
            &ctx.meta().client,
            "votePoll",
            VOTES_PER_MINUTE,
            app.clock.now(),
        ) {
            return Err(errors::rate_limited(lang));
        }
        let refuse = |field: &str, problem: Problem| VotePayload {
            poll: None,
            user_errors: user_errors(Problems::one(&["input", field], problem), lang),
        };
        let token = input.visitor_token.trim();
        if !(16..=200).contains(&token.chars().count()) {
            return Ok(refuse(
                "visitorToken",
                Problem::OutOfRange {
                    min: "16".into(),
                    max: "200".into(),
                },
            ));
        }
        let found = match ids::decode_as(&input.publication_id, KIND) {
            Some(id) => publication::Entity::find_by_id(id).one(ctx.db()).await?,
            None => None,
        };
        let Some(post) = found.filter(|p| is_public(p, app.clock.now())) else {
            return Ok(refuse("publicationId", Problem::NotFound));
        };
        let hash = visitor_hash(ctx, token);
        match entity::news::vote(ctx.db(), &post, &hash, input.choice, app.clock.now()).await? {
            Ok(()) => {}
            Err(VoteRefused::NoSuchPost) => return Ok(refuse("publicationId", Problem::NotFound)),
            Err(VoteRefused::NoPoll) => {
                return Ok(refuse(
                    "publicationId",
                    Problem::Refused(Refusal::PostHasNoPoll),
                ));
            }
            Err(VoteRefused::AlreadyVoted) => {
                return Ok(refuse("visitorToken", Problem::Duplicate));
            }
        }
        Ok(VotePayload {
            poll: poll_of(ctx, &post).await?,
            user_errors: vec![],
        })
    }
}

#[derive(Default)]
pub struct PublicationQuery;

#[Object]
impl PublicationQuery {
    /// A member's news posts, newest first (the public sees the published ones).
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn publications(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        status: Option<PublicationStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Publication>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        let page = Page::from_args(ctx, first, after, last, before)?;
        let mut select =
            publication::Entity::find().filter(publication::Column::MemberId.eq(member));
        if !ctx.viewer().belongs_to(member) {
            select = select
                .filter(publication::Column::Status.eq(PublicationStatus::Published))
                .filter(publication::Column::PublishedAt.lte(ctx.app().clock.now()));
        }
        if let Some(status) = status {
            select = select.filter(publication::Column::Status.eq(status));
        }
        Ok(pagination::page_in_order(ctx.db(), select, page, true, Publication).await?)
    }

    /// One post by its member's slug and its own.
    async fn publication(
        &self,
        ctx: &Context<'_>,
        member_slug: String,
        slug: String,
    ) -> Result<Publication> {
        let lang = ctx.lang();
        let member = entity::member::Entity::find()
            .filter(entity::member::Column::Slug.eq(member_slug))
            .one(ctx.db())
            .await?
            .ok_or_else(|| errors::not_found(lang))?;
        publication::Entity::find()
            .filter(publication::Column::MemberId.eq(member.id))
            .filter(publication::Column::Slug.eq(slug))
            .one(ctx.db())
            .await?
            .filter(|p| sees(ctx, p))
            .map(Publication)
            .ok_or_else(|| errors::not_found(lang))
    }
}
