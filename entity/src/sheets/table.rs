//! A sheet read as a table: its heading row found among the first rows (officers put a title
//! above it), each heading matched to a known column by its Indonesian or English name, and
//! each row's cells read as the column wants them — with the cell address of every problem.

use chrono::NaiveDate;

use super::read::{Cell, Format, Sheet, address};
use super::{Issue, SheetProblem};

/// How a column's cells are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Text {
        max: usize,
    },
    Date,
    Whole {
        min: i64,
        max: i64,
    },
    Decimal,
    /// Whole rupiah: a number, or text with dots, commas or spaces between the thousands
    /// (`15.000.000`), at most 10^15.
    Money,
}

/// A column a kind of file has.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The heading written on export and named in problems.
    pub heading: &'static str,
    /// Other headings that mean the same (English among them), compared without case,
    /// punctuation or repeated spaces.
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub kind: Kind,
}

/// A cell's value as its column reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Date(NaiveDate),
    Number(f64),
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// A sheet with its columns found.
#[derive(Debug)]
pub struct Table<'s> {
    pub sheet: &'s Sheet,
    pub format: Format,
    /// Zero-based row of the headings.
    pub heading_row: usize,
    /// For each column of the spec, the sheet's column that holds it.
    pub columns: Vec<Option<usize>>,
}

/// One data row: its zero-based sheet row and a value per column of the spec.
#[derive(Debug)]
pub struct Row {
    pub row: usize,
    pub values: Vec<Value>,
}

/// Headings are compared in this form: lower case, letters and digits, single spaces.
pub fn normalise(heading: &str) -> String {
    heading
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many rows from the top the heading row may be (a title, a subtitle, a blank line…).
const HEADING_WITHIN: usize = 10;

fn matches(spec: &[Column], text: &str) -> Option<usize> {
    let n = normalise(text);
    if n.is_empty() {
        return None;
    }
    spec.iter()
        .position(|c| normalise(c.heading) == n || c.aliases.iter().any(|a| normalise(a) == n))
}

/// Finds, among `sheets`, the one whose heading row names the most columns of `spec`, and
/// checks its headings: none merged, none twice, every required one there.
pub fn find<'s>(
    format: Format,
    sheets: &'s [Sheet],
    spec: &[Column],
    wanted: &'static str,
) -> Result<Table<'s>, Vec<SheetProblem>> {
    let mut best: Option<(usize, &Sheet, usize)> = None;
    for sheet in sheets {
        for (r, row) in sheet.rows.iter().take(HEADING_WITHIN).enumerate() {
            let n = row
                .iter()
                .filter(|c| matches!(c, Cell::Text(t) if matches(spec, t).is_some()))
                .count();
            if n >= 2 && best.is_none_or(|(b, _, _)| n > b) {
                best = Some((n, sheet, r));
            }
        }
    }
    let Some((_, sheet, heading_row)) = best else {
        return Err(vec![SheetProblem {
            sheet: None,
            cell: None,
            issue: Issue::NoSheet { wanted },
        }]);
    };
    let at = |cell: Option<String>, issue| SheetProblem {
        sheet: Some(sheet.name.clone()),
        cell,
        issue,
    };
    let mut problems = vec![];
    for &(r1, c1, r2, c2) in &sheet.merged {
        if (r1 as usize..=r2 as usize).contains(&heading_row) && (r1 != r2 || c1 != c2) {
            let region = format!(
                "{}:{}",
                address(r1 as usize, c1 as usize),
                address(r2 as usize, c2 as usize)
            );
            problems.push(at(
                Some(address(r1 as usize, c1 as usize)),
                Issue::MergedHeading { region },
            ));
        }
    }
    let mut columns = vec![None; spec.len()];
    for (c, cell) in sheet.rows[heading_row].iter().enumerate() {
        let Cell::Text(t) = cell else { continue };
        let Some(i) = matches(spec, t) else { continue };
        if columns[i].is_some() {
            problems.push(at(
                Some(address(heading_row, c)),
                Issue::DuplicateColumn {
                    heading: spec[i].heading,
                },
            ));
        } else {
            columns[i] = Some(c);
        }
    }
    for (i, col) in spec.iter().enumerate() {
        if col.required && columns[i].is_none() {
            problems.push(at(
                None,
                Issue::MissingColumn {
                    heading: col.heading,
                },
            ));
        }
    }
    let has_rows = sheet.rows[heading_row + 1..]
        .iter()
        .any(|r| r.iter().any(|c| !c.is_empty()));
    if !has_rows {
        problems.push(at(None, Issue::EmptySheet));
    }
    if problems.is_empty() {
        Ok(Table {
            sheet,
            format,
            heading_row,
            columns,
        })
    } else {
        Err(problems)
    }
}

/// Reads `d/m/yyyy` (the Indonesian order) or `yyyy-mm-dd`.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .ok()
}

/// A number as typed in a CSV: `12.5`, or `12,5` with the Indonesian decimal comma.
fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    s.parse::<f64>()
        .ok()
        .or_else(|| s.replace(',', ".").parse::<f64>().ok())
        .filter(|n| n.is_finite())
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn value(format: Format, kind: Kind, cell: &Cell) -> Result<Value, Issue> {
    match cell {
        Cell::Formula(_) => return Err(Issue::Formula),
        Cell::Error(e) => return Err(Issue::ErrorValue(e.clone())),
        c if c.is_empty() => return Ok(Value::Empty),
        _ => {}
    }
    match kind {
        Kind::Text { max } => {
            let s = match cell {
                Cell::Text(s) => s.trim().to_owned(),
                Cell::Number(n) => number_text(*n),
                Cell::Date(d) => d.to_string(),
                Cell::Bool(b) => b.to_string(),
                _ => String::new(),
            };
            if s.chars().count() > max {
                return Err(Issue::TooLong { max });
            }
            Ok(Value::Text(s))
        }
        Kind::Date => match cell {
            Cell::Date(d) => Ok(Value::Date(*d)),
            Cell::Text(s) => match (format, parse_date(s)) {
                (Format::Csv, Some(d)) => Ok(Value::Date(d)),
                (Format::Xlsx, Some(_)) => Err(Issue::DateAsText(s.trim().to_owned())),
                _ => Err(Issue::NotADate),
            },
            _ => Err(Issue::NotADate),
        },
        Kind::Money => {
            let n = match cell {
                Cell::Number(n) => *n,
                Cell::Text(s) => {
                    let digits: String = s
                        .trim()
                        .trim_start_matches(['R', 'r'])
                        .trim_start_matches(['P', 'p'])
                        .chars()
                        .filter(|c| !matches!(c, '.' | ',' | ' '))
                        .collect();
                    digits.parse::<i64>().map_err(|_| Issue::NotANumber)? as f64
                }
                _ => return Err(Issue::NotANumber),
            };
            if n.fract() != 0.0 {
                return Err(Issue::NotAWholeNumber);
            }
            if !(0.0..=1e15).contains(&n) {
                return Err(Issue::OutOfRange {
                    min: 0,
                    max: 1_000_000_000_000_000,
                });
            }
            Ok(Value::Number(n))
        }
        Kind::Decimal | Kind::Whole { .. } => {
            let n = match cell {
                Cell::Number(n) => *n,
                Cell::Text(s) => parse_number(s).ok_or(Issue::NotANumber)?,
                _ => return Err(Issue::NotANumber),
            };
            if let Kind::Whole { min, max } = kind {
                if n.fract() != 0.0 {
                    return Err(Issue::NotAWholeNumber);
                }
                if n < min as f64 || n > max as f64 {
                    return Err(Issue::OutOfRange { min, max });
                }
            }
            Ok(Value::Number(n))
        }
    }
}

impl Table<'_> {
    /// Every non-empty row under the headings, read by `spec`; and every problem, with its
    /// cell (a required cell left empty among them).
    pub fn rows(&self, spec: &[Column]) -> (Vec<Row>, Vec<SheetProblem>) {
        let mut rows = vec![];
        let mut problems = vec![];
        for r in self.heading_row + 1..self.sheet.rows.len() {
            let cells = &self.sheet.rows[r];
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            let mut values = Vec::with_capacity(spec.len());
            for (i, col) in spec.iter().enumerate() {
                let v = match self.columns[i] {
                    None => Value::Empty,
                    Some(c) => match value(self.format, col.kind, self.sheet.cell(r, c)) {
                        Ok(v) => v,
                        Err(issue) => {
                            problems.push(self.problem(r, c, issue));
                            Value::Empty
                        }
                    },
                };
                values.push(v);
            }
            rows.push(Row { row: r, values });
        }
        (rows, problems)
    }

    /// A problem at the cell of column `spec_index` of sheet row `row`.
    pub fn problem_at(&self, row: usize, spec_index: usize, issue: Issue) -> SheetProblem {
        self.problem(row, self.columns[spec_index].unwrap_or(0), issue)
    }

    fn problem(&self, row: usize, col: usize, issue: Issue) -> SheetProblem {
        SheetProblem {
            sheet: Some(self.sheet.name.clone()),
            cell: Some(address(row, col)),
            issue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[Column] = &[
        Column {
            heading: "Kode",
            aliases: &["Code"],
            required: true,
            kind: Kind::Text { max: 40 },
        },
        Column {
            heading: "Tanggal Selesai",
            aliases: &["End", "Selesai"],
            required: true,
            kind: Kind::Date,
        },
        Column {
            heading: "Bobot",
            aliases: &["Weight"],
            required: false,
            kind: Kind::Whole { min: 0, max: 100 },
        },
    ];

    fn sheet(rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: "Renaksi".into(),
            rows,
            merged: vec![],
        }
    }
    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn headings_are_found_under_a_title_in_either_language() {
        assert_eq!(normalise("  Tanggal  Selesai* "), "tanggal selesai");
        let s = sheet(vec![
            vec![t("MATRIKS RENCANA AKSI OGP BOJONEGORO")],
            vec![],
            vec![t("code"), t("END"), t("Catatan")],
            vec![
                t("BJN01"),
                Cell::Date(NaiveDate::from_ymd_opt(2018, 8, 31).unwrap()),
            ],
        ]);
        let sheets = [s];
        let table = find(Format::Xlsx, &sheets, SPEC, "Renaksi").unwrap();
        assert_eq!(table.heading_row, 2);
        assert_eq!(table.columns, vec![Some(0), Some(1), None]);
        let (rows, problems) = table.rows(SPEC);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].values[0], Value::Text("BJN01".into()));
    }

    #[test]
    fn every_bad_cell_is_named_by_its_address() {
        let sheets = [sheet(vec![
            vec![t("Kode"), t("Selesai"), t("Bobot")],
            vec![t("BJN01"), t("31/08/2018"), Cell::Formula("=B2*2".into())],
            vec![Cell::Number(2.0), t("besok"), Cell::Number(101.0)],
            vec![t("BJN03"), Cell::Error("#REF!".into()), Cell::Number(1.5)],
        ])];
        let table = find(Format::Xlsx, &sheets, SPEC, "Renaksi").unwrap();
        let (rows, problems) = table.rows(SPEC);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].values[0], Value::Text("2".into()));
        let got: Vec<(String, &str)> = problems
            .iter()
            .map(|p| (p.cell.clone().unwrap(), p.issue.code()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("B2".into(), "DATE_AS_TEXT"),
                ("C2".into(), "FORMULA"),
                ("B3".into(), "NOT_A_DATE"),
                ("C3".into(), "OUT_OF_RANGE"),
                ("B4".into(), "ERROR_VALUE"),
                ("C4".into(), "NOT_A_NUMBER"),
            ]
        );
        assert_eq!(
            problems[0].describe(crate::i18n::Lang::Id),
            "Renaksi!B2: Tanggal \"31/08/2018\" ditulis sebagai teks: format selnya sebagai tanggal."
        );
        // In a CSV everything is text: the date is read.
        let table = find(Format::Csv, &sheets, SPEC, "Renaksi").unwrap();
        let (rows, _) = table.rows(SPEC);
        assert_eq!(
            rows[0].values[1],
            Value::Date(NaiveDate::from_ymd_opt(2018, 8, 31).unwrap())
        );
    }

    #[test]
    fn merged_missing_and_empty_are_refused() {
        let mut s = sheet(vec![vec![t("Kode"), t("Bobot")]]);
        s.merged = vec![(0, 0, 0, 1)];
        let problems = find(Format::Xlsx, std::slice::from_ref(&s), SPEC, "Renaksi").unwrap_err();
        let codes: Vec<&str> = problems.iter().map(|p| p.issue.code()).collect();
        assert_eq!(
            codes,
            vec!["MERGED_HEADING", "MISSING_COLUMN", "EMPTY_SHEET"]
        );
        assert_eq!(
            problems[0].issue,
            Issue::MergedHeading {
                region: "A1:B1".into()
            }
        );
        assert_eq!(
            problems[1].issue.message(crate::i18n::Lang::En),
            "The column \"Tanggal Selesai\" is missing."
        );
        let names = [sheet(vec![vec![t("Nama")]])];
        let none = find(Format::Xlsx, &names, SPEC, "Renaksi");
        assert_eq!(none.unwrap_err()[0].issue.code(), "NO_SHEET");
    }
}
