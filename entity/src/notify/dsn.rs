//! Reading a delivery-status notification (DSN, RFC 3464): the `multipart/report` message a
//! mail server sends back when it could not deliver, or delivered late. What Terbuka needs of
//! it: per recipient the address, the action (`failed`, `delayed`, …), the status (`5.1.1`)
//! and what the remote server said; and which of our messages it is about (the returned
//! headers carry our `X-Terbuka-Delivery` header and a `Message-ID` of `<{delivery}@terbuka>`).

use mail_parser::{MessageParser, MimeHeaders};
use uuid::Uuid;

use crate::mail_bounce::BounceKind;

/// The most a notification may weigh (a returned message is cut to its headers by most
/// servers; one that returns a whole large message is still read up to this).
pub const MAX_BYTES: usize = 2 << 20;

/// One recipient's fate, as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientReport {
    /// `Final-Recipient` (or `Original-Recipient`), lower case.
    pub address: String,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// `5.1.1`.
    pub status: String,
    /// `Diagnostic-Code`, without its type (`smtp;`).
    pub diagnostic: Option<String>,
}

impl RecipientReport {
    /// A bounce, and of which kind; `None` for a report that says the mail arrived
    /// (delivered, relayed, expanded).
    pub fn bounce(&self) -> Option<BounceKind> {
        match self.action.as_str() {
            "failed" if self.status.starts_with('5') => Some(BounceKind::Hard),
            // Given up on after retries for a passing reason (4.4.7 expired): the address may
            // be fine.
            "failed" | "delayed" => Some(BounceKind::Soft),
            _ => None,
        }
    }
}

/// A notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The notification's own `Message-ID`.
    pub message_id: Option<String>,
    /// The message it is about, when the returned headers name one of ours.
    pub delivery: Option<Uuid>,
    pub recipients: Vec<RecipientReport>,
}

/// Why a message is not a notification that can be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DsnError {
    #[error("the body is empty")]
    Empty,
    #[error("the message is larger than {MAX_BYTES} bytes")]
    TooLarge,
    #[error("not a mail message (no headers)")]
    NotMail,
    #[error(
        "not a delivery-status notification: expected multipart/report; report-type=delivery-status (RFC 3464)"
    )]
    NotReport,
    #[error("the notification has no message/delivery-status part")]
    NoStatus,
    #[error("the delivery-status part names no recipient with an action and a status")]
    NoRecipient,
}

/// Reads `raw` (the notification as it arrived, headers and body).
pub fn parse(raw: &[u8]) -> Result<Report, DsnError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(DsnError::Empty);
    }
    if raw.len() > MAX_BYTES {
        return Err(DsnError::TooLarge);
    }
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(DsnError::NotMail)?;
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct.attribute("report-type").is_some_and(|r| {
                r.eq_ignore_ascii_case("delivery-status")
                    || r.eq_ignore_ascii_case("global-delivery-status")
            })
    });
    if !is_report {
        return Err(DsnError::NotReport);
    }
    let mut status = None;
    let mut delivery = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let (ty, sub) = (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or_default().to_ascii_lowercase(),
        );
        match (ty.as_str(), sub.as_str()) {
            ("message", "delivery-status" | "global-delivery-status") if status.is_none() => {
                status = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            // The returned message, whole or its headers only.
            ("message", "rfc822" | "global") => {
                if let Some(m) = part.message() {
                    delivery = delivery.or_else(|| {
                        m.header_raw("X-Terbuka-Delivery")
                            .and_then(|v| v.trim().parse().ok())
                            .or_else(|| m.message_id().and_then(ours))
                    });
                }
            }
            ("text", "rfc822-headers") | ("message", "rfc822-headers") => {
                let text = String::from_utf8_lossy(part.contents());
                delivery = delivery.or_else(|| returned_delivery(&text));
            }
            _ => {}
        }
    }
    let status = status.ok_or(DsnError::NoStatus)?;
    let recipients = recipients(&status);
    if recipients.is_empty() {
        return Err(DsnError::NoRecipient);
    }
    Ok(Report {
        message_id: message.message_id().map(str::to_owned),
        delivery,
        recipients,
    })
}

/// The delivery id in one of our Message-IDs (`{uuid}@terbuka`, brackets optional).
fn ours(message_id: &str) -> Option<Uuid> {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    id.strip_suffix("@terbuka")?.parse().ok()
}

/// Our delivery named in returned headers (`text/rfc822-headers`).
fn returned_delivery(headers: &str) -> Option<Uuid> {
    let fields = fields(headers);
    field(&fields, "x-terbuka-delivery")
        .and_then(|v| v.parse().ok())
        .or_else(|| field(&fields, "message-id").and_then(ours))
}

/// `Name: value` fields of one block, continuation lines unfolded, names lower case.
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A typed value (`rfc822; a@b.id`, `smtp; 550 …`) without its type.
fn untyped(value: &str) -> &str {
    match value.split_once(';') {
        Some((_, v)) => v.trim(),
        None => value.trim(),
    }
}

/// The per-recipient blocks of a `message/delivery-status` body (the first block is about the
/// message; each later one names a recipient).
fn recipients(body: &str) -> Vec<RecipientReport> {
    let body = body.replace("\r\n", "\n");
    let mut out = vec![];
    for block in body.split("\n\n").skip(1) {
        let fields = fields(block);
        let Some(address) = field(&fields, "final-recipient")
            .or_else(|| field(&fields, "original-recipient"))
            .map(|v| {
                untyped(v)
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_lowercase()
            })
            .filter(|a| a.contains('@'))
        else {
            continue;
        };
        let (Some(action), Some(status)) = (field(&fields, "action"), field(&fields, "status"))
        else {
            continue;
        };
        // `5.1.1 (no such user)`: the code alone.
        let status = status.split_whitespace().next().unwrap_or_default();
        out.push(RecipientReport {
            address,
            action: action.trim().to_ascii_lowercase(),
            status: status.to_owned(),
            diagnostic: field(&fields, "diagnostic-code")
                .map(untyped)
                .map(str::to_owned)
                .filter(|d| !d.is_empty()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dsn(status_part: &str, returned: &str) -> String {
        format!(
            "From: MAILER-DAEMON@mx.example.org\r\nTo: kabar@bojonegorokab.go.id\r\n\
             Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.example.org>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
             --b1\r\nContent-Type: text/plain\r\n\r\nThis is the mail system.\r\n\r\n\
             --b1\r\nContent-Type: message/delivery-status\r\n\r\n{status_part}\r\n\
             --b1\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned}\r\n--b1--\r\n"
        )
    }

    #[test]
    fn a_postfix_notification_names_the_recipient_the_status_and_our_message() {
        let id = Uuid::now_v7();
        let raw = dsn(
            "Reporting-MTA: dns; mx.example.org\r\nArrival-Date: Mon, 2 Jul 2018 09:00:00 +0700\r\n\r\n\
             Final-Recipient: rfc822; Budi@Example.org\r\nOriginal-Recipient: rfc822;budi@example.org\r\n\
             Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <budi@example.org>:\r\n\
             \x20Recipient address rejected: User unknown\r\n",
            &format!(
                "From: kabar@bojonegorokab.go.id\r\nMessage-ID: <{id}@terbuka>\r\nSubject: x\r\n"
            ),
        );
        let r = parse(raw.as_bytes()).unwrap();
        assert_eq!(r.delivery, Some(id));
        assert_eq!(r.message_id.as_deref(), Some("dsn-1@mx.example.org"));
        assert_eq!(r.recipients.len(), 1);
        let rcpt = &r.recipients[0];
        assert_eq!(rcpt.address, "budi@example.org");
        assert_eq!(rcpt.status, "5.1.1");
        assert_eq!(rcpt.bounce(), Some(BounceKind::Hard));
        assert_eq!(
            rcpt.diagnostic.as_deref(),
            Some("550 5.1.1 <budi@example.org>: Recipient address rejected: User unknown")
        );
    }

    #[test]
    fn delayed_and_temporary_failures_are_soft_and_delivered_is_no_bounce() {
        let raw = dsn(
            "Reporting-MTA: dns; mx.example.org\r\n\r\n\
             Final-Recipient: rfc822; a@example.org\r\nAction: delayed\r\nStatus: 4.2.2\r\n\r\n\
             Final-Recipient: rfc822; b@example.org\r\nAction: failed\r\nStatus: 4.4.7\r\n\r\n\
             Final-Recipient: rfc822; c@example.org\r\nAction: delivered\r\nStatus: 2.0.0\r\n",
            "Subject: x\r\n",
        );
        let r = parse(raw.as_bytes()).unwrap();
        assert_eq!(r.delivery, None);
        let kinds: Vec<_> = r.recipients.iter().map(RecipientReport::bounce).collect();
        assert_eq!(
            kinds,
            [Some(BounceKind::Soft), Some(BounceKind::Soft), None]
        );
    }

    #[test]
    fn what_is_not_a_notification_says_why() {
        assert_eq!(parse(b"  \r\n"), Err(DsnError::Empty));
        assert_eq!(
            parse(b"From: a@b.id\r\nSubject: hello\r\n\r\nJust a letter.\r\n"),
            Err(DsnError::NotReport)
        );
        assert_eq!(parse(&vec![b'a'; MAX_BYTES + 1]), Err(DsnError::TooLarge));
        let no_status = "From: a@b.id\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nsorry\r\n--x--\r\n";
        assert_eq!(parse(no_status.as_bytes()), Err(DsnError::NoStatus));
        let no_rcpt = dsn("Reporting-MTA: dns; mx\r\n\r\nAction: failed\r\n", "");
        assert_eq!(parse(no_rcpt.as_bytes()), Err(DsnError::NoRecipient));
    }
}
