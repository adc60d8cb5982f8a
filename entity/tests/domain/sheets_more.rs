//! The monev matrix and the budget sheets through `sheets::files`: a sheet of three reports
//! moves the roll-up exactly as three `reportProgress` calls do; DPA lines and NGO programmes
//! come in with their funding links; exported and imported again, nothing changes; a bad row
//! writes nothing.

use entity::kernel::crud::{Act, Create};
use entity::plans::milestone::{Report, report_progress};
use entity::sheets::files::{self, SheetKind, Target};
use entity::sheets::read::Format;
use entity::sheets::renaksi::{self, Action, Existing, ImportError};
use entity::sheets::table::Value;
use entity::sheets::write;
use entity::{budget_line, funding, milestone, ngo_programme, progress_update};
use uuid::Uuid;

use crate::TestDb;
use crate::fixtures::{self, count, now};

fn renaksi_file() -> Vec<u8> {
    let row = |code: &str, title: &str, start: &str, end: &str| {
        vec![
            Value::Text(code.into()),
            Value::Text(format!("Komitmen {code}")),
            Value::Text("Akses Informasi".into()),
            Value::Text("Bappeda".into()),
            Value::Empty,
            Value::Empty,
            Value::Text(title.into()),
            Value::Empty,
            Value::Date(start.parse().unwrap()),
            Value::Date(end.parse().unwrap()),
            Value::Number(2.0),
            Value::Text("Bappeda".into()),
        ]
    };
    let rows = vec![
        row("K1", "Rapat", "2018-06-01", "2018-09-30"),
        row("K1", "Portal", "2018-10-01", "2019-03-31"),
        row("K2", "Musrenbang", "2018-06-01", "2019-06-30"),
    ];
    write::xlsx("Renaksi", renaksi::COLUMNS, &rows).unwrap()
}

fn monev_file(rows: &[(&str, &str, &str, f64, &str, &str)]) -> Vec<u8> {
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|(code, title, on, pct, note, link)| {
            let t = |s: &str| {
                if s.is_empty() {
                    Value::Empty
                } else {
                    Value::Text(s.into())
                }
            };
            vec![
                t(code),
                t(title),
                Value::Date(on.parse().unwrap()),
                Value::Number(*pct),
                t(note),
                t(link),
                Value::Empty,
            ]
        })
        .collect();
    write::xlsx("Monev", entity::sheets::monev::COLUMNS, &rows).unwrap()
}

#[tokio::test]
async fn a_monev_sheet_moves_the_roll_up_as_the_same_reports_sent_one_by_one() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("monev-test"),
        now: now(),
    };
    fixtures::organisation(&t.db, &m, "Bappeda").await;
    let by_calls = fixtures::plan(&t.db, m.id, "Renaksi A").await;
    let by_sheet = fixtures::plan(&t.db, m.id, "Renaksi B").await;
    for p in [&by_calls, &by_sheet] {
        let r = files::import(
            &act,
            SheetKind::Renaksi,
            Target::Plan(p.id),
            "r.xlsx",
            &renaksi_file(),
            false,
        )
        .await
        .unwrap();
        assert_eq!(r.created, 5);
    }
    let reports = [
        (
            "K1",
            "Rapat",
            "2018-06-01",
            40.0,
            "Rapat pertama",
            "https://bojonegorokab.go.id/notulen-1",
        ),
        ("K2", "Musrenbang", "2018-06-15", 30.0, "", ""),
        ("K1", "Rapat", "2018-06-20", 100.0, "Selesai", ""),
    ];
    // Three calls on plan A.
    let a = Existing::load(&t.db, by_calls.id).await.unwrap();
    for (code, title, on, pct, note, link) in reports {
        let c = a
            .commitments
            .iter()
            .find(|c| c.code.as_deref() == Some(code))
            .unwrap();
        let ms = a
            .milestones
            .iter()
            .find(|x| x.commitment_id == c.id && x.title == title)
            .unwrap();
        let input = serde_json::json!({});
        let spec = Create {
            mutation: "reportMilestoneProgress",
            client_mutation_id: None,
            input: &input,
            problems: entity::Problems::new(),
        };
        let r = Report {
            reported_on: Some(on.parse().unwrap()),
            percent: pct as i32,
            note: (!note.is_empty()).then(|| note.to_owned()),
            evidence_links: if link.is_empty() {
                vec![]
            } else {
                vec![link.to_owned()]
            },
        };
        report_progress(&act, ms, spec, r)
            .await
            .unwrap_or_else(|_| panic!("report"));
    }
    // One sheet on plan B: a dry run first.
    let file = monev_file(&reports);
    let target = Target::Plan(by_sheet.id);
    let dry = files::import(&act, SheetKind::Monev, target, "monev.xlsx", &file, true)
        .await
        .unwrap();
    assert_eq!((dry.created, dry.unchanged), (3, 0));
    assert_eq!(dry.verdicts[0].key, "K1/Rapat/2018-06-01");
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 3);
    let done = files::import(&act, SheetKind::Monev, target, "monev.xlsx", &file, false)
        .await
        .unwrap();
    assert_eq!(done.created, 3);
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 6);

    let today = "2018-06-28".parse().unwrap();
    let da = entity::dashboard::plan_dashboard(&t.db, by_calls.id, today)
        .await
        .unwrap()
        .unwrap();
    let db_ = entity::dashboard::plan_dashboard(&t.db, by_sheet.id, today)
        .await
        .unwrap()
        .unwrap();
    assert!(
        da.progress.is_some_and(|p| p > 0.0),
        "the roll-up moved: {:?}",
        da.progress
    );
    assert_eq!(da.progress, db_.progress);
    let progress = |d: &entity::dashboard::Dashboard| -> Vec<(Option<String>, Option<f64>)> {
        d.commitments
            .iter()
            .map(|c| (c.commitment.code.clone(), c.progress))
            .collect()
    };
    assert_eq!(progress(&da), progress(&db_));
    let state = |e: &Existing| -> Vec<(String, i32, milestone::MilestoneStatus)> {
        e.milestones
            .iter()
            .map(|m| (m.title.clone(), m.progress, m.status))
            .collect()
    };
    let (a, b) = (
        Existing::load(&t.db, by_calls.id).await.unwrap(),
        Existing::load(&t.db, by_sheet.id).await.unwrap(),
    );
    assert_eq!(state(&a), state(&b));
    assert_eq!(a.milestones[0].progress, 100);

    // Written out (both formats) and read back: every report is already kept.
    for format in [Format::Xlsx, Format::Csv] {
        let out = files::export(&t.db, &team, SheetKind::Monev, target, format)
            .await
            .unwrap()
            .unwrap();
        let again = files::import(
            &act,
            SheetKind::Monev,
            target,
            &out.file_name,
            &out.bytes,
            true,
        )
        .await
        .unwrap();
        assert_eq!(
            (again.created, again.unchanged, again.not_in_file),
            (0, 3, 0),
            "{}",
            out.file_name
        );
    }
    let again = files::import(&act, SheetKind::Monev, target, "monev.xlsx", &file, false)
        .await
        .unwrap();
    assert_eq!(again.created, 0);

    // A report dated after today and a milestone the plan lacks: both named, nothing kept.
    let bad = monev_file(&[
        ("K2", "Musrenbang", "2018-06-27", 50.0, "", ""),
        ("K2", "Musrenbang", "2018-07-01", 60.0, "", ""),
    ]);
    let refused = files::import(&act, SheetKind::Monev, target, "monev.xlsx", &bad, false)
        .await
        .unwrap_err();
    let ImportError::Sheet(p) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(
        (p[0].cell.as_deref(), &*p[0].issue.rule_code()),
        (Some("C3"), "REPORT_DATED_IN_FUTURE")
    );
    let unknown = monev_file(&[("K9", "Rapat", "2018-06-27", 50.0, "", "")]);
    let refused = files::import(
        &act,
        SheetKind::Monev,
        target,
        "monev.xlsx",
        &unknown,
        false,
    )
    .await
    .unwrap_err();
    let ImportError::Sheet(p) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(
        (p[0].cell.as_deref(), p[0].issue.code()),
        (Some("B2"), "NOT_FOUND")
    );
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 6);
    t.finish().await;
}

#[tokio::test]
async fn budget_sheets_bring_lines_programmes_and_their_funding_links() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("budget-test"),
        now: now(),
    };
    let kominfo = fixtures::organisation(&t.db, &m, "Dinas Komunikasi dan Informatika").await;
    let bi = fixtures::organisation(&t.db, &m, "Bojonegoro Institute").await;
    fixtures::organisation(&t.db, &m, "Bappeda").await;
    let k1 = fixtures::commitment(&t.db, &m).await;
    let second = fixtures::plan(&t.db, m.id, "Renaksi 2").await;
    files::import(
        &act,
        SheetKind::Renaksi,
        Target::Plan(second.id),
        "r.xlsx",
        &renaksi_file(),
        false,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    // "K1" is in both plans now: the renaksi file has its own K1. Rename that one.
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let e = Existing::load(&t.db, second.id).await.unwrap();
        let mut am = e.commitments[0].clone().into_active_model();
        am.code = Set(Some("K3".into()));
        am.update(&t.db).await.unwrap();
    }
    let member = Target::Member(m.id);
    let dpa = "\u{feff}Tahun Anggaran;Versi DPA;Perangkat Daerah;Kode Program;Program;Kode Kegiatan;Kegiatan;Kode Sub Kegiatan;Pagu;Realisasi;Komitmen Didanai\n\
        2018;Murni;Dinas Komunikasi dan Informatika;2.16.01;Program Informasi dan Komunikasi Publik;2.16.01.2.01;Pengelolaan Informasi Publik;2.16.01.2.01.01;15.000.000;;K1, K2\n\
        2018;Perubahan;dinas komunikasi dan informatika;2.16.02;Program Aplikasi Informatika;;;;Rp 7.500.000;2.000.000;\n";
    let dry = files::import(
        &act,
        SheetKind::DpaLines,
        member,
        "dpa.csv",
        dpa.as_bytes(),
        true,
    )
    .await
    .unwrap();
    let got: Vec<(&str, &str, &Action)> = dry
        .verdicts
        .iter()
        .map(|v| (v.record, v.key.as_str(), &v.action))
        .collect();
    assert_eq!(
        got,
        vec![
            ("budgetLine", "2018 Murni/2.16.01.2.01.01", &Action::Create),
            (
                "funding",
                "2018 Murni/2.16.01.2.01.01 → K1",
                &Action::Create
            ),
            (
                "funding",
                "2018 Murni/2.16.01.2.01.01 → K2",
                &Action::Create
            ),
            ("budgetLine", "2018 Perubahan/2.16.02", &Action::Create),
        ]
    );
    assert_eq!(count::<budget_line::Entity, _>(&t.db).await, 0);
    let done = files::import(
        &act,
        SheetKind::DpaLines,
        member,
        "dpa.csv",
        dpa.as_bytes(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(done.created, 4);
    let held = entity::sheets::budget::Held::load(&t.db, m.id)
        .await
        .unwrap();
    assert_eq!(held.lines.len(), 2);
    let l = held
        .lines
        .iter()
        .find(|l| l.dpa_version == budget_line::DpaVersion::Original)
        .unwrap();
    assert_eq!(
        (l.organisation_id, l.fiscal_year, l.ceiling, l.realisation),
        (kominfo.id, 2018, 15_000_000, None)
    );
    assert_eq!(l.sub_activity_code.as_deref(), Some("2.16.01.2.01.01"));
    let r = held
        .lines
        .iter()
        .find(|l| l.dpa_version == budget_line::DpaVersion::Revised)
        .unwrap();
    assert_eq!((r.ceiling, r.realisation), (7_500_000, Some(2_000_000)));
    let links: Vec<(Uuid, Option<Uuid>)> = held
        .fundings
        .iter()
        .map(|f| (f.commitment_id, f.budget_line_id))
        .collect();
    assert_eq!(links.len(), 2);
    assert!(links.contains(&(k1.id, Some(l.id))));

    let programmes = "Organisasi,Program,Pemberi Dana,Mulai,Selesai,Nilai,Komitmen Didanai\n\
        Bojonegoro Institute,Sekolah Anggaran Desa,USAID,2018-01-01,2018-12-31,\"250.000.000\",K1\n";
    let done = files::import(
        &act,
        SheetKind::NgoProgrammes,
        member,
        "lsm.csv",
        programmes.as_bytes(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(done.created, 2);
    let p = {
        use sea_orm::EntityTrait;
        ngo_programme::Entity::find()
            .one(&t.db)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        (p.organisation_id, p.amount, p.funder.as_deref()),
        (bi.id, Some(250_000_000), Some("USAID"))
    );
    assert_eq!(count::<funding::Entity, _>(&t.db).await, 3);

    // Written out and read back: nothing to do; one ceiling edited is the one change.
    for kind in [SheetKind::DpaLines, SheetKind::NgoProgrammes] {
        for format in [Format::Xlsx, Format::Csv] {
            let out = files::export(&t.db, &team, kind, member, format)
                .await
                .unwrap()
                .unwrap();
            let again = files::import(&act, kind, member, &out.file_name, &out.bytes, true)
                .await
                .unwrap();
            assert_eq!(
                (again.created, again.changed, again.not_in_file),
                (0, 0, 0),
                "{}",
                out.file_name
            );
            assert!(again.unchanged >= 2);
        }
    }
    let out = files::export(&t.db, &team, SheetKind::DpaLines, member, Format::Csv)
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8(out.bytes).unwrap();
    assert!(
        text.contains("2018,Murni,Dinas Komunikasi dan Informatika,2.16.01,"),
        "{text}"
    );
    assert!(text.contains(",15000000,,\"K1, K2\""), "{text}");
    let edited = text.replace(",7500000,", ",8000000,");
    let dry = files::import(
        &act,
        SheetKind::DpaLines,
        member,
        "dpa.csv",
        edited.as_bytes(),
        true,
    )
    .await
    .unwrap();
    let changes: Vec<&Action> = dry
        .verdicts
        .iter()
        .map(|v| &v.action)
        .filter(|a| **a != Action::Unchanged)
        .collect();
    assert_eq!(changes, vec![&Action::Change(vec!["ceiling"])]);

    // Unknown and ambiguous codes, an unknown DPA version, a line twice: all named, nothing
    // written.
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let e = Existing::load(&t.db, second.id).await.unwrap();
        let mut am = e.commitments[1].clone().into_active_model();
        am.code = Set(Some("K1".into()));
        am.update(&t.db).await.unwrap();
    }
    let bad = "Tahun Anggaran;Versi DPA;Perangkat Daerah;Program;Kode Sub Kegiatan;Pagu;Komitmen Didanai\n\
        2019;Murni;Bappeda;Program Perencanaan;5.01.01;1.000.000;K7\n\
        2019;Tahunan;Bappeda;Program Perencanaan;5.01.02;1.000.000;K1\n\
        2019;Murni;Bappeda;Program Perencanaan;5.01.01;2.000.000;\n\
        2019;Murni;Bappeda;Program Perencanaan;5.01.03;banyak;\n";
    let before = (
        count::<budget_line::Entity, _>(&t.db).await,
        count::<funding::Entity, _>(&t.db).await,
    );
    let refused = files::import(
        &act,
        SheetKind::DpaLines,
        member,
        "dpa.csv",
        bad.as_bytes(),
        false,
    )
    .await
    .unwrap_err();
    let ImportError::Sheet(p) = refused else {
        panic!("{refused:?}")
    };
    let got: Vec<(String, &str)> = p
        .iter()
        .map(|p| (p.cell.clone().unwrap(), p.issue.code()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("F5".into(), "NOT_A_NUMBER"),
            ("G2".into(), "NOT_FOUND"),
            ("G3".into(), "AMBIGUOUS"),
            ("B3".into(), "NOT_ON_LIST"),
            ("E4".into(), "DUPLICATE"),
        ]
    );
    assert_eq!(
        p[1].describe(entity::i18n::Lang::En),
        "dpa!G2: No action plan of this member has a commitment coded K7."
    );
    assert_eq!(
        before,
        (
            count::<budget_line::Entity, _>(&t.db).await,
            count::<funding::Entity, _>(&t.db).await
        )
    );
    t.finish().await;
}
