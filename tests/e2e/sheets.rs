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
    assert_eq!(public.status(), 404);
    // Nor another member's admin.
    let other = crate::foundation::create_member(&app, "Kabupaten Uji", "kabupaten-uji").await;
    let other = api::graphql::ids::decode_as(&other, "Member").unwrap();
    let (_, stranger) = app
        .account(
            "admin@uji.test",
            &[(other, entity::role_grant::Role::Admin)],
        )
        .await;
    let res = app
        .client
        .get(format!("{}/sheets/renaksi/{first}.xlsx", app.base))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

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
    let cli = async |args: &[&str]| {
        let args: Vec<&str> = std::iter::once("import")
            .chain(args.iter().copied())
            .collect();
        terbuka_cli(
            &args,
            &[
                ("TERBUKA_DATABASE_URL", &app.database_url),
                ("TERBUKA_LOG", "warn"),
            ],
        )
        .await
    };
    let out = cli(&[
        "renaksi",
        "--plan",
        &first,
        "--as",
        "operator@terbuka.test",
        "--dry-run",
        file.to_str().unwrap(),
    ])
    .await;
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
    ])
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("may not import"));

    // Bad files: each refused with its place, and nothing changes.
    let before = counts(&app).await;
    let csv = |body: &str| format!("\u{feff}{body}").into_bytes();
    let many: String = std::iter::once("Kode Komitmen,Komitmen,Kegiatan\n".to_owned())
        .chain((0..50_000).map(|i| format!("K{i},Komitmen {i},Kegiatan {i}\n")))
        .collect();
    let mut cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
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
    cases.extend(bad_workbooks(&xlsx));
    let dump = crate::privacy::dump_text(&app).await;
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
    assert!(
        crate::privacy::dump_text(&app).await == dump,
        "a refused file changed the database"
    );
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

/// Workbooks an office might send that must be refused, each with its problem's code and cell:
/// a macro workbook (the exported file with a VBA project, as Excel saves one), merged heading
/// cells, a date typed as text, a formula.
fn bad_workbooks(
    exported: &[u8],
) -> Vec<(&'static str, Vec<u8>, &'static str, Option<&'static str>)> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    use std::io::{Read, Write};
    let book = |shape: &dyn Fn(&mut Worksheet)| {
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.set_name("Renaksi").unwrap();
        for (c, h) in [
            "Kode Komitmen",
            "Komitmen",
            "Kegiatan",
            "Mulai",
            "Selesai",
            "Bobot",
        ]
        .iter()
        .enumerate()
        {
            s.write(0, c as u16, *h).unwrap();
        }
        s.write(1, 0, "K7").unwrap();
        s.write(1, 1, "Keterbukaan anggaran").unwrap();
        s.write(1, 2, "Rapat koordinasi").unwrap();
        shape(s);
        book.save_to_buffer().unwrap()
    };
    let mut macro_book = zip::ZipWriter::new(std::io::Cursor::new(vec![]));
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(exported)).unwrap();
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..from.len() {
        let mut part = from.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut body = String::new();
        part.read_to_string(&mut body).unwrap();
        if name == "[Content_Types].xml" {
            body = body.replace("sheet.main+xml", "sheet.macroEnabled.main+xml");
        }
        macro_book.start_file(name, options).unwrap();
        macro_book.write_all(body.as_bytes()).unwrap();
    }
    macro_book.start_file("xl/vbaProject.bin", options).unwrap();
    let mut vba = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    vba.resize(1536, 0);
    macro_book.write_all(&vba).unwrap();
    let macro_book = macro_book.finish().unwrap().into_inner();
    vec![
        ("makro.xlsx", macro_book, "MACROS_NOT_ACCEPTED", None),
        (
            "gabung.xlsx",
            book(&|s| {
                s.merge_range(0, 3, 0, 4, "Mulai", &Format::new()).unwrap();
            }),
            "MERGED_HEADING",
            None,
        ),
        (
            "teks.xlsx",
            book(&|s| {
                s.write(1, 3, "01/09/2018").unwrap();
            }),
            "DATE_AS_TEXT",
            Some("D2"),
        ),
        (
            "rumus.xlsx",
            book(&|s| {
                s.write_formula(1, 5, "=2*5").unwrap();
            }),
            "FORMULA",
            Some("F2"),
        ),
    ]
}

/// `body` as a CSV file as Excel writes it (UTF-8 with a byte order mark).
fn csv_file(body: &str) -> Vec<u8> {
    format!("\u{feff}{body}").into_bytes()
}

const PROGRESS: &str = "query($p: ID!) { node(id: $p) { ... on ActionPlan { commitments(first: 10) { nodes {
    title progress milestones(first: 10) { nodes { title status progress updates { reportedOn percent note } } } } } } } }";

#[tokio::test]
async fn monev_and_budget_sheets_go_in_through_the_api_as_their_operations_do() {
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
    // Two plans alike but for their codes: one gets the monev sheet, the other the same
    // reports one call at a time.
    let mut plans = vec![];
    for (title, prefix) in [
        ("Renaksi lembar monev", "K"),
        ("Renaksi satu per satu", "S"),
    ] {
        let (plan, _) = make(
            &app,
            "createPlan",
            "CreatePlanInput",
            "plan",
            json!({"memberId": member, "level": "REGIONAL", "title": title}),
        )
        .await;
        let renaksi = csv_file(&format!(
            "Kode Komitmen,Komitmen,Kegiatan,Mulai,Selesai,Bobot\n\
             {prefix}1,Keterbukaan anggaran,Rapat koordinasi,2018-06-01,2018-09-30,1\n\
             {prefix}1,Keterbukaan anggaran,Portal anggaran,2018-10-01,2019-03-31,3\n\
             {prefix}2,Musrenbang terbuka,Musrenbang desa,2018-06-01,2019-06-30,1\n"
        ));
        let r = import(
            &app,
            &token,
            json!({"kind": "RENAKSI", "planId": plan, "file": null, "dryRun": false}),
            "renaksi.csv",
            &renaksi,
        )
        .await;
        assert_eq!(r["import"]["created"], 5, "{r}");
        plans.push(plan);
    }
    let (sheet_plan, call_plan) = (plans[0].clone(), plans[1].clone());
    let reports = [
        (
            "1",
            "Rapat koordinasi",
            "2018-07-02",
            40,
            "Rapat pertama di ruang PPID",
        ),
        (
            "1",
            "Rapat koordinasi",
            "2018-07-23",
            100,
            "Notulen diunggah",
        ),
        ("2", "Musrenbang desa", "2018-07-30", 50, "Dua kecamatan"),
    ];
    let monev = csv_file(
        &std::iter::once("Kode Komitmen;Kegiatan;Tanggal Laporan;Capaian (%);Catatan\n".to_owned())
            .chain(
                reports
                    .iter()
                    .map(|(k, m, on, pct, note)| format!("K{k};{m};{on};{pct};{note}\n")),
            )
            .collect::<String>(),
    );
    let before = counts(&app).await;
    let dry = import(
        &app,
        &token,
        json!({"kind": "MONEV", "planId": sheet_plan, "file": null, "dryRun": true}),
        "monev.csv",
        &monev,
    )
    .await;
    assert_eq!(dry["import"]["created"], 3, "{dry}");
    assert_eq!(counts(&app).await, before, "a dry run writes nothing");
    let done = import(
        &app,
        &token,
        json!({"kind": "MONEV", "planId": sheet_plan, "file": null, "dryRun": false}),
        "monev.csv",
        &monev,
    )
    .await;
    assert_eq!(done["import"]["created"], 3, "{done}");
    assert_eq!(
        done["import"]["rows"][0]["record"], "progressReport",
        "{done}"
    );
    // The same reports through reportMilestoneProgress.
    let ids = app
        .ok(
            "query($p: ID!) { node(id: $p) { ... on ActionPlan { commitments(first: 10) { nodes {
              milestones(first: 10) { nodes { id title } } } } } } }",
            json!({"p": call_plan}),
        )
        .await;
    for (_, title, on, pct, note) in reports {
        let id = ids["node"]["commitments"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["milestones"]["nodes"].as_array().unwrap().iter())
            .find(|m| m["title"] == title)
            .unwrap()["id"]
            .clone();
        let r = app
            .ok(
                "mutation($i: ReportMilestoneProgressInput!) { reportMilestoneProgress(input: $i) {
                   userErrors { code message } } }",
                json!({"i": {"milestoneId": id, "reportedOn": on, "percent": pct, "note": note}}),
            )
            .await;
        assert_eq!(r["reportMilestoneProgress"]["userErrors"], json!([]), "{r}");
    }
    let by_sheet = app.ok(PROGRESS, json!({"p": sheet_plan})).await;
    let by_calls = app.ok(PROGRESS, json!({"p": call_plan})).await;
    assert_eq!(by_sheet, by_calls);
    let first = &by_sheet["node"]["commitments"]["nodes"][0];
    // Weighted by the milestones' weights: 100 % of weight 1 and nothing of weight 3.
    assert_eq!(first["progress"], 25.0, "{by_sheet}");
    assert_eq!(
        first["milestones"]["nodes"][0]["progress"], 100,
        "{by_sheet}"
    );
    assert_eq!(
        first["milestones"]["nodes"][0]["updates"][0]["note"],
        "Notulen diunggah"
    );

    // The monev matrix downloaded and sent back: nothing to do.
    let download = |path: String| {
        let (app, token) = (&app, &token);
        async move {
            let res = app
                .client
                .get(format!("{}{path}", app.base))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.bytes().await.unwrap().to_vec()
        }
    };
    let exported = download(format!("/sheets/monev/{sheet_plan}.csv")).await;
    let again = import(
        &app,
        &token,
        json!({"kind": "MONEV", "planId": sheet_plan, "file": null, "dryRun": true}),
        "monev.csv",
        &exported,
    )
    .await;
    let a = &again["import"];
    assert_eq!(
        (
            a["created"].as_i64(),
            a["changed"].as_i64(),
            a["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(3)),
        "{again}"
    );

    // A new DPA line funding K1, and an NGO programme funding K2, with their links.
    let dpa = csv_file(
        "Tahun Anggaran,Versi DPA,Perangkat Daerah,Kode Program,Program,Pagu,Komitmen Didanai\n\
         2019,Murni,Dinas Kominfo,2.16.01,Program Informasi dan Komunikasi Publik,Rp 7.500.000,K1\n",
    );
    let r = import(
        &app,
        &token,
        json!({"kind": "DPA_LINES", "memberId": member, "file": null, "dryRun": false}),
        "dpa.csv",
        &dpa,
    )
    .await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(r["import"]["created"], 2, "a line and its link: {r}");
    let ngo = csv_file(
        "Organisasi,Program,Pemberi Dana,Mulai,Selesai,Nilai,Komitmen Didanai\n\
         BI,Sekolah Anggaran Desa,Yayasan Mitra,2018-07-01,2019-06-30,Rp 25.000.000,K2\n",
    );
    let r = import(
        &app,
        &token,
        json!({"kind": "NGO_PROGRAMMES", "memberId": member, "file": null, "dryRun": false}),
        "program.csv",
        &ngo,
    )
    .await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    let funding = app
        .ok(
            "query($p: ID!) { planFunding(planId: $p) { commitment { code }
               budgetLines { programCode } ngoProgrammes { title } } }",
            json!({"p": sheet_plan}),
        )
        .await;
    assert_eq!(
        funding["planFunding"],
        json!([
            {"commitment": {"code": "K1"}, "budgetLines": [{"programCode": "2.16.01"}], "ngoProgrammes": []},
            {"commitment": {"code": "K2"}, "budgetLines": [], "ngoProgrammes": [{"title": "Sekolah Anggaran Desa"}]},
        ]),
        "{funding}"
    );
    let lines = app
        .ok(
            "query($m: ID!) { budgetLines(memberId: $m, fiscalYear: 2019) { programCode ceiling } }",
            json!({"m": member}),
        )
        .await;
    assert!(
        lines["budgetLines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["programCode"] == "2.16.01" && l["ceiling"] == "7500000"),
        "{lines}"
    );
    // Both downloaded and sent back: nothing to do (the demo itself has no budget: its DPA
    // figures are not public).
    for (kind, path) in [
        ("DPA_LINES", "dpa-lines"),
        ("NGO_PROGRAMMES", "ngo-programmes"),
    ] {
        let exported = download(format!("/sheets/{path}/{member}.xlsx")).await;
        let again = import(
            &app,
            &token,
            json!({"kind": kind, "memberId": member, "file": null, "dryRun": true}),
            "budget.xlsx",
            &exported,
        )
        .await;
        let a = &again["import"];
        assert_eq!(
            (a["created"].as_i64(), a["changed"].as_i64()),
            (Some(0), Some(0)),
            "{kind}: {again}"
        );
        assert!(a["unchanged"].as_i64().unwrap() > 0, "{kind}: {again}");
    }

    // A code no plan has is refused at its cell, and nothing is written.
    let before = counts(&app).await;
    let r = import(
        &app,
        &token,
        json!({"kind": "DPA_LINES", "memberId": member, "file": null, "dryRun": false}),
        "dpa.csv",
        &csv_file(
            "Tahun Anggaran,Perangkat Daerah,Program,Pagu,Komitmen Didanai\n\
             2020,Dinas Kominfo,Program Baru,Rp 1.000.000,Z9\n",
        ),
    )
    .await;
    assert_eq!(r["problems"][0]["code"], "NOT_FOUND", "{r}");
    assert_eq!(r["problems"][0]["cell"], "E2", "{r}");
    assert_eq!(counts(&app).await, before);
    app.stop().await;
}
