//! News posts as the public meets them: hidden until published, counted on every reading
//! (1,000 concurrent views through two api processes count 1,000), the satisfaction poll with
//! one vote per visitor and percentages that sum to 100, and RSS/Atom feeds that a feed parser
//! reads.

use futures::StreamExt;
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

const POLL: &str = "poll { question total options { choice label count percent } }";

async fn demo_post(app: &TestApp) -> Value {
    app.gql_as(
        None,
        &format!(
            r#"{{ publication(memberSlug: "bojonegoro", slug: "pembahasan-persiapan-penyusunan-renaksi-ogp-daerah") {{
                 id title authorCredit postedBy publishedAt views event {{ title status followUps {{ description }} }} {POLL} }} }}"#
        ),
        json!({}),
    )
    .await["data"]["publication"]
        .clone()
}

fn percents(post: &Value) -> Vec<i64> {
    post["poll"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["percent"].as_i64().unwrap())
        .collect()
}

async fn vote(app: &TestApp, post: &Value, choice: &str, visitor: &str) -> Value {
    app.mutate_as(
        None,
        "votePoll",
        "VoteInput",
        &format!("{POLL} userErrors {{ field code message }}"),
        json!({"publicationId": post["id"], "choice": choice, "visitorToken": visitor}),
    )
    .await
}

#[tokio::test]
async fn the_demo_post_has_its_views_and_poll_and_one_more_vote_moves_the_percentages() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let post = demo_post(&app).await;
    assert_eq!(post["authorCredit"], "Nuty/Dinkominfo");
    assert_eq!(post["postedBy"], "Admin");
    assert_eq!(post["views"], 305);
    // 1 July 2018, 00:00 WIB.
    assert_eq!(post["publishedAt"], "2018-06-30T17:00:00+00:00");
    assert_eq!(post["poll"]["question"], "Bagaimana Tanggapan Anda?");
    assert_eq!(post["poll"]["total"], 17);
    assert_eq!(percents(&post), [76, 6, 6, 12]);
    assert_eq!(post["poll"]["options"][0]["label"], "Sangat Puas");
    // The meeting it reports, with the follow-ups the article lists.
    assert_eq!(post["event"]["status"], "HELD");
    assert_eq!(post["event"]["followUps"].as_array().unwrap().len(), 13);

    // One more "Tidak Puas": 13/1/1/3 of 18 → 72/6/5/17.
    let voted = vote(&app, &post, "TIDAK_PUAS", "browser-token-0001-abcd").await;
    assert_eq!(voted["userErrors"], json!([]), "{voted}");
    assert_eq!(voted["poll"]["total"], 18);
    let after: Vec<i64> = voted["poll"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["percent"].as_i64().unwrap())
        .collect();
    assert_eq!(after, [72, 6, 5, 17]);
    assert_eq!(after.iter().sum::<i64>(), 100);

    // The same visitor cannot vote twice; a token too short is refused; nothing moves.
    let again = vote(&app, &post, "SANGAT_PUAS", "browser-token-0001-abcd").await;
    assert_eq!(
        again["userErrors"][0],
        json!({"field": ["input", "visitorToken"], "code": "DUPLICATE", "message": again["userErrors"][0]["message"]})
    );
    let short = vote(&app, &post, "SANGAT_PUAS", "x").await;
    assert_eq!(short["userErrors"][0]["code"], "OUT_OF_RANGE");
    assert_eq!(demo_post(&app).await["poll"]["total"], 18);

    // A view is counted and answered.
    let viewed = app
        .mutate_as(
            None,
            "recordView",
            "RecordViewInput",
            "views userErrors { code }",
            json!({"publicationId": post["id"]}),
        )
        .await;
    assert_eq!(viewed["views"], 306, "{viewed}");
    app.stop().await;
}

#[tokio::test]
async fn a_draft_is_hidden_and_uncounted_until_published() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (id, v) = make(
        &app,
        "createPublication",
        "CreatePublicationInput",
        "publication",
        json!({"memberId": member, "title": "Undangan Terbuka Penyusunan Renaksi", "body": "Masyarakat diundang …",
               "authorCredit": "Sekretariat", "pollQuestion": "Bagaimana Tanggapan Anda?"}),
    )
    .await;
    let by_slug = r#"{ publication(memberSlug: "bojonegoro", slug: "undangan-terbuka-penyusunan-renaksi") { title poll { total options { percent } } } }"#;
    let hidden = app.gql_as(None, by_slug, json!({})).await;
    assert_eq!(hidden["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let view = json!({"publicationId": id});
    let uncounted = app
        .mutate_as(
            None,
            "recordView",
            "RecordViewInput",
            "views userErrors { field code }",
            view.clone(),
        )
        .await;
    assert_eq!(
        uncounted["userErrors"],
        json!([{"field": ["input", "publicationId"], "code": "NOT_FOUND"}])
    );
    let p = app
        .mutate_as(
            Some(&app.operator),
            "transitionPublication",
            "TransitionPublicationInput",
            "publication { status publishedAt } userErrors { code }",
            json!({"id": id, "version": v, "to": "PUBLISHED"}),
        )
        .await;
    assert_eq!(p["publication"]["status"], "PUBLISHED", "{p}");
    assert_eq!(p["publication"]["publishedAt"], "2018-08-01T02:00:00+00:00");
    let shown = app.gql_as(None, by_slug, json!({})).await;
    assert_eq!(
        shown["data"]["publication"],
        json!({"title": "Undangan Terbuka Penyusunan Renaksi",
               "poll": {"total": 0, "options": [{"percent": null}, {"percent": null}, {"percent": null}, {"percent": null}]}})
    );
    // Published once, it can be withdrawn but not deleted.
    let d = app
        .mutate_as(
            Some(&app.operator),
            "deletePublication",
            "DeleteInput",
            "deletedId userErrors { code }",
            json!({"id": id, "version": 2}),
        )
        .await;
    assert_eq!(d["userErrors"][0]["code"], "PUBLISHED_POST_KEPT", "{d}");
    app.stop().await;
}

#[tokio::test]
async fn a_thousand_concurrent_views_through_two_api_processes_count_a_thousand() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (id, v) = make(
        &app,
        "createPublication",
        "CreatePublicationInput",
        "publication",
        json!({"memberId": member, "title": "Berita", "body": "Isi berita."}),
    )
    .await;
    app.mutate_as(
        Some(&app.operator),
        "transitionPublication",
        "TransitionPublicationInput",
        "userErrors { code }",
        json!({"id": id, "version": v, "to": "PUBLISHED"}),
    )
    .await;
    let (mut second, addr) = crate::process::serve(&app.env).await;
    let bases = [app.base.clone(), format!("http://{addr}")];
    let client = reqwest::Client::new();
    let body = json!({
        "query": "mutation($i: RecordViewInput!) { recordView(input: $i) { views userErrors { code } } }",
        "variables": {"i": {"publicationId": id}},
    });
    let answers: Vec<(u16, Value)> = futures::stream::iter(0..1000)
        .map(|i| {
            let (client, url, body) = (
                client.clone(),
                format!("{}/graphql", bases[i % 2]),
                body.clone(),
            );
            async move {
                let res = client.post(url).json(&body).send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    second.kill().ok();
    second.wait().ok();
    let failed: Vec<_> = answers
        .iter()
        .filter(|(s, v)| *s != 200 || v["data"]["recordView"]["views"].as_i64().is_none())
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    // Every answer saw a different count: no two increments collapsed into one.
    let mut seen: Vec<i64> = answers
        .iter()
        .map(|(_, v)| v["data"]["recordView"]["views"].as_i64().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 1000);
    let total = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Publication { views } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(total["node"]["views"], 1000);
    app.stop().await;
}

#[tokio::test]
async fn the_news_feeds_parse_and_link_to_the_post() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    for (read, path) in ["/feeds/bojonegoro/news.rss", "/feeds/bojonegoro/news.atom"]
        .into_iter()
        .enumerate()
    {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            kind.starts_with("application/") && kind.contains("xml"),
            "{kind}"
        );
        let body = res.bytes().await.unwrap();
        let feed = feed_rs::parser::parse(&body[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(feed.entries.len(), 1, "{path}");
        let entry = &feed.entries[0];
        assert_eq!(
            entry.title.as_ref().unwrap().content,
            "Pembahasan Persiapan Penyusunan Renaksi OGP Daerah"
        );
        assert_eq!(
            entry.published.unwrap().to_rfc3339(),
            "2018-06-30T17:00:00+00:00",
            "{path}: 1 July 2018 00:00 WIB"
        );
        // Its last change is the record's own, as the story's clock sees it (not the day the
        // demo was loaded).
        if let Some(updated) = entry.updated {
            assert!(
                updated.to_rfc3339().starts_with("2018-"),
                "{path}: updated {updated}"
            );
        }
        let link = &entry.links[0].href;
        assert_eq!(
            link,
            "http://terbuka.test/news/bojonegoro/pembahasan-persiapan-penyusunan-renaksi-ogp-daerah"
        );
        assert!(
            entry.authors.iter().any(|a| a.name == "Nuty/Dinkominfo"),
            "{path}: {:?}",
            entry.authors
        );
        // The item's page is served here.
        let page = app
            .get(link.trim_start_matches("http://terbuka.test"))
            .await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Pembahasan Persiapan Penyusunan Renaksi OGP Daerah"));
        // Opening the page is a reading: counted, and shown with the count.
        let views = format!("{} kali dibaca", 306 + read);
        assert!(html.contains(&views), "{views}: {html}");
    }
    // The feeds' own link (the site) is the news index, an HTML page listing the post.
    let body = app
        .get("/feeds/bojonegoro/news.atom")
        .await
        .bytes()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(&body[..]).unwrap();
    let site = &feed
        .links
        .iter()
        .find(|l| l.rel.as_deref() != Some("self"))
        .unwrap()
        .href;
    assert_eq!(site, "http://terbuka.test/news/bojonegoro");
    let index = app
        .get(site.trim_start_matches("http://terbuka.test"))
        .await;
    assert_eq!(index.status(), 200);
    assert!(
        index.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = index.text().await.unwrap();
    assert!(html.contains("name=\"viewport\""), "{html}");
    assert!(
        html.contains("href=\"http://terbuka.test/news/bojonegoro/pembahasan-persiapan-penyusunan-renaksi-ogp-daerah\""),
        "{html}"
    );
    assert_eq!(app.get("/feeds/atlantis/news.rss").await.status(), 404);
    // Pages people open in a browser answer errors as pages.
    for path in ["/news/bojonegoro/tidak-ada", "/news/atlantis"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Halaman tidak ditemukan"),
            "{path}"
        );
    }
    app.stop().await;
}
