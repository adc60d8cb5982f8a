//! The IRM "At a Glance" table of an assessment.

use super::*;

pub(super) async fn at_a_glance<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
    a: &assessment::Model,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let rule = starred_rule::of(db, a.framework).await?;
    let values = commitment_assessment::Entity::find()
        .filter(commitment_assessment::Column::AssessmentId.eq(a.id))
        .all(db)
        .await?;
    let by_commitment: HashMap<Uuid, &commitment_assessment::Model> =
        values.iter().map(|v| (v.commitment_id, v)).collect();
    let glance = irm::at_a_glance(&values, &rule);
    doc.subject = a.title.clone();
    doc.title = format!(
        "{} — {}",
        a.title,
        t(l, "Ringkasan (At a Glance)", "At a Glance")
    );
    doc.lines = ctx.lines();
    if let Some(who) = &a.assessor {
        doc.lines
            .push(format!("{}: {who}", t(l, "Penilai", "Assessor")));
    }
    if let Some(d) = a.published_on {
        doc.lines.push(format!(
            "{}: {}",
            t(l, "Terbit", "Published"),
            i18n::long_date(d, l)
        ));
    }
    doc.lines.push(format!(
        "{}: {} · {}",
        t(l, "Kerangka", "Framework"),
        said(a.framework, l),
        said(a.kind, l)
    ));
    let mut table = Table::new(
        "penilaian",
        t(l, "Penilaian per komitmen", "Values by commitment"),
        &[
            ("code", &t(l, "Kode", "Code"), 1.2),
            ("title", &t(l, "Komitmen", "Commitment"), 4.5),
            ("verifiable", &t(l, "Dapat diverifikasi", "Verifiable"), 1.5),
            (
                "relevance",
                &t(l, "Relevansi nilai OGP", "OGP value relevance"),
                2.6,
            ),
            (
                "potential_impact",
                &t(l, "Potensi dampak", "Potential impact"),
                2.0,
            ),
            ("completion", &t(l, "Penyelesaian", "Completion"), 1.9),
            (
                "did_it_open_government",
                &t(l, "Membuka pemerintahan?", "Did it open government?"),
                2.2,
            ),
            ("starred", &t(l, "Bintang", "Starred"), 1.2),
        ],
    );
    for row in &ctx.dashboard.commitments {
        let c = &row.commitment;
        let Some(v) = by_commitment.get(&c.id) else {
            continue;
        };
        let relevant: Vec<String> = v
            .relevant()
            .into_iter()
            .map(|x| {
                serde_json::to_value(x)
                    .ok()
                    .and_then(|v| v.as_str().map(|c| crate::report::words::word(c, l)))
                    .unwrap_or_default()
            })
            .collect();
        let starred = irm::starred(v, &rule);
        table.push(vec![
            Cell::text(label(c)),
            Cell::text(c.title.clone()),
            match v.verifiable {
                Some(true) => Cell::text(t(l, "Ya", "Yes")),
                Some(false) => Cell::text(t(l, "Tidak", "No")),
                None => Cell::Empty,
            },
            Cell::text(relevant.join(", ")),
            word_of(&v.potential_impact, l),
            word_of(&v.completion, l),
            word_of(&v.did_it_open_government, l),
            Cell::text(if starred {
                STAR.to_string()
            } else {
                String::new()
            }),
        ]);
    }
    let figures = json!({
        "commitments": glance.commitments,
        "verifiable": glance.verifiable,
        "clearRelevance": glance.clear_relevance,
        "transformativePotentialImpact": glance.transformative_potential_impact,
        "completionNotStarted": glance.completion_not_started,
        "completionLimited": glance.completion_limited,
        "completionSubstantial": glance.completion_substantial,
        "completionComplete": glance.completion_complete,
        "completionNoEvidence": glance.completion_no_evidence,
        "starred": glance.starred,
        "diogWorsened": glance.diog_worsened,
        "diogDidNotChange": glance.diog_did_not_change,
        "diogMarginal": glance.diog_marginal,
        "diogMajor": glance.diog_major,
        "diogOutstanding": glance.diog_outstanding,
    });
    let mut summary = Table::new(
        "ringkasan",
        t(l, "At a Glance", "At a Glance"),
        &[
            ("measure", &t(l, "Ukuran", "Measure"), 4.0),
            ("count", &t(l, "Jumlah", "Count"), 1.0),
        ],
    );
    let names: [(&str, &str, &str); 15] = [
        ("commitments", "Jumlah komitmen", "Commitments"),
        ("verifiable", "Dapat diverifikasi", "Verifiable"),
        (
            "clearRelevance",
            "Relevan dengan nilai OGP",
            "Relevant to OGP values",
        ),
        (
            "transformativePotentialImpact",
            "Potensi dampak transformatif",
            "Transformative potential impact",
        ),
        (
            "completionNotStarted",
            "Penyelesaian: belum dimulai",
            "Completion: not started",
        ),
        (
            "completionLimited",
            "Penyelesaian: terbatas",
            "Completion: limited",
        ),
        (
            "completionSubstantial",
            "Penyelesaian: substansial",
            "Completion: substantial",
        ),
        (
            "completionComplete",
            "Penyelesaian: selesai",
            "Completion: complete",
        ),
        (
            "completionNoEvidence",
            "Penyelesaian: tanpa bukti",
            "Completion: no evidence",
        ),
        ("starred", "Komitmen bintang ✪", "Starred commitments ✪"),
        (
            "diogWorsened",
            "Membuka pemerintahan: memburuk",
            "Did it open government: worsened",
        ),
        (
            "diogDidNotChange",
            "Membuka pemerintahan: tidak berubah",
            "Did it open government: did not change",
        ),
        (
            "diogMarginal",
            "Membuka pemerintahan: marginal",
            "Did it open government: marginal",
        ),
        (
            "diogMajor",
            "Membuka pemerintahan: besar",
            "Did it open government: major",
        ),
        (
            "diogOutstanding",
            "Membuka pemerintahan: luar biasa",
            "Did it open government: outstanding",
        ),
    ];
    for (key, id, en) in names {
        summary.push(vec![
            Cell::text(t(l, id, en)),
            Cell::Int(figures[key].as_i64().unwrap_or(0)),
        ]);
    }
    doc.figures = figures;
    doc.heading(t(l, "Ringkasan", "At a Glance"));
    doc.table(summary);
    doc.heading(t(l, "Penilaian per komitmen", "Values by commitment"));
    doc.primary = doc.table(table);
    if let Some(f) = &a.findings {
        doc.heading(t(l, "Temuan", "Findings"));
        doc.paragraph(f.clone());
    }
    if let Some(r) = &a.recommendations {
        doc.heading(t(l, "Rekomendasi", "Recommendations"));
        doc.paragraph(r.clone());
    }
    Ok(())
}
