//! The minutes (notulen) of a meeting.

use super::*;

pub(super) async fn minutes<C: ConnectionTrait>(
    db: &C,
    doc: &mut Doc,
    member: &member::Model,
    e: &event::Model,
    tz: Tz,
    l: Lang,
) -> Result<(), BuildError> {
    let orgs = organisations(db, member.id).await?;
    let org = |id: Option<Uuid>| id.and_then(|id| orgs.get(&id).cloned());
    doc.title = format!("{} — {}", t(l, "Notulen", "Minutes"), e.title);
    doc.lines = vec![member.name.clone(), i18n::long_datetime(e.starts_at, tz, l)];
    let venue: Vec<&str> = [
        e.venue_room.as_deref(),
        e.venue_name.as_deref(),
        e.venue_address.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !venue.is_empty() {
        doc.lines.push(venue.join(", "));
    }
    let attending: Vec<String> = event_organisation::Entity::find()
        .filter(event_organisation::Column::EventId.eq(e.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|x| org(Some(x.organisation_id)))
        .collect();
    doc.fields(vec![
        (t(l, "Jenis kegiatan", "Kind"), said(e.kind, l)),
        (t(l, "Status", "Status"), said(e.status, l)),
        (
            t(l, "Penyelenggara", "Organiser"),
            org(e.organiser_id).unwrap_or_else(|| "—".into()),
        ),
        (
            t(l, "Lembaga yang hadir", "Organisations present"),
            if attending.is_empty() {
                "—".into()
            } else {
                attending.join(", ")
            },
        ),
        (
            t(l, "Jumlah peserta", "Attendees"),
            e.attendee_count.map_or("—".into(), |n| n.to_string()),
        ),
    ]);
    let agenda = agenda_item::Entity::find()
        .filter(agenda_item::Column::EventId.eq(e.id))
        .order_by_asc(agenda_item::Column::Ordinal)
        .all(db)
        .await?;
    let mut a_table = Table::new(
        "agenda",
        t(l, "Agenda", "Agenda"),
        &[
            ("ordinal", "No", 0.6),
            ("title", &t(l, "Acara", "Item"), 5.0),
            ("speaker", &t(l, "Narasumber", "Speaker"), 2.5),
            ("minutes", &t(l, "Menit", "Minutes"), 1.0),
        ],
    );
    for a in &agenda {
        a_table.push(vec![
            Cell::Int(i64::from(a.ordinal)),
            Cell::text(a.title.clone()),
            Cell::opt(a.speaker_name.clone()),
            a.duration_minutes
                .map_or(Cell::Empty, |m| Cell::Int(i64::from(m))),
        ]);
    }
    if !agenda.is_empty() {
        doc.heading(t(l, "Agenda", "Agenda"));
        doc.table(a_table);
    }
    doc.heading(t(l, "Notulen", "Minutes"));
    doc.paragraph(e.minutes.clone().unwrap_or_else(|| {
        t(
            l,
            "Notulen belum ditulis.",
            "The minutes have not been written yet.",
        )
    }));

    let follow_ups = follow_up::Entity::find()
        .filter(follow_up::Column::EventId.eq(e.id))
        .order_by_asc(follow_up::Column::Ordinal)
        .all(db)
        .await?;
    let mut f_table = Table::new(
        "tindak_lanjut",
        t(l, "Tindak lanjut", "Follow-up actions"),
        &[
            ("ordinal", "No", 0.6),
            ("description", &t(l, "Tindak lanjut", "Action"), 5.0),
            ("owner", &t(l, "Pelaksana", "Owner"), 2.5),
            ("due_on", &t(l, "Tenggat", "Due"), 1.6),
            ("status", &t(l, "Status", "Status"), 1.5),
        ],
    );
    for (n, f) in follow_ups.iter().enumerate() {
        f_table.push(vec![
            Cell::Int(n as i64 + 1),
            Cell::text(f.description.clone()),
            Cell::opt(org(f.owner_organisation_id)),
            Cell::date(f.due_on),
            Cell::text(said(f.status, l)),
        ]);
    }
    doc.heading(t(l, "Tindak lanjut", "Follow-up actions"));
    doc.primary = doc.table(f_table);

    // What participants said, without who they are (names and addresses stay private).
    let inputs = public_input::Entity::find()
        .filter(public_input::Column::EventId.eq(e.id))
        .filter(public_input::Column::HiddenAt.is_null())
        .order_by_asc(public_input::Column::ReceivedAt)
        .all(db)
        .await?;
    let mut i_table = Table::new(
        "masukan",
        t(l, "Masukan dan catatan", "Input received"),
        &[
            ("ordinal", "No", 0.6),
            ("body", &t(l, "Masukan", "Input"), 5.0),
            ("response", &t(l, "Tanggapan", "Response"), 1.6),
            ("reason", &t(l, "Alasan", "Reason"), 3.0),
        ],
    );
    for (n, p) in inputs.iter().enumerate() {
        i_table.push(vec![
            Cell::Int(n as i64 + 1),
            Cell::text(p.body.clone()),
            Cell::opt(p.response.map(|r| r.label(l))),
            Cell::opt(p.response_reason.clone()),
        ]);
    }
    if !inputs.is_empty() {
        doc.heading(t(l, "Masukan dan catatan", "Input received"));
        doc.table(i_table);
    }
    doc.figures = json!({
        "attendeeCount": e.attendee_count,
        "organisationsPresent": attending.len(),
        "agendaItems": agenda.len(),
        "followUps": follow_ups.len(),
        "inputs": inputs.len(),
    });
    Ok(())
}
