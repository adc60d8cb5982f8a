//! The public pages as a citizen meets them, on a phone, in headless Chromium: the demo's news
//! post with its view count and the poll "Bagaimana Tanggapan Anda?" (76 / 6 / 6 / 12 % of 17),
//! a vote through the page's form (the pages carry no script at all), and the news index and
//! the link pages (confirm, unsubscribe, cancel a registration) readable and labelled.

use std::time::Duration;

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::*;

const POST: &str = "/news/bojonegoro/pembahasan-persiapan-penyusunan-renaksi-ogp-daerah";

/// What every public page must be on a phone: Indonesian, its style applied (the content
/// policy allows it by hash), nothing wider than the screen, no script, one `h1`, every form
/// control labelled.
async fn check_page(b: &mut Browser, what: &str) {
    let facts = b
        .eval(
            "({lang: document.documentElement.lang,
               viewport: !!document.querySelector('meta[name=viewport]'),
               styled: getComputedStyle(document.querySelector('main')).maxWidth !== 'none',
               overflow: document.documentElement.scrollWidth - window.innerWidth,
               scripts: document.scripts.length,
               h1: document.querySelectorAll('h1').length,
               unlabelled: [...document.querySelectorAll('input:not([type=hidden]), button')]
                 .filter(e => !(e.closest('label') || e.textContent.trim() || e.labels?.length)).length})",
        )
        .await;
    assert_eq!(
        facts,
        json!({"lang": "id", "viewport": true, "styled": true, "overflow": 0, "scripts": 0,
               "h1": 1, "unlabelled": 0}),
        "{what}"
    );
}

fn figures(b: &Value) -> Vec<(String, String)> {
    b.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_owned(),
                r[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const FIGURES: &str = "[...document.querySelectorAll('.poll li')].map(li =>
    [li.children[0].textContent, li.children[2].textContent])";

#[tokio::test]
async fn a_citizen_reads_the_post_sees_the_poll_and_votes_without_javascript() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let mut b = Browser::launch(390, 844).await;
    b.goto(&format!("{}{POST}", app.base)).await;
    check_page(&mut b, "the post").await;
    let text = b.eval("document.body.innerText").await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("Pembahasan Persiapan Penyusunan Renaksi OGP Daerah"),
        "{text}"
    );
    // This reading is counted and shown.
    assert!(text.contains("306 kali dibaca"), "{text}");
    assert!(text.contains("Bagaimana Tanggapan Anda?"), "{text}");
    assert!(text.contains("17 tanggapan"), "{text}");
    assert_eq!(
        figures(&b.eval(FIGURES).await),
        [
            ("Sangat Puas".into(), "76% (13)".into()),
            ("Puas".into(), "6% (1)".into()),
            ("Cukup Puas".into(), "6% (1)".into()),
            ("Tidak Puas".into(), "12% (2)".into()),
        ]
    );
    // The bars are the figures (and say so to a screen reader through their labels).
    assert_eq!(
        b.eval("[...document.querySelectorAll('.poll progress')].map(p => p.value)")
            .await,
        json!([76, 6, 6, 12])
    );
    let png = b.screenshot("news-post-phone").await;
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{}",
        png.len()
    );

    // The form: choose "Tidak Puas" and send. The page runs no script; the browser posts the
    // form and follows the answer back to the poll.
    let before = b.events.len();
    b.eval(
        "document.querySelector('input[value=TIDAK_PUAS]').click();
         document.querySelector('.poll + form button').click()",
    )
    .await;
    b.wait_until(
        "location.search.includes('suara=') && document.readyState === 'complete'",
        Duration::from_secs(20),
    )
    .await;
    assert!(b.events.len() > before);
    let text = b.eval("document.body.innerText").await;
    let text = text.as_str().unwrap().to_owned();
    assert!(
        text.contains("Terima kasih, tanggapan Anda tercatat."),
        "{text}"
    );
    assert!(text.contains("18 tanggapan"), "{text}");
    // Coming back from one's vote is not another reading.
    assert!(text.contains("306 kali dibaca"), "{text}");
    assert_eq!(
        figures(&b.eval(FIGURES).await),
        [
            ("Sangat Puas".into(), "72% (13)".into()),
            ("Puas".into(), "6% (1)".into()),
            ("Cukup Puas".into(), "5% (1)".into()),
            ("Tidak Puas".into(), "17% (3)".into()),
        ]
    );
    b.screenshot("news-post-voted").await;

    // The same browser again: told, not counted.
    b.eval(
        "document.querySelector('input[value=SANGAT_PUAS]').click();
         document.querySelector('.poll + form button').click()",
    )
    .await;
    b.wait_until(
        "location.search.includes('suara=sudah') && document.readyState === 'complete'",
        Duration::from_secs(20),
    )
    .await;
    let text = b.eval("document.body.innerText").await;
    assert!(
        text.as_str()
            .unwrap()
            .contains("Anda sudah memberi tanggapan"),
        "{text}"
    );
    let total = app
        .ok(
            r#"{ publication(memberSlug: "bojonegoro", slug: "pembahasan-persiapan-penyusunan-renaksi-ogp-daerah") { poll { total } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(total["publication"]["poll"]["total"], 18);
    assert_eq!(b.errors(), Vec::<String>::new());
    app.stop().await;
}

#[tokio::test]
async fn the_index_and_the_link_pages_read_well_on_a_phone() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let mut b = Browser::launch(360, 740).await;
    for (path, heading) in [
        (
            "/news/bojonegoro",
            "Berita Pemerintahan Terbuka — Kabupaten Bojonegoro",
        ),
        ("/unsubscribe?token=abc", "Berhenti berlangganan?"),
        ("/subscriptions/confirm?token=abc", ""),
        ("/registrations/cancel?token=abc", ""),
        ("/news/bojonegoro/tidak-ada", "Halaman tidak ditemukan"),
    ] {
        let status = app.get(path).await.status().as_u16();
        let errors_before = b.errors().len();
        b.goto(&format!("{}{path}", app.base)).await;
        check_page(&mut b, path).await;
        let h1 = b.eval("document.querySelector('h1').textContent").await;
        assert!(h1.as_str().unwrap().contains(heading), "{path}: {h1}");
        // Nothing refused or failed, but the page's own error status when it has one.
        for e in &b.errors()[errors_before..] {
            assert!(
                status >= 400 && e.contains(&format!("status of {status}")),
                "{path} ({status}): {e}"
            );
        }
    }
    b.screenshot("news-index-phone").await;
    // A POST without a form's choice goes back to the poll, asking for one.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{POST}/vote", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "terbuka_pengunjung=0123456789abcdef0123")
        .body("choice=BAGUS")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("?suara=pilih#jajak")
    );
    app.stop().await;
}
