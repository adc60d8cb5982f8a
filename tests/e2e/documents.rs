//! The evidence repository through the GraphQL multipart request spec: a 10 MiB PDF is taken,
//! one byte more is not; a program sent as `application/pdf` is refused and nothing is kept;
//! the same file twice is stored once, and deleting one document keeps the other's file;
//! downloads follow who may see what.

use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

const ATTACH: &str = "mutation($i: AttachDocumentInput!) { attachDocument(input: $i) {
    document { id sha256 size contentType url version } userErrors { field code message } } }";

/// Sends one file as the spec says: `operations`, `map`, then the file part.
pub async fn upload(
    app: &TestApp,
    input: Value,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Value {
    let operations = json!({"query": ATTACH, "variables": {"i": input}});
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({"0": ["variables.i.file"]}).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str(content_type)
                .unwrap(),
        );
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.operator)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["data"]["attachDocument"].clone()
}

/// A real one-page PDF of exactly `size` bytes (a comment of `seed` bytes fills it out), with
/// a correct cross-reference table: evidence files must parse.
pub fn pdf(size: usize, seed: u8) -> Vec<u8> {
    let build = |pad: usize| {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut out = b"%PDF-1.7\n% Notulen rapat\n%".to_vec();
        out.extend(std::iter::repeat_n(seed, pad));
        out.push(b'\n');
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        out
    };
    let mut pad = 0;
    loop {
        let b = build(pad);
        match b.len().cmp(&size) {
            std::cmp::Ordering::Equal => return b,
            std::cmp::Ordering::Less => pad += size - b.len(),
            std::cmp::Ordering::Greater => {
                assert!(pad > 0, "a PDF cannot be as small as {size} bytes");
                pad -= (b.len() - size).min(pad);
            }
        }
    }
}

fn files_in(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_in(&e.path())
            } else {
                1
            }
        })
        .sum()
}

pub async fn meeting(app: &TestApp, member: &str, public: bool) -> String {
    make(
        app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "TEAM_MEETING", "title": "Rapat persiapan Renaksi", "isPublic": public,
               "startsAt": "2018-06-28T12:00:00+07:00"}),
    )
    .await
    .0
}

#[tokio::test]
async fn uploads_are_checked_by_size_and_content_and_stored_once() {
    let app = spawn_app().await;
    let blobs = app.dir.path().join("files");
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let event = meeting(&app, &member, true).await;
    let input =
        |title: &str| json!({"subjectId": event, "kind": "MINUTES", "title": title, "file": null});

    // Exactly 10 MiB is taken.
    let big = pdf(10 << 20, b'a');
    let p = upload(
        &app,
        input("Notulen lengkap"),
        "notulen.pdf",
        "application/pdf",
        &big,
    )
    .await;
    assert_eq!(p["userErrors"], json!([]), "{p}");
    assert_eq!(p["document"]["size"], json!((10 << 20) as f64));
    assert_eq!(p["document"]["contentType"], "application/pdf");
    // One byte more is not.
    let p = upload(
        &app,
        input("Terlalu besar"),
        "besar.pdf",
        "application/pdf",
        &pdf((10 << 20) + 1, b'b'),
    )
    .await;
    assert_eq!(p["userErrors"][0]["code"], "TOO_LONG", "{p}");
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "file"]));
    // The limit is said in bytes, not characters.
    assert_eq!(
        p["userErrors"][0]["message"], "Berkas paling besar 10 MiB.",
        "{p}"
    );

    // A program dressed as a PDF: refused, nothing stored.
    let before = files_in(&blobs);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    exe.resize(4096, 0);
    let p = upload(
        &app,
        input("Bukan PDF"),
        "notulen.pdf",
        "application/pdf",
        &exe,
    )
    .await;
    assert_eq!(p["userErrors"][0]["code"], "FILE_TYPE_NOT_ACCEPTED", "{p}");
    assert!(p["document"].is_null());
    // A PNG declared as a PDF is refused too.
    let p = upload(
        &app,
        input("Foto"),
        "foto.pdf",
        "application/pdf",
        b"\x89PNG\r\n\x1a\nxxxx",
    )
    .await;
    assert_eq!(p["userErrors"][0]["code"], "FILE_TYPE_MISMATCH", "{p}");
    assert_eq!(
        files_in(&blobs),
        before,
        "nothing written for refused files"
    );

    // The same file twice: one stored file, two documents.
    let small = pdf(50_000, b'c');
    let first = upload(
        &app,
        input("Notulen"),
        "notulen.pdf",
        "application/pdf",
        &small,
    )
    .await;
    let second = upload(
        &app,
        input("Notulen (salinan)"),
        "salinan.pdf",
        "application/pdf",
        &small,
    )
    .await;
    assert_eq!(first["document"]["sha256"], second["document"]["sha256"]);
    assert_eq!(files_in(&blobs), before + 1);
    let docs = app
        .ok(
            "query($id: ID!) { documents(subjectId: $id) { title } event(id: $id) { documents { title } } }",
            json!({"id": event}),
        )
        .await;
    assert_eq!(docs["documents"].as_array().unwrap().len(), 3);
    assert_eq!(docs["event"]["documents"], docs["documents"]);

    // Deleting one keeps the other's file.
    let d = app
        .mutate_as(
            Some(&app.operator),
            "deleteDocument",
            "DeleteInput",
            "deletedId userErrors { code }",
            json!({"id": first["document"]["id"], "version": 1}),
        )
        .await;
    assert!(d["deletedId"].is_string(), "{d}");
    let url = second["document"]["url"].as_str().unwrap();
    let path = url.trim_start_matches("http://terbuka.test");
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&app.operator)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), small.as_slice());
    app.stop().await;
}

#[tokio::test]
async fn downloads_follow_who_may_see_what() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let public_event = meeting(&app, &member, true).await;
    let internal_event = meeting(&app, &member, false).await;
    let attach = |event: &str, public: bool| json!({"subjectId": event, "kind": "ATTENDANCE_LIST", "title": "Daftar hadir", "isPublic": public, "file": null});
    let csv = b"No;Nama;Instansi\n1;Nuty;Dinkominfo\n";
    let open = upload(
        &app,
        attach(&public_event, true),
        "hadir.csv",
        "text/csv",
        csv,
    )
    .await;
    let private = upload(
        &app,
        attach(&public_event, false),
        "hadir.csv",
        "text/csv",
        b"rahasia\n",
    )
    .await;
    let internal = upload(
        &app,
        attach(&internal_event, true),
        "hadir.csv",
        "text/csv",
        b"internal\n",
    )
    .await;
    for p in [&open, &private, &internal] {
        assert_eq!(p["userErrors"], json!([]), "{p}");
    }
    let path = |p: &Value| {
        p["document"]["url"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://terbuka.test")
            .to_owned()
    };
    let anonymous = app.get(&path(&open)).await;
    assert_eq!(anonymous.status(), 200);
    assert!(
        anonymous.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        anonymous.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // Private, or public on an internal meeting: not found for the public.
    assert_eq!(app.get(&path(&private)).await.status(), 404);
    assert_eq!(app.get(&path(&internal)).await.status(), 404);
    // The public list shows only what it may download.
    let listed = app
        .gql_as(
            None,
            "query($id: ID!) { documents(subjectId: $id) { title isPublic } }",
            json!({"id": public_event}),
        )
        .await;
    assert_eq!(
        listed["data"]["documents"],
        json!([{"title": "Daftar hadir", "isPublic": true}])
    );
    let hidden = app
        .gql_as(
            None,
            "query($id: ID!) { documents(subjectId: $id) { title } }",
            json!({"id": internal_event}),
        )
        .await;
    assert_eq!(hidden["data"]["documents"], json!([]));
    app.stop().await;
}
