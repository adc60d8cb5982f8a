//! The plan document in the OGP template and the monev progress report.

use super::*;

pub(super) async fn action_plan_doc<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let stars = stars(db, ctx.plan.id).await?;
    doc.title = ctx.plan.title.clone();
    doc.lines = ctx.lines();
    if let Some(s) = &ctx.plan.summary {
        doc.paragraph(s.clone());
    }
    doc.paragraph(t(
        l,
        &format!("{STAR} = komitmen bintang menurut penilaian IRM terakhir atas rencana ini."),
        &format!("{STAR} = starred commitment by the plan's latest IRM assessment."),
    ));
    doc.heading(t(l, "Daftar komitmen", "Commitments"));
    doc.table(commitment_table(ctx, &stars));
    doc.figures = dashboard_figures(&ctx.dashboard);

    let ids: Vec<Uuid> = ctx
        .dashboard
        .commitments
        .iter()
        .map(|c| c.commitment.id)
        .collect();
    let milestones = milestones_of(db, &ids).await?;
    let mut m_table = Table::new(
        "kegiatan",
        t(l, "Kegiatan dan keluaran", "Milestones"),
        &[
            ("commitment", &t(l, "Komitmen", "Commitment"), 1.2),
            ("title", &t(l, "Kegiatan", "Milestone"), 4.5),
            (
                "deliverable",
                &t(
                    l,
                    "Keluaran yang dapat diverifikasi",
                    "Verifiable deliverable",
                ),
                4.0,
            ),
            ("responsible", &t(l, "Penanggung jawab", "Responsible"), 2.5),
            ("starts_on", &t(l, "Mulai", "Start"), 1.7),
            ("ends_on", &t(l, "Selesai", "End"), 1.7),
        ],
    );
    let m_index = doc.tables.len();
    doc.heading(t(
        l,
        "Komitmen dalam format OGP",
        "Commitments in the OGP template",
    ));
    for row in &ctx.dashboard.commitments {
        let c = &row.commitment;
        let starred = stars.get(&c.id).copied().unwrap_or(false);
        doc.blocks.push(Block::PageBreak);
        doc.subheading(format!("{} — {}", label(c), title_with_star(c, starred)));
        let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
        let period = match (c.starts_on, c.ends_on) {
            (Some(s), Some(e)) => format!("{} – {}", i18n::long_date(s, l), i18n::long_date(e, l)),
            _ => "—".into(),
        };
        doc.fields(vec![
            (t(l, "Tema", "Theme"), opt(&c.theme)),
            (t(l, "Masalah", "Problem"), opt(&c.problem)),
            (t(l, "Kondisi awal", "Status quo"), opt(&c.baseline)),
            (t(l, "Tujuan", "Objective"), opt(&c.objective)),
            (t(l, "Deskripsi", "Description"), opt(&c.description)),
            (
                t(
                    l,
                    "Bagaimana komitmen menyelesaikan masalah",
                    "How it solves the problem",
                ),
                opt(&c.how_it_solves),
            ),
            (t(l, "Nilai OGP", "OGP values"), ogp_values(c, l)),
            (t(l, "Ambisi", "Ambition"), opt(&c.ambition)),
            (
                t(l, "Pelaksana utama", "Lead agency"),
                ctx.org(c.lead_organisation_id).display(),
            ),
            (
                t(l, "Pejabat penanggung jawab", "Official in charge"),
                opt(&c.official_in_charge),
            ),
            (t(l, "Waktu pelaksanaan", "Period"), period),
            (
                t(l, "Kemajuan", "Progress"),
                row.progress.map_or("—".into(), |p| {
                    format!("{} %", crate::report::doc::format_num(p))
                }),
            ),
        ]);
        let first = m_table.rows.len();
        for m in milestones.get(&c.id).into_iter().flatten() {
            m_table.push(vec![
                Cell::text(label(c)),
                Cell::text(m.title.clone()),
                Cell::opt(m.deliverable.clone()),
                ctx.org(m.responsible_organisation_id),
                Cell::date(m.starts_on),
                Cell::date(m.ends_on),
            ]);
        }
        if m_table.rows.len() > first {
            doc.blocks
                .push(Block::TableRows(m_index, first, m_table.rows.len()));
        }
    }
    // The milestones' table is shown in slices under each commitment.
    doc.tables.push(m_table);
    Ok(())
}

pub(super) async fn monev<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let d = &ctx.dashboard;
    doc.title = format!(
        "{} — {}",
        t(l, "Laporan monev", "Monitoring report"),
        ctx.plan.title
    );
    doc.lines = ctx.lines();
    doc.lines.push(format!(
        "{}: {}",
        t(l, "Keadaan per", "As of"),
        i18n::long_date(ctx.today, l)
    ));
    doc.figures = dashboard_figures(d);
    doc.heading(t(l, "Ringkasan", "Summary"));
    doc.fields(vec![
        (
            t(l, "Kemajuan rencana", "Plan progress"),
            d.progress.map_or("—".into(), |p| {
                format!("{} %", crate::report::doc::format_num(p))
            }),
        ),
        (
            t(l, "Komitmen", "Commitments"),
            d.commitments.len().to_string(),
        ),
        (
            t(l, "Kegiatan belum mulai", "Milestones not started"),
            d.counts.not_started.to_string(),
        ),
        (
            t(l, "Kegiatan berjalan", "Milestones in progress"),
            d.counts.in_progress.to_string(),
        ),
        (
            t(l, "Kegiatan selesai", "Milestones completed"),
            d.counts.completed.to_string(),
        ),
        (
            t(l, "Kegiatan terlambat", "Milestones delayed"),
            d.counts.delayed.to_string(),
        ),
        (
            t(l, "Kegiatan dibatalkan", "Milestones cancelled"),
            d.counts.cancelled.to_string(),
        ),
        (
            t(
                l,
                "Kegiatan tidak selesai (rencana aksi berakhir)",
                "Milestones not completed (the plan is over)",
            ),
            d.counts.not_completed.to_string(),
        ),
        (
            t(l, "Tenggat berikutnya", "Next deadline"),
            d.next_deadline
                .map_or("—".into(), |x| i18n::long_date(x, l)),
        ),
        (
            t(l, "Komitmen tanpa pendanaan", "Commitments without funding"),
            d.unfunded().count().to_string(),
        ),
    ]);
    doc.heading(t(l, "Kemajuan per komitmen", "Progress by commitment"));
    doc.table(commitment_table(ctx, &HashMap::new()));

    let ids: Vec<Uuid> = d.commitments.iter().map(|c| c.commitment.id).collect();
    let milestones = milestones_of(db, &ids).await?;
    let m_ids: Vec<Uuid> = milestones.values().flatten().map(|m| m.id).collect();
    let mut latest: HashMap<Uuid, progress_update::Model> = HashMap::new();
    for chunk in m_ids.chunks(500) {
        for u in progress_update::Entity::find()
            .filter(progress_update::Column::MilestoneId.is_in(chunk.to_vec()))
            .order_by_asc(progress_update::Column::ReportedOn)
            .order_by_asc(progress_update::Column::CreatedAt)
            .all(db)
            .await?
        {
            latest.insert(u.milestone_id, u);
        }
    }
    let mut table = Table::new(
        "kegiatan",
        t(l, "Kemajuan kegiatan", "Milestone progress"),
        &[
            ("commitment", &t(l, "Komitmen", "Commitment"), 1.2),
            ("title", &t(l, "Kegiatan", "Milestone"), 3.8),
            ("responsible", &t(l, "Penanggung jawab", "Responsible"), 2.2),
            ("ends_on", &t(l, "Selesai", "Due"), 1.7),
            ("weight", &t(l, "Bobot", "Weight"), 1.0),
            ("status", &t(l, "Status", "Status"), 1.8),
            ("percent", &t(l, "%", "%"), 0.8),
            ("reported_on", &t(l, "Laporan terakhir", "Last report"), 1.7),
            ("note", &t(l, "Catatan", "Note"), 3.0),
            ("evidence", &t(l, "Bukti", "Evidence"), 2.6),
        ],
    );
    for row in &d.commitments {
        let c = &row.commitment;
        for m in milestones.get(&c.id).into_iter().flatten() {
            let u = latest.get(&m.id);
            let links: Vec<String> = u
                .and_then(|u| serde_json::from_value(u.evidence_links.clone()).ok())
                .unwrap_or_default();
            table.push(vec![
                Cell::text(label(c)),
                Cell::text(m.title.clone()),
                ctx.org(m.responsible_organisation_id),
                Cell::date(m.ends_on),
                Cell::Int(i64::from(m.weight)),
                Cell::text(milestone_state(m, ctx.today, ctx.plan.status.is_over(), l)),
                Cell::Int(i64::from(m.percent())),
                Cell::date(u.map(|u| u.reported_on)),
                Cell::opt(u.and_then(|u| u.note.clone())),
                if links.is_empty() {
                    Cell::Empty
                } else {
                    Cell::text(links.join("\n"))
                },
            ]);
        }
    }
    doc.heading(t(l, "Kemajuan per kegiatan", "Progress by milestone"));
    doc.table(table);
    doc.primary = 0;
    Ok(())
}
