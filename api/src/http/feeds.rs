//! The news as feeds and pages at stable addresses: `GET /feeds/{member}/news.rss` (RSS 2.0),
//! `GET /feeds/{member}/news.atom` (Atom 1.0) and `GET /news/{member}/{slug}` (the post as a
//! plain HTML page the feed items link to). Only published posts, newest first; times in
//! RFC 822 / RFC 3339 with the member's offset (WIB for Bojonegoro).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::publication::{self, PublicationStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::HttpState;

/// Posts in a feed.
const FEED_ITEMS: u64 = 50;

use super::pages::shell;
pub use super::pages::{escape, not_found as html_not_found};

struct Feed {
    member: entity::member::Model,
    posts: Vec<publication::Model>,
    base: String,
}

impl Feed {
    fn tz(&self) -> Tz {
        self.member.tz()
    }
    fn home(&self) -> String {
        format!("{}/news/{}", self.base, self.member.slug)
    }
    fn link(&self, p: &publication::Model) -> String {
        format!("{}/news/{}/{}", self.base, self.member.slug, p.slug)
    }
    fn updated(&self) -> DateTime<Utc> {
        self.posts
            .iter()
            .filter_map(|p| p.published_at)
            .max()
            .unwrap_or(self.member.created_at)
    }
}

fn fail(e: sea_orm::DbErr) -> Response {
    tracing::error!(error = %e, "feed");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

pub(super) async fn member_by_slug(
    state: &HttpState,
    slug: &str,
) -> Result<entity::member::Model, Response> {
    entity::member::Entity::find()
        .filter(entity::member::Column::Slug.eq(slug))
        .one(&state.app.db)
        .await
        .map_err(fail)?
        .ok_or_else(|| StatusCode::NOT_FOUND.into_response())
}

pub(super) fn base(state: &HttpState) -> String {
    state
        .app
        .config
        .worker
        .public_url
        .trim_end_matches('/')
        .to_owned()
}

async fn load(state: &HttpState, slug: &str) -> Result<Feed, Response> {
    let db = &state.app.db;
    let member = member_by_slug(state, slug).await?;
    let now = state.app.clock.now();
    let posts = publication::Entity::find()
        .filter(publication::Column::MemberId.eq(member.id))
        .filter(publication::Column::Status.eq(PublicationStatus::Published))
        .filter(publication::Column::PublishedAt.lte(now))
        .order_by_desc(publication::Column::PublishedAt)
        .order_by_desc(publication::Column::Id)
        .limit(FEED_ITEMS)
        .all(db)
        .await
        .map_err(fail)?;
    Ok(Feed {
        member,
        posts,
        base: state
            .app
            .config
            .worker
            .public_url
            .trim_end_matches('/')
            .to_owned(),
    })
}

/// The first paragraph, for a feed's summary.
fn summary(body: &str) -> &str {
    body.split("\n\n").next().unwrap_or(body).trim()
}

fn xml(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

pub async fn rss(State(state): State<HttpState>, Path(member): Path<String>) -> Response {
    let feed = match load(&state, &member).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let tz = feed.tz();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    out.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>id</language>\n",
        escape(&format!("Berita Pemerintahan Terbuka — {}", feed.member.name)),
        escape(&feed.home()),
        escape(&format!("Berita kemitraan Pemerintahan Terbuka {}", feed.member.name)),
    ));
    out.push_str(&format!(
        "<atom:link href=\"{}/feeds/{}/news.rss\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(&feed.base),
        escape(&feed.member.slug)
    ));
    out.push_str(&format!(
        "<lastBuildDate>{}</lastBuildDate>\n",
        feed.updated().with_timezone(&tz).to_rfc2822()
    ));
    for p in &feed.posts {
        let link = feed.link(p);
        out.push_str("<item>\n");
        out.push_str(&format!("<title>{}</title>\n", escape(&p.title)));
        out.push_str(&format!("<link>{}</link>\n", escape(&link)));
        out.push_str(&format!(
            "<guid isPermaLink=\"false\">urn:uuid:{}</guid>\n",
            p.id
        ));
        if let Some(at) = p.published_at {
            out.push_str(&format!(
                "<pubDate>{}</pubDate>\n",
                at.with_timezone(&tz).to_rfc2822()
            ));
        }
        if let Some(credit) = &p.author_credit {
            // RSS's <author> is an e-mail address; a credit line is Dublin Core's creator.
            out.push_str(&format!("<dc:creator>{}</dc:creator>\n", escape(credit)));
        }
        out.push_str(&format!(
            "<description>{}</description>\n",
            escape(summary(&p.body))
        ));
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    xml("application/rss+xml; charset=utf-8", out)
}

pub async fn atom(State(state): State<HttpState>, Path(member): Path<String>) -> Response {
    let feed = match load(&state, &member).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let tz = feed.tz();
    let now = state.app.clock.now();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"id\">\n");
    out.push_str(&format!(
        "<id>urn:uuid:{}</id>\n<title>{}</title>\n<updated>{}</updated>\n",
        feed.member.id,
        escape(&format!(
            "Berita Pemerintahan Terbuka — {}",
            feed.member.name
        )),
        feed.updated().with_timezone(&tz).to_rfc3339()
    ));
    out.push_str(&format!(
        "<link rel=\"alternate\" href=\"{}\"/>\n<link rel=\"self\" href=\"{}/feeds/{}/news.atom\"/>\n",
        escape(&feed.home()),
        escape(&feed.base),
        escape(&feed.member.slug)
    ));
    out.push_str(&format!(
        "<author><name>{}</name></author>\n",
        escape(&feed.member.name)
    ));
    for p in &feed.posts {
        let published = p.published_at.unwrap_or(p.created_at).with_timezone(&tz);
        out.push_str("<entry>\n");
        out.push_str(&format!("<id>urn:uuid:{}</id>\n", p.id));
        out.push_str(&format!("<title>{}</title>\n", escape(&p.title)));
        out.push_str(&format!(
            "<link rel=\"alternate\" href=\"{}\"/>\n",
            escape(&feed.link(p))
        ));
        // Its last change, by the record's own dates as the domain clock sees them: a change
        // stamped after "now" (records loaded by a later real clock than the story's) is not
        // news of the post.
        let published_utc = published.with_timezone(&Utc);
        let updated = if p.updated_at > now {
            published_utc
        } else {
            p.updated_at.max(published_utc)
        };
        out.push_str(&format!(
            "<published>{}</published>\n<updated>{}</updated>\n",
            published.to_rfc3339(),
            updated.with_timezone(&tz).to_rfc3339()
        ));
        if let Some(credit) = &p.author_credit {
            out.push_str(&format!(
                "<author><name>{}</name></author>\n",
                escape(credit)
            ));
        }
        out.push_str(&format!(
            "<summary>{}</summary>\n<content type=\"text\">{}</content>\n",
            escape(summary(&p.body)),
            escape(&p.body)
        ));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    xml("application/atom+xml; charset=utf-8", out)
}

/// `GET /news/{member}`: the member's published posts, newest first (the feeds' site link).
pub async fn index(State(state): State<HttpState>, Path(member): Path<String>) -> Response {
    let feed = match load(&state, &member).await {
        Ok(f) => f,
        Err(r) if r.status() == StatusCode::NOT_FOUND => {
            return html_not_found("Pemerintah daerah ini tidak dikenal.");
        }
        Err(r) => return r,
    };
    let tz = feed.tz();
    let items: String = feed
        .posts
        .iter()
        .map(|p| {
            let when = p
                .published_at
                .map(|t| entity::i18n::long_datetime(t, tz, entity::Lang::Id))
                .unwrap_or_default();
            format!(
                "<li><a href=\"{href}\">{title}</a><br><small>{when} · {views} kali dibaca</small></li>",
                href = escape(&feed.link(p)),
                title = escape(&p.title),
                views = p.views,
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p>Belum ada berita.</p>".to_owned()
    } else {
        format!("<ul>{items}</ul>")
    };
    let title = format!("Berita Pemerintahan Terbuka — {}", feed.member.name);
    let head = format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{base}/feeds/{m}/news.atom\">\
         <link rel=\"alternate\" type=\"application/rss+xml\" href=\"{base}/feeds/{m}/news.rss\">",
        base = escape(&feed.base),
        m = escape(&feed.member.slug),
    );
    let body = format!(
        "<h1>{}</h1>{list}<p><small>Langganan: <a href=\"{base}/feeds/{m}/news.atom\">Atom</a> · \
         <a href=\"{base}/feeds/{m}/news.rss\">RSS</a></small></p>",
        escape(&title),
        base = escape(&feed.base),
        m = escape(&feed.member.slug),
    );
    super::pages::respond(
        StatusCode::OK,
        "public, max-age=300",
        shell(&title, &head, &body),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            super::escape("<b>\"Kang Yoto\" & 'Mu'awanah'</b>\u{1}"),
            "&lt;b&gt;&quot;Kang Yoto&quot; &amp; &#39;Mu&#39;awanah&#39;&lt;/b&gt;"
        );
    }
}
