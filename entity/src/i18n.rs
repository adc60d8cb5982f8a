//! Languages people read Terbuka in: Indonesian first, English second.
//!
//! Dates are written the way people write them ("Kamis, 28 Juni 2018"), in the member's time zone.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A language a message can be written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header: English only when the client
    /// prefers it to Indonesian; everything else reads Indonesian.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Id;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "id" || tag.starts_with("id-") || tag == "in" {
                Lang::Id
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Id)
    }

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Parses a stored tag; anything unknown reads Indonesian.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Id
        }
    }
}

const ID_MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_name(day: Weekday, lang: Lang) -> &'static str {
    match (lang, day) {
        (Lang::Id, Weekday::Mon) => "Senin",
        (Lang::Id, Weekday::Tue) => "Selasa",
        (Lang::Id, Weekday::Wed) => "Rabu",
        (Lang::Id, Weekday::Thu) => "Kamis",
        (Lang::Id, Weekday::Fri) => "Jumat",
        (Lang::Id, Weekday::Sat) => "Sabtu",
        (Lang::Id, Weekday::Sun) => "Minggu",
        (Lang::En, Weekday::Mon) => "Monday",
        (Lang::En, Weekday::Tue) => "Tuesday",
        (Lang::En, Weekday::Wed) => "Wednesday",
        (Lang::En, Weekday::Thu) => "Thursday",
        (Lang::En, Weekday::Fri) => "Friday",
        (Lang::En, Weekday::Sat) => "Saturday",
        (Lang::En, Weekday::Sun) => "Sunday",
    }
}

/// "Kamis, 28 Juni 2018" / "Thursday, 28 June 2018".
pub fn long_date(date: NaiveDate, lang: Lang) -> String {
    let months = match lang {
        Lang::Id => &ID_MONTHS,
        Lang::En => &EN_MONTHS,
    };
    format!(
        "{}, {} {} {}",
        weekday_name(date.weekday(), lang),
        date.day(),
        months[date.month0() as usize],
        date.year()
    )
}

/// "Kamis, 28 Juni 2018 pukul 12.00 WIB" / "Thursday, 28 June 2018 at 12:00 WIB".
pub fn long_datetime(at: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    let local = at.with_timezone(&tz);
    let zone = local.format("%Z").to_string();
    match lang {
        Lang::Id => format!(
            "{} pukul {:02}.{:02} {}",
            long_date(local.date_naive(), lang),
            local.hour(),
            local.minute(),
            zone
        ),
        Lang::En => format!(
            "{} at {:02}:{:02} {}",
            long_date(local.date_naive(), lang),
            local.hour(),
            local.minute(),
            zone
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn accept_language_prefers_english_only_when_asked() {
        assert_eq!(Lang::from_accept_language(None), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("id,en;q=0.8")), Lang::Id);
        assert_eq!(
            Lang::from_accept_language(Some("en;q=0.5,id;q=0.9")),
            Lang::Id
        );
        assert_eq!(Lang::from_accept_language(Some("fr-FR")), Lang::Id);
        assert_eq!(
            Lang::from_accept_language(Some("fr;q=1,en;q=0.2")),
            Lang::En
        );
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let meeting = Utc.with_ymd_and_hms(2018, 6, 28, 5, 0, 0).unwrap();
        assert_eq!(
            long_datetime(meeting, chrono_tz::Asia::Jakarta, Lang::Id),
            "Kamis, 28 Juni 2018 pukul 12.00 WIB"
        );
        assert_eq!(
            long_datetime(meeting, chrono_tz::Asia::Jakarta, Lang::En),
            "Thursday, 28 June 2018 at 12:00 WIB"
        );
    }
}
