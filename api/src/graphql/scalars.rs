//! Scalars with the names the API documents: `Date` (ISO 8601 calendar date).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A calendar date, `YYYY-MM-DD` (in the member's time zone where it is a local day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_iso_date(s).map(Date).ok_or_else(|| {
                InputValueError::custom(format!("{s:?} is not a date such as 2018-08-31"))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Exactly `YYYY-MM-DD`, and a day that exists.
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_iso_dates_that_exist() {
        assert!(super::parse_iso_date("2018-08-31").is_some());
        for bad in [
            "2018-8-31",
            "2018-02-30",
            "20180831",
            "2018-08-31T00:00",
            " 2018-08-31",
            "yesterday",
        ] {
            assert!(super::parse_iso_date(bad).is_none(), "{bad}");
        }
    }
}
