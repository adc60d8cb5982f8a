//! The office's spreadsheets through the API: the demo's 2016–2017 Renaksi downloaded as
//! XLSX (`GET /sheets/renaksi/{plan}.xlsx`), imported with `importSpreadsheet` (a multipart
//! upload) into an empty plan — the same commitments and milestones, field by field — and
//! imported again as a dry run with nothing to do; the same through `terbuka import` on the
//! command line; and bad files refused with their cells named and the database unchanged.

use serde_json::{Value, json};

use crate::helpers::*;

const IMPORT: &str = "mutation($i: ImportSpreadsheetInput!) { importSpreadsheet(input: $i) {
    import { dryRun created changed unchanged notInFile rows { sheet row record key action changedFields existingId } }
    problems { sheet cell code message } userErrors { field code message } } }";

async fn import(app: &TestApp, token: &str, input: Value, name: &str, bytes: &[u8]) -> Value {
    let operations = json!({"query": IMPORT, "variables": {"i": input}});
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({"0": ["variables.i.file"]}).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("Accept-Language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["importSpreadsheet"].clone()
}

const TREE: &str = "query($p: ID!) { node(id: $p) { ... on ActionPlan { commitments(first: 50) { nodes {
    code title ogpValues leadOrganisation { id } startsOn endsOn
    milestones(first: 50) { nodes { title deliverable startsOn endsOn weight responsibleOrganisation { id } } } } } } } }";

async fn tree(app: &TestApp, plan: &str) -> Value {
    app.ok(TREE, json!({"p": plan})).await["node"]["commitments"]["nodes"].clone()
}

/// Commitments and milestones, row counts: what a refused file must leave as it was.
async fn counts(app: &TestApp) -> (u64, u64, u64) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    (
        entity::commitment::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        entity::milestone::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        entity::audit_event::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn the_demo_renaksi_goes_out_as_xlsx_and_comes_back_into_an_empty_plan_unchanged() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    let token = app.operator.clone();
    let member = app
        .ok("{ member(slug: \"bojonegoro\") { id } }", json!({}))
        .await["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plans = app
        .ok(
            "query($m: ID!) { plans(memberId: $m, first: 10) { nodes { id periodStart } } }",
            json!({"m": member}),
        )
        .await;
    let first = plans["plans"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["periodStart"]
                .as_str()
                .is_some_and(|d| d.starts_with("2016"))
        })
        .expect("the 2016–2017 plan")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Out as XLSX.
    let res = app
        .client
        .get(format!("{}/sheets/renaksi/{first}.xlsx", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("renaksi-2016-2017.xlsx"),
        "{disposition}"
    );
    let xlsx = res.bytes().await.unwrap().to_vec();
    // Nobody outside the partnership gets it, nor learns that the plan exists.
    let public = app
        .client
        .get(format!("{}/sheets/renaksi/{first}.xlsx", app.base))
        .send()
        .await
        .unwrap();
    assert_ne!(public.status(), 200);

    // Into an empty plan: a dry run first, then the real run.
    let (copy, _) = make(
        &app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Salinan Renaksi 2016–2017"}),
    )
    .await;
    let source = tree(&app, &first).await;
    let n_commitments = source.as_array().unwrap().len();
    let n_milestones: usize = source
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["milestones"]["nodes"].as_array().unwrap().len())
        .sum();
    assert!(n_commitments >= 3 && n_milestones >= 3, "{source}");
    let before = counts(&app).await;
    let dry = import(
        &app,
        &token,
        json!({"kind": "RENAKSI", "planId": copy, "file": null, "dryRun": true}),
        "renaksi.xlsx",
        &xlsx,
    )
    .await;
    assert_eq!(dry["userErrors"], json!([]), "{dry}");
    assert_eq!(dry["import"]["dryRun"], true);
    assert_eq!(
        dry["import"]["created"],
        (n_commitments + n_milestones) as i64,
        "{dry}"
    );
    assert_eq!(dry["import"]["rows"][0]["action"], "CREATE");
    assert_eq!(dry["import"]["rows"][0]["row"], 2);
    assert_eq!(counts(&app).await, before);
    let done = import(
        &app,
        &token,
        json!({"kind": "RENAKSI", "planId": copy, "file": null, "dryRun": false}),
        "renaksi.xlsx",
        &xlsx,
    )
    .await;
    assert_eq!(
        done["import"]["created"],
        (n_commitments + n_milestones) as i64,
        "{done}"
    );
    // Every field, as the API answers it.
    assert_eq!(tree(&app, &copy).await, source);
    let again = import(
        &app,
        &token,
        json!({"kind": "RENAKSI", "planId": copy, "file": null, "dryRun": true}),
        "renaksi.xlsx",
        &xlsx,
    )
    .await;
    let a = &again["import"];
    assert_eq!(
        (
            a["created"].as_i64(),
            a["changed"].as_i64(),
            a["notInFile"].as_i64()
        ),
        (Some(0), Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(a["unchanged"], (n_commitments + n_milestones) as i64);
    assert!(a["rows"][0]["existingId"].is_string());

    // The command line does the same, as an account with its permissions.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("renaksi.xlsx");
    std::fs::write(&file, &xlsx).unwrap();
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_terbuka-test-server"))
            .arg("import")
            .args(args)
            .env("TERBUKA_DATABASE_URL", &app.database_url)
            .env("TERBUKA_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = cli(&[
        "renaksi",
        "--plan",
        &first,
        "--as",
        "operator@terbuka.test",
        "--dry-run",
        file.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("dry run, nothing written: 0 created, 0 changed"),
        "{stdout}"
    );
    let out = cli(&[
        "renaksi",
        "--plan",
        &first,
        "--as",
        "pemantau@demo.terbuka.id",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("may not import"));

    // Bad files: each refused with its place, and nothing changes.
    let before = counts(&app).await;
    let csv = |body: &str| format!("\u{feff}{body}").into_bytes();
    let many: String = std::iter::once("Kode Komitmen,Komitmen,Kegiatan\n".to_owned())
        .chain((0..50_000).map(|i| format!("K{i},Komitmen {i},Kegiatan {i}\n")))
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
        (
            "laporan.pdf",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec(),
            "NOT_A_SPREADSHEET",
            None,
        ),
        ("kosong.csv", vec![], "EMPTY_FILE", None),
        ("besar.csv", many.into_bytes(), "TOO_MANY_ROWS", None),
        (
            "kolom.csv",
            csv("Kode Komitmen,Kegiatan\nK1,Rapat\n"),
            "MISSING_COLUMN",
            None,
        ),
        (
            "judul.csv",
            csv("Kode Komitmen,Komitmen,Kegiatan\n"),
            "EMPTY_SHEET",
            None,
        ),
        (
            "tanggal.csv",
            csv("Kode Komitmen,Komitmen,Kegiatan,Selesai\nK1,Satu,Rapat,besok\n"),
            "NOT_A_DATE",
            Some("D2"),
        ),
        (
            "terbalik.csv",
            csv(
                "Kode Komitmen,Komitmen,Kegiatan,Mulai,Selesai\nK9,Satu,Rapat,2018-09-01,2018-08-01\n",
            ),
            "END_BEFORE_START",
            Some("E2"),
        ),
    ];
    for (name, bytes, code, cell) in cases {
        let r = import(
            &app,
            &token,
            json!({"kind": "RENAKSI", "planId": copy, "file": null, "dryRun": false}),
            name,
            &bytes,
        )
        .await;
        assert!(r["import"].is_null(), "{name}: {r}");
        assert_eq!(r["problems"][0]["code"], code, "{name}: {r}");
        if let Some(cell) = cell {
            assert_eq!(r["problems"][0]["cell"], cell, "{name}: {r}");
            assert!(
                r["userErrors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("!{cell}: ")),
                "{r}"
            );
        }
        assert_eq!(r["userErrors"][0]["field"], json!(["input", "file"]));
        assert_eq!(counts(&app).await, before, "{name} changed nothing");
    }
    // The wrong target is a user error on its field.
    let r = import(
        &app,
        &token,
        json!({"kind": "DPA_LINES", "planId": copy, "file": null, "dryRun": true}),
        "dpa.csv",
        &csv("x"),
    )
    .await;
    assert_eq!(
        r["userErrors"][0]["field"],
        json!(["input", "memberId"]),
        "{r}"
    );
    app.stop().await;
}
