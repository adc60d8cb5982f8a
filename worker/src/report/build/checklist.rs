//! The OGP co-creation standards checked, with the documents behind the evidence.

use super::*;

pub(super) async fn checklist<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    ctx: &PlanContext<'_>,
    i: &Inputs<'_>,
) -> Result<(), BuildError> {
    let l = ctx.lang;
    let tz: Tz = ctx.member.tz();
    let report = compliance::co_creation(db, ctx.plan, tz, ctx.today, i.lead_days, l).await?;
    doc.title = format!(
        "{} — {}",
        t(l, "Standar ko-kreasi OGP", "OGP co-creation standards"),
        ctx.plan.title
    );
    doc.lines = ctx.lines();
    doc.lines.push(format!(
        "{}: {} – {}",
        t(l, "Rentang yang diperiksa", "Period checked"),
        i18n::long_date(report.from, l),
        i18n::long_date(report.to, l)
    ));
    let mut table = Table::new(
        "standar",
        t(l, "Daftar periksa", "Checklist"),
        &[
            ("code", &t(l, "Kode", "Code"), 2.8),
            ("title", &t(l, "Standar", "Standard"), 3.3),
            ("verdict", &t(l, "Hasil", "Verdict"), 1.9),
            ("evidence", &t(l, "Bukti", "Evidence"), 4.0),
            ("missing", &t(l, "Yang kurang", "Missing"), 3.2),
        ],
    );
    for c in &report.checks {
        table.push(vec![
            Cell::text(code(c.code)),
            Cell::text(c.title.clone()),
            Cell::text(match c.verdict {
                compliance::Verdict::Met => t(l, "Terpenuhi", "Met"),
                compliance::Verdict::NotMet => t(l, "Belum terpenuhi", "Not met"),
            }),
            Cell::text(c.evidence.join("\n")),
            Cell::text(c.missing.join("\n")),
        ]);
    }
    doc.figures = json!({
        "from": report.from.to_string(),
        "to": report.to.to_string(),
        "met": report.checks.iter().filter(|c| c.verdict == compliance::Verdict::Met).count(),
        "checks": report.checks.iter().map(|c| json!({
            "code": code(c.code),
            "verdict": code(c.verdict),
            "evidence": c.evidence,
            "missing": c.missing,
        })).collect::<Vec<_>>(),
    });
    doc.heading(t(l, "Daftar periksa", "Checklist"));
    doc.primary = doc.table(table);

    // The documents behind the evidence, with links to open them.
    let events: HashMap<Uuid, event::Model> = event::Entity::find()
        .filter(event::Column::MemberId.eq(ctx.member.id))
        .all(db)
        .await?
        .into_iter()
        .filter(|e| {
            let d = e.starts_at.with_timezone(&tz).date_naive();
            d >= report.from && d <= report.to
        })
        .map(|e| (e.id, e))
        .collect();
    let docs = document::Entity::find()
        .filter(document::Column::MemberId.eq(ctx.member.id))
        .order_by_asc(document::Column::DocumentDate)
        .order_by_asc(document::Column::CreatedAt)
        .all(db)
        .await?;
    let mut links = Table::new(
        "bukti",
        t(l, "Dokumen bukti", "Evidence documents"),
        &[
            ("date", &t(l, "Tanggal", "Date"), 1.7),
            ("title", &t(l, "Dokumen", "Document"), 3.5),
            ("kind", &t(l, "Jenis", "Kind"), 1.6),
            ("event", &t(l, "Kegiatan", "Event"), 3.0),
            ("link", &t(l, "Tautan", "Link"), 4.0),
        ],
    );
    for d in docs {
        let event = d.event_id.and_then(|id| events.get(&id));
        let for_plan = d.plan_id == Some(ctx.plan.id);
        if event.is_none() && !for_plan {
            continue;
        }
        let link = d
            .url
            .clone()
            .unwrap_or_else(|| format!("{}/files/{}", i.public_url.trim_end_matches('/'), d.id));
        links.push(vec![
            Cell::date(
                d.document_date
                    .or_else(|| event.map(|e| e.starts_at.with_timezone(&tz).date_naive())),
            ),
            Cell::text(d.title.clone()),
            Cell::text(said(d.kind, l)),
            Cell::opt(event.map(|e| e.title.clone())),
            Cell::text(link),
        ]);
    }
    doc.heading(t(l, "Dokumen bukti", "Evidence documents"));
    doc.table(links);
    Ok(())
}
