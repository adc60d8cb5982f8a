//! Parse, don't validate: each function turns raw input into a value that is known to be good,
//! or into a [`FieldProblem`] naming the field.

use crate::problem::Refusal;
use chrono_tz::Tz;

use crate::problem::{FieldProblem, Problem};

/// Collapses runs of whitespace, trims, and refuses control characters.
fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn refuse_control(field: &[&str], raw: &str) -> Result<(), FieldProblem> {
    let bad = raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'));
    if bad {
        return Err(FieldProblem::new(
            field,
            Problem::Refused(Refusal::ControlCharacters),
        ));
    }
    Ok(())
}

/// A required single-line text of at most `max` characters.
pub fn required_text(field: &[&str], raw: &str, max: usize) -> Result<String, FieldProblem> {
    refuse_control(field, raw)?;
    let value = clean(raw);
    if value.is_empty() {
        return Err(FieldProblem::new(field, Problem::Required));
    }
    if value.chars().count() > max {
        return Err(FieldProblem::new(field, Problem::TooLong { max }));
    }
    Ok(value)
}

/// An optional single-line text; blank reads as absent.
pub fn optional_text(
    field: &[&str],
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldProblem> {
    if let Some(raw) = raw {
        refuse_control(field, raw)?;
    }
    match raw.map(clean) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) if v.chars().count() > max => {
            Err(FieldProblem::new(field, Problem::TooLong { max }))
        }
        Some(v) => Ok(Some(v)),
    }
}

/// A multi-line text (notes, minutes): line breaks kept, ends trimmed.
pub fn long_text(
    field: &[&str],
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldProblem> {
    let Some(raw) = raw else { return Ok(None) };
    let value = raw.trim().replace("\r\n", "\n");
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(FieldProblem::new(field, Problem::TooLong { max }));
    }
    refuse_control(field, &value.replace(['\n', '\t'], " "))?;
    Ok(Some(value))
}

/// An IANA time zone name such as `Asia/Jakarta`.
pub fn time_zone(field: &[&str], raw: &str) -> Result<Tz, FieldProblem> {
    raw.trim()
        .parse::<Tz>()
        .map_err(|_| FieldProblem::new(field, Problem::InvalidTimeZone))
}

/// A URL-safe short name: lower-case ASCII letters, digits and single hyphens.
pub fn slug(field: &[&str], raw: &str) -> Result<String, FieldProblem> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldProblem::new(field, Problem::Required));
    }
    let ok = value.len() <= 60
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--");
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldProblem::new(field, Problem::InvalidSlug))
    }
}

/// An absolute http(s) URL.
pub fn optional_url(field: &[&str], raw: Option<&str>) -> Result<Option<String>, FieldProblem> {
    let Some(v) = optional_text(field, raw, 2000)? else {
        return Ok(None);
    };
    let lower = v.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !v.contains(' ') => Ok(Some(v)),
        _ => Err(FieldProblem::new(field, Problem::InvalidUrl)),
    }
}

/// The key two names are compared by: case- and space-insensitive.
pub fn name_key(name: &str) -> String {
    clean(name).to_lowercase()
}

/// Makes a slug out of a name ("Kabupaten Bojonegoro" → "kabupaten-bojonegoro").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

/// An end before its start is refused on `input.<field>`.
pub fn check_range(
    problems: &mut crate::Problems,
    field: &str,
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
) {
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        problems.push(
            &["input", field],
            crate::Problem::Refused(crate::Refusal::EndBeforeStart),
        );
    }
}

/// A clearable text, checked: `None` unchanged, `Some(None)` cleared.
pub fn text_change(
    problems: &mut crate::Problems,
    field: &str,
    v: Option<Option<String>>,
    max: usize,
    long: bool,
) -> Option<Option<String>> {
    match v {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => {
            let r = if long {
                long_text(&["input", field], Some(&t), max)
            } else {
                optional_text(&["input", field], Some(&t), max)
            };
            problems.check(r)
        }
    }
}

/// A clearable e-mail address, parsed once: `None` unchanged, `Some(None)` cleared (an empty
/// value clears it too when `empty_clears`), otherwise the address as the mail transport takes
/// it, or `INVALID_EMAIL` on `input.<field>`.
pub fn email_change(
    problems: &mut crate::Problems,
    field: &str,
    v: &Option<Option<String>>,
    empty_clears: bool,
) -> Option<Option<String>> {
    match v {
        None => None,
        Some(Some(e)) if !(empty_clears && e.trim().is_empty()) => {
            match crate::notify::Address::parse(e) {
                Some(e) => Some(Some(e.into_string())),
                None => {
                    problems.push(&["input", field], crate::Problem::InvalidEmail);
                    None
                }
            }
        }
        Some(_) => Some(None),
    }
}

/// A clearable phone number, parsed once into its stored form (see
/// [`crate::person::parse_phone`]); `PHONE_INVALID` on `input.<field>` otherwise.
pub fn phone_change(
    problems: &mut crate::Problems,
    field: &str,
    v: &Option<Option<String>>,
    empty_clears: bool,
) -> Option<Option<String>> {
    match v {
        None => None,
        Some(Some(n)) if !(empty_clears && n.trim().is_empty()) => {
            match crate::person::parse_phone(n) {
                Some(n) => Some(Some(n)),
                None => {
                    problems.push(
                        &["input", field],
                        crate::Problem::Refused(crate::Refusal::PhoneInvalid),
                    );
                    None
                }
            }
        }
        Some(_) => Some(None),
    }
}

/// A clearable web address: `None` unchanged, `Some(None)` cleared.
pub fn url_change(
    problems: &mut crate::Problems,
    field: &str,
    v: &Option<Option<String>>,
) -> Option<Option<String>> {
    match v {
        None => None,
        Some(None) => Some(None),
        Some(Some(u)) => problems.check(optional_url(&["input", field], Some(u))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cleaned_and_bounded() {
        assert_eq!(
            required_text(&["input", "name"], "  Dinas   Kominfo ", 50).unwrap(),
            "Dinas Kominfo"
        );
        assert_eq!(
            required_text(&["input", "name"], " \t ", 50)
                .unwrap_err()
                .problem,
            Problem::Required
        );
        assert_eq!(
            required_text(&["input", "name"], "abcdef", 5)
                .unwrap_err()
                .problem,
            Problem::TooLong { max: 5 }
        );
        // Characters, not bytes: "Mu'awanah" with Indonesian letters counts per character.
        assert!(required_text(&["n"], "ééééé", 5).is_ok());
    }

    #[test]
    fn slugs_and_urls() {
        assert!(slug(&["s"], "bojonegoro").is_ok());
        assert!(slug(&["s"], "Bojonegoro").is_err());
        assert!(slug(&["s"], "a--b").is_err());
        assert_eq!(slugify("Kabupaten Bojonegoro!"), "kabupaten-bojonegoro");
        assert!(
            optional_url(&["u"], Some("https://bojonegorokab.go.id"))
                .unwrap()
                .is_some()
        );
        assert!(optional_url(&["u"], Some("javascript:alert(1)")).is_err());
        assert_eq!(optional_url(&["u"], Some("  ")).unwrap(), None);
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(time_zone(&["tz"], "Asia/Jakarta").is_ok());
        assert!(time_zone(&["tz"], "WIB").is_err());
    }
}
