//! Events as iCalendar (RFC 5545): `GET /events/{id}.ics` for one event and
//! `GET /calendar/{member}.ics` for a member's public events (a feed calendar apps subscribe
//! to). Times in UTC; a stable UID per event; SEQUENCE raised on every change; regular
//! meetings as RRULE with their exceptions as EXDATE. Internal events are never here.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use entity::event::{self, EventStatus, Frequency};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::HttpState;

/// Events in a member's calendar feed.
const FEED_EVENTS: u64 = 1000;

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a UTF-8 character), CRLF-ended.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn vevent(out: &mut String, e: &event::Model, base: &str, tz: chrono_tz::Tz, now: DateTime<Utc>) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}@terbuka", e.id));
    line(out, &format!("DTSTAMP:{}", stamp(now)));
    line(out, &format!("DTSTART:{}", stamp(e.starts_at)));
    match e.ends_at {
        Some(end) => line(out, &format!("DTEND:{}", stamp(end))),
        None => line(out, "DURATION:PT2H"),
    }
    line(out, &format!("SEQUENCE:{}", e.sequence));
    line(out, &format!("LAST-MODIFIED:{}", stamp(e.updated_at)));
    line(out, &format!("SUMMARY:{}", text(&e.title)));
    let place: Vec<&str> = [
        e.venue_room.as_deref(),
        e.venue_name.as_deref(),
        e.venue_address.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !place.is_empty() {
        line(out, &format!("LOCATION:{}", text(&place.join(", "))));
    }
    if let Some(d) = &e.description {
        line(out, &format!("DESCRIPTION:{}", text(d)));
    }
    let url = e
        .online_url
        .clone()
        .unwrap_or_else(|| format!("{base}/events/{}.ics", e.id));
    line(out, &format!("URL:{}", text(&url)));
    line(
        out,
        match e.status {
            EventStatus::Cancelled => "STATUS:CANCELLED",
            EventStatus::Postponed => "STATUS:TENTATIVE",
            _ => "STATUS:CONFIRMED",
        },
    );
    if let Some(r) = e.recurrence() {
        let mut rule = format!(
            "RRULE:FREQ={};INTERVAL={}",
            match r.frequency {
                Frequency::Weekly => "WEEKLY",
                Frequency::Monthly => "MONTHLY",
            },
            r.interval
        );
        if let Some(c) = r.count {
            rule.push_str(&format!(";COUNT={c}"));
        } else if let Some(u) = r.until {
            // The end of the local day, in UTC.
            let end = entity::clock::day_start(u + chrono::Days::new(1), tz)
                - chrono::Duration::seconds(1);
            rule.push_str(&format!(";UNTIL={}", stamp(end)));
        }
        line(out, &rule);
        // An exception falls at the meeting's local time on that date.
        let time = e.starts_at.with_timezone(&tz).time();
        let dates: Vec<String> = r
            .exceptions
            .iter()
            .filter_map(|d| d.and_time(time).and_local_timezone(tz).earliest())
            .map(|at| stamp(at.with_timezone(&Utc)))
            .collect();
        if !dates.is_empty() {
            line(out, &format!("EXDATE:{}", dates.join(",")));
        }
    }
    line(out, "END:VEVENT");
}

fn calendar(
    name: &str,
    events: &[event::Model],
    base: &str,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Response {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Terbuka//Pemerintahan Terbuka//ID");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{}", tz.name()));
    for e in events {
        vevent(&mut out, e, base, tz, now);
    }
    line(&mut out, "END:VCALENDAR");
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        out,
    )
        .into_response()
}

fn failed(e: sea_orm::DbErr) -> Response {
    tracing::error!(error = %e, "calendar");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// One public event (`{id}` is the event's global id or its UUID).
pub async fn one(State(state): State<HttpState>, Path(file): Path<String>) -> Response {
    let Some(raw) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id = uuid::Uuid::parse_str(raw)
        .ok()
        .or_else(|| entity::ids::decode_as(raw, entity::event::KIND));
    let Some(id) = id else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = &state.app.db;
    let e = match event::Entity::find_by_id(id).one(db).await {
        Ok(Some(e)) if e.is_public => e,
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => return failed(err),
    };
    let member = match entity::member::Entity::find_by_id(e.member_id)
        .one(db)
        .await
    {
        Ok(Some(m)) => m,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => return failed(err),
    };
    let base = state.app.config.worker.public_url.trim_end_matches('/');
    calendar(
        &e.title.clone(),
        &[e],
        base,
        member.tz(),
        state.app.clock.now(),
    )
}

/// A member's public events.
pub async fn feed(State(state): State<HttpState>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = &state.app.db;
    let member = match entity::member::Entity::find()
        .filter(entity::member::Column::Slug.eq(slug))
        .one(db)
        .await
    {
        Ok(Some(m)) => m,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => return failed(err),
    };
    let events = match event::Entity::find()
        .filter(event::Column::MemberId.eq(member.id))
        .filter(event::Column::IsPublic.eq(true))
        .order_by_desc(event::Column::StartsAt)
        .limit(FEED_EVENTS)
        .all(db)
        .await
    {
        Ok(e) => e,
        Err(err) => return failed(err),
    };
    let base = state.app.config.worker.public_url.trim_end_matches('/');
    calendar(
        &format!("Pemerintahan Terbuka — {}", member.name),
        &events,
        base,
        member.tz(),
        state.app.clock.now(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        let summary = format!("SUMMARY:{}", "Mu’awanah ".repeat(12));
        super::line(&mut out, &summary);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.strip_suffix("\r\n"), Some(summary.as_str()));
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(
            super::text("Rapat; monev, Ruang PPID\\n\nbaris"),
            "Rapat\\; monev\\, Ruang PPID\\\\n\\nbaris"
        );
    }
}
