//! OGP member governments: who takes part (a nation, a province, a regency, a city).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::member::{self, MemberLevel};
use entity::{Problem, Problems};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{Create, acting};
use super::errors;
use super::ids;
use super::loaders::OrganisationFilter;
use super::mutation::{UserError, given, maybe, maybe_ref, settle, user_errors};
use super::organisation::Organisation;
use super::pagination::{self, ChildPageKey, Conn, Page, TotalCount};
use super::policy;
use super::scalars::Date;
use entity::partnership::member::{self as domain, MemberFields};

pub const KIND: &str = "Member";

/// An OGP member government.
pub struct Member(pub member::Model);

#[Object]
impl Member {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    /// Short name used in public URLs.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn level(&self) -> MemberLevel {
        self.0.level
    }
    /// The government this one is part of (Bojonegoro → Indonesia).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        let Some(pid) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(ctx.loaders().member.load_one(pid).await?.map(Member))
    }
    /// IANA time zone in which dates are shown and periods are counted.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// When it joined OGP (day precision where known).
    async fn ogp_member_since(&self) -> Option<Date> {
        self.0.ogp_member_since.map(Date)
    }
    /// The member's OGP website (MR 2.1).
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// The public document repository (MR 2.2).
    async fn repository_url(&self) -> Option<&str> {
        self.0.repository_url.as_deref()
    }
    /// Heads of region (Bupati, Wali Kota, Gubernur) and their terms.
    async fn heads_of_region(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::partnership::HeadOfRegionTerm>> {
        super::partnership::heads_of_region(ctx, self.0.id).await
    }
    /// The decrees (SK) the viewer may see.
    async fn decrees(&self, ctx: &Context<'_>) -> Result<Vec<super::decree::Decree>> {
        super::decree::decrees_of(ctx, self.0.id).await
    }
    /// The partnership team as it stood on a day (today by default): the decree in force and
    /// its appendix.
    async fn team(&self, ctx: &Context<'_>, on: Option<Date>) -> Result<super::decree::TeamOnDate> {
        let day = match on {
            Some(d) => d.0,
            None => super::visibility::today(ctx, self.0.id).await,
        };
        super::decree::team_on(ctx, self.0.id, day).await
    }
    /// The team's secretariat.
    async fn secretariat(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::partnership::Secretariat>> {
        super::partnership::secretariat_of(ctx, self.0.id).await
    }
    /// Youth ambassadors (*Duta OGP*).
    async fn ambassadors(&self, ctx: &Context<'_>) -> Result<Vec<super::partnership::Ambassador>> {
        super::partnership::ambassadors_of(ctx, self.0.id).await
    }
    /// The partnership's website and social-media accounts (planned ones for its own people).
    async fn online_channels(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::channel::OnlineChannel>> {
        super::channel::channels_of(ctx, self.0.id).await
    }
    /// Memberships in organisations and bodies (the partnership's own people).
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        body: Option<entity::membership::Body>,
    ) -> Result<Vec<super::partnership::Membership>> {
        policy::authorize(ctx, "memberships", Some(self.0.id))?;
        super::partnership::memberships_of(ctx, self.0.id, body).await
    }
    /// The organisations taking part in this member's partnership.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        kind: Option<entity::organisation::OrganisationKind>,
    ) -> Result<Conn<Organisation>> {
        let page = Page::from_args(ctx, first, after, last, before)?;
        let filter = OrganisationFilter { kind };
        let Page::Forward { limit, after } = page else {
            return Err(errors::bad_input(match ctx.lang() {
                entity::Lang::Id => "Daftar bertingkat hanya mendukung first/after.".into(),
                entity::Lang::En => "Nested lists support first/after only.".into(),
            }));
        };
        let key = ChildPageKey {
            parent: self.0.id,
            limit,
            after,
            filter: filter.clone(),
        };
        let (rows, more) = ctx
            .loaders()
            .organisations_by_member
            .load_one(key)
            .await?
            .unwrap_or_default();
        let counter = ctx.loaders().organisation_count_by_member.clone();
        let parent = self.0.id;
        let total = TotalCount::new(move || {
            let counter = counter.clone();
            let filter = filter.clone();
            async move { Ok(counter.load_one((parent, filter)).await?.unwrap_or(0)) }
        });
        Ok(pagination::child_connection::<
            entity::organisation::Entity,
            _,
        >(rows, more, after, total, Organisation))
    }
    /// One of this member's organisations; another member's id is not found here.
    async fn organisation(&self, ctx: &Context<'_>, id: ID) -> Result<Organisation> {
        let found = match ids::decode_as(&id, super::organisation::KIND) {
            Some(oid) => ctx.loaders().organisation.load_one(oid).await?,
            None => None,
        };
        match found {
            Some(o) if o.member_id == self.0.id => Ok(Organisation(o)),
            _ => Err(errors::not_found(ctx.lang())),
        }
    }
    async fn created_at(&self) -> chrono::DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> chrono::DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases with every change; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    /// Every member government served here.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        level: Option<MemberLevel>,
    ) -> Result<Conn<Member>> {
        let page = Page::from_args(ctx, first, after, last, before)?;
        let mut select = member::Entity::find();
        if let Some(level) = level {
            select = select.filter(member::Column::Level.eq(level));
        }
        if let Some(asked) = super::compiled::organisations_of_members(&ctx.field())
            && ctx.app().config.compiled_reads
        {
            let read = |q| with_organisations(ctx, q, asked);
            return Ok(pagination::page_read(ctx.db(), select, page, false, read, Member).await?);
        }
        Ok(pagination::page(ctx.db(), select, page, Member).await?)
    }

    /// A member by global id or by slug (`bojonegoro`).
    async fn member(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Member> {
        if let Some(asked) = super::compiled::organisations_of_member(&ctx.field())
            && ctx.app().config.compiled_reads
        {
            let select = match (&id, &slug) {
                (Some(id), _) => ids::decode_as(id, KIND).map(member::Entity::find_by_id),
                (None, Some(slug)) => Some(
                    member::Entity::find()
                        .filter(member::Column::Slug.eq(slug.trim().to_lowercase())),
                ),
                (None, None) => None,
            };
            if let Some(select) = select {
                return with_organisations(ctx, select, asked)
                    .await?
                    .into_iter()
                    .next()
                    .map(Member)
                    .ok_or_else(|| errors::not_found(ctx.lang()));
            }
        }
        let found = match (id, slug) {
            (Some(id), _) => match ids::decode_as(&id, KIND) {
                Some(uuid) => ctx.loaders().member.load_one(uuid).await?,
                None => None,
            },
            (None, Some(slug)) => {
                member::Entity::find()
                    .filter(member::Column::Slug.eq(slug.trim().to_lowercase()))
                    .one(ctx.db())
                    .await?
            }
            (None, None) => {
                return Err(errors::bad_input(match ctx.lang() {
                    entity::Lang::Id => "Sebutkan id atau slug.".into(),
                    entity::Lang::En => "Give an id or a slug.".into(),
                }));
            }
        };
        found
            .map(Member)
            .ok_or_else(|| errors::not_found(ctx.lang()))
    }
}

/// The members `select` finds, each with the page of its organisations the request asks
/// for and their count, read in one statement and handed to the request's loaders, which the
/// resolvers then find loaded.
async fn with_organisations(
    ctx: &Context<'_>,
    select: sea_orm::Select<member::Entity>,
    (page, kind, count): super::compiled::OrganisationsAsked,
) -> Result<Vec<member::Model>, sea_orm::DbErr> {
    use entity::nested::{ChildPage, with_child_page};
    use entity::organisation;
    let read = with_child_page(
        ctx.db(),
        select,
        &ChildPage::<organisation::Entity> {
            parent: organisation::Column::MemberId,
            limit: page.limit,
            after: page.after,
            only: kind.map(|k| {
                (
                    organisation::Column::Kind,
                    sea_orm::ActiveEnum::to_value(&k).into(),
                )
            }),
            count,
        },
    )
    .await?;
    let l = ctx.loaders();
    let filter = OrganisationFilter { kind };
    let mut members = Vec::with_capacity(read.len());
    for (m, organisations, total) in read {
        l.organisation
            .loader()
            .prime(organisations.0.iter().cloned());
        l.organisation_count_by_member
            .loader()
            .prime(total.map(|n| ((m.id, filter.clone()), n)));
        l.organisations_by_member.loader().prime([(
            ChildPageKey {
                parent: m.id,
                limit: page.limit,
                after: page.after,
                filter: filter.clone(),
            },
            organisations,
        )]);
        members.push(m);
    }
    l.member.loader().prime(members.iter().cloned());
    if !members.is_empty() {
        ctx.app().metrics.record_compiled_read("primed");
    }
    Ok(members)
}

#[derive(InputObject, Serialize)]
pub struct CreateMemberInput {
    /// Makes a retried request safe: the same id returns the member created the first time.
    pub client_mutation_id: Option<String>,
    pub name: String,
    /// Defaults to one made from the name.
    pub slug: Option<String>,
    pub level: MemberLevel,
    pub parent_id: Option<ID>,
    /// Defaults to Asia/Jakarta.
    pub time_zone: Option<String>,
    pub ogp_member_since: Option<Date>,
    /// The member's OGP website (MR 2.1).
    pub website_url: Option<String>,
    /// The public document repository (MR 2.2).
    pub repository_url: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateMemberPayload {
    pub client_mutation_id: Option<String>,
    pub member: Option<Member>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateMemberInput {
    pub id: ID,
    /// The version that was read; a newer one in the database means someone else changed it.
    pub version: i32,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub level: Option<MemberLevel>,
    pub parent_id: MaybeUndefined<ID>,
    pub time_zone: Option<String>,
    pub ogp_member_since: MaybeUndefined<Date>,
    pub website_url: MaybeUndefined<String>,
    pub repository_url: MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct UpdateMemberPayload {
    pub member: Option<Member>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct MemberMutation;

/// A parent member's id, decoded (`None` unchanged, `Some(None)` cleared).
fn decode_parent(problems: &mut Problems, parent: MaybeUndefined<&ID>) -> Option<Option<Uuid>> {
    match parent {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => match ids::decode_as(id, KIND) {
            Some(uuid) => Some(Some(uuid)),
            None => {
                problems.push(&["input", "parentId"], Problem::InvalidId);
                None
            }
        },
    }
}

#[Object]
impl MemberMutation {
    /// Adds a member government.
    async fn create_member(
        &self,
        ctx: &Context<'_>,
        input: CreateMemberInput,
    ) -> Result<CreateMemberPayload> {
        let viewer = policy::authorize(ctx, "createMember", None)?;
        let mut problems = Problems::new();
        let f = MemberFields {
            name: Some(input.name.clone()),
            slug: input.slug.clone(),
            level: Some(input.level),
            parent: decode_parent(&mut problems, given(input.parent_id.as_ref())),
            time_zone: input.time_zone.clone(),
            ogp_member_since: Some(input.ogp_member_since.map(|d| d.0)),
            website_url: input.website_url.clone().map(Some),
            repository_url: input.repository_url.clone().map(Some),
        };
        let spec = Create {
            mutation: "createMember",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems,
        };
        let result = acting(ctx, &viewer, async |act| domain::create(act, spec, f).await).await;
        let (member, user_errors) = settle(result, ctx.lang(), Member)?;
        Ok(CreateMemberPayload {
            client_mutation_id: input.client_mutation_id,
            member,
            user_errors,
        })
    }

    /// Changes a member government; `version` must be the one that was read.
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        input: UpdateMemberInput,
    ) -> Result<UpdateMemberPayload> {
        policy::gate(ctx, "updateMember")?;
        let lang = ctx.lang();
        let refused = |p: Problems| {
            Ok(UpdateMemberPayload {
                member: None,
                user_errors: user_errors(p, lang),
            })
        };
        let Some(id) = ids::decode_as(&input.id, KIND) else {
            return refused(Problems::one(&["input", "id"], Problem::InvalidId));
        };
        let viewer = policy::authorize(ctx, "updateMember", Some(id))?;
        let Some(current) = member::Entity::find_by_id(id).one(ctx.db()).await? else {
            return refused(Problems::one(&["input", "id"], Problem::NotFound));
        };
        let mut problems = Problems::new();
        let f = MemberFields {
            name: input.name.clone(),
            slug: input.slug.clone(),
            level: input.level,
            parent: decode_parent(&mut problems, maybe_ref(&input.parent_id)),
            time_zone: input.time_zone.clone(),
            ogp_member_since: maybe(&input.ogp_member_since).map(|d| d.map(|d| d.0)),
            website_url: maybe(&input.website_url),
            repository_url: maybe(&input.repository_url),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, problems, f).await
        })
        .await;
        let (member, user_errors) = settle(result, lang, Member)?;
        Ok(UpdateMemberPayload {
            member,
            user_errors,
        })
    }
}
