//! Reading the spreadsheets offices pass around: XLSX (as Excel and LibreOffice save it) and
//! CSV (comma or semicolon separated, as Excel writes it in an Indonesian locale), into sheets
//! of typed cells that remember where they were.
//!
//! What a file may not be is decided here, before any of it is believed: larger than
//! [`MAX_BYTES`], not a spreadsheet (an old `.xls`, a PDF, a picture), a workbook with macros,
//! or a sheet longer than [`MAX_ROWS`]. The cost of reading is linear in the file's size.

use std::io::Cursor;

use calamine::{DataRef, Reader};
use chrono::NaiveDate;

use super::{Issue, SheetProblem};

/// The largest file taken (a Renaksi of 2,000 commitments and 20,000 milestones is ~2 MiB).
pub const MAX_BYTES: usize = 10 << 20;
/// The most data rows a sheet may have (the heading row aside): every milestone of the largest
/// plans we know of fits more than ten times over.
pub const MAX_ROWS: usize = 25_000;
/// The most columns a sheet is read to.
pub const MAX_COLUMNS: usize = 64;

/// One cell's value, as typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell formatted as a date (XLSX); CSV has only text.
    Date(NaiveDate),
    Bool(bool),
    /// A formula: its cached value is not taken (it may be stale, or depend on other files).
    Formula(String),
    /// An error value such as `#REF!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A region of merged cells, zero-based and inclusive: (first row, first column, last row,
/// last column).
pub type Merged = (u32, u32, u32, u32);

#[derive(Clone, Debug)]
pub struct Sheet {
    pub name: String,
    /// Rows from the sheet's first row (row 1 is `rows[0]`), each cut to [`MAX_COLUMNS`].
    pub rows: Vec<Vec<Cell>>,
    pub merged: Vec<Merged>,
}

impl Sheet {
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&Cell::Empty)
    }
}

/// What kind of file it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

/// The column letters of a zero-based column (`0` → `A`, `27` → `AB`).
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = vec![];
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell's address as people write it (`B14`), from zero-based row and column.
pub fn address(row: usize, col: usize) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

fn file_problem(issue: Issue) -> SheetProblem {
    SheetProblem {
        sheet: None,
        cell: None,
        issue,
    }
}

/// Reads `bytes` (named `file_name` by whoever sent it) into sheets.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<(Format, Vec<Sheet>), SheetProblem> {
    if bytes.is_empty() {
        return Err(file_problem(Issue::EmptyFile));
    }
    if bytes.len() > MAX_BYTES {
        return Err(file_problem(Issue::FileTooLarge {
            max_bytes: MAX_BYTES,
        }));
    }
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        if lower.ends_with(".xlsm") || lower.ends_with(".xltm") {
            return Err(file_problem(Issue::Macros));
        }
        return read_xlsx(bytes).map(|s| (Format::Xlsx, s));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // The binary Excel 97–2003 format (or another OLE file).
        return Err(file_problem(Issue::OldExcel));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') && looks_like_text(text) => {
            let name = file_name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(file_name)
                .trim_end_matches(".csv")
                .trim_end_matches(".CSV");
            read_csv(name, text).map(|s| (Format::Csv, s))
        }
        _ => Err(file_problem(Issue::NotASpreadsheet)),
    }
}

/// Text as people type it (no control characters but tabs and line ends).
fn looks_like_text(text: &str) -> bool {
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// What a workbook may unpack to: a sheet of [`MAX_ROWS`] rows of [`MAX_COLUMNS`] long texts
/// is well under it, a zip bomb is well over it.
pub const MAX_UNPACKED: u64 = 256 << 20;

/// Looks inside the zip before any part of it is unpacked: its parts' declared sizes (a zip
/// bomb is refused here) and a VBA project (a macro workbook, whatever its name says).
fn check_package(bytes: &[u8]) -> Result<(), SheetProblem> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| file_problem(Issue::NotASpreadsheet))?;
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|_| file_problem(Issue::NotASpreadsheet))?;
        let name = part
            .name()
            .map_err(|_| file_problem(Issue::NotASpreadsheet))?
            .to_ascii_lowercase();
        if name.ends_with("vbaproject.bin") {
            return Err(file_problem(Issue::Macros));
        }
        unpacked = unpacked.saturating_add(part.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(file_problem(Issue::UnpacksTooLarge {
            max_bytes: MAX_UNPACKED as usize,
        }));
    }
    Ok(())
}

fn cell_of(value: DataRef<'_>, formula: Option<String>) -> Cell {
    if let Some(f) = formula.filter(|f| !f.is_empty()) {
        return Cell::Formula(f);
    }
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_owned()),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(dt) => Cell::Date(dt.date()),
            None => Cell::Error(d.to_string()),
        },
        DataRef::DateTimeIso(s) => {
            match NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d") {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Text(s),
            }
        }
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Reads every worksheet cell by cell, in the order the file holds them: what is kept grows
/// with the cells that have a value, never with the area a sheet claims (one cell at `XFD1048576`
/// costs one cell), and a sheet is given up at its first row past [`MAX_ROWS`].
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, SheetProblem> {
    check_package(bytes)?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| file_problem(Issue::NotASpreadsheet))?;
    let names = book.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let unreadable = |e: calamine::XlsxError, name: &str| SheetProblem {
            sheet: Some(name.to_owned()),
            cell: None,
            issue: Issue::Unreadable(e.to_string()),
        };
        let mut rows: Vec<Vec<Cell>> = vec![];
        {
            let mut cells = match book.worksheet_cells_reader(&name) {
                Ok(r) => r,
                // A chart sheet or a dialog sheet holds no cells.
                Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(unreadable(e, &name)),
            };
            while let Some(c) = cells
                .next_cell_with_formula()
                .map_err(|e| unreadable(e, &name))?
            {
                let (r, col) = (c.pos.0 as usize, c.pos.1 as usize);
                let cell = cell_of(c.value, c.formula);
                if col >= MAX_COLUMNS || cell == Cell::Empty {
                    continue;
                }
                if r > MAX_ROWS {
                    return Err(SheetProblem {
                        sheet: Some(name),
                        cell: Some(address(r, col)),
                        issue: Issue::TooManyRows { max: MAX_ROWS },
                    });
                }
                if rows.len() <= r {
                    rows.resize_with(r + 1, Vec::new);
                }
                let row = &mut rows[r];
                if row.len() <= col {
                    row.resize(col + 1, Cell::Empty);
                }
                row[col] = cell;
            }
        }
        let merged = match book.merge_cells_by_sheet_name(&name) {
            Ok(regions) => regions
                .iter()
                .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                .collect(),
            _ => vec![],
        };
        sheets.push(Sheet { name, rows, merged });
    }
    Ok(sheets)
}

fn read_csv(name: &str, text: &str) -> Result<Vec<Sheet>, SheetProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Excel in an Indonesian locale separates with semicolons (the comma is the decimal mark).
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = vec![];
    for (i, record) in reader.records().enumerate() {
        if i > MAX_ROWS {
            return Err(SheetProblem {
                sheet: Some(name.to_owned()),
                cell: None,
                issue: Issue::TooManyRows { max: MAX_ROWS },
            });
        }
        let record = record.map_err(|e| SheetProblem {
            sheet: Some(name.to_owned()),
            cell: Some(address(i, 0)),
            issue: Issue::Unreadable(e.to_string()),
        })?;
        rows.push(
            record
                .iter()
                .take(MAX_COLUMNS)
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_owned())
                    }
                })
                .collect(),
        );
    }
    Ok(vec![Sheet {
        name: name.to_owned(),
        rows,
        merged: vec![],
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_written_as_people_write_them() {
        assert_eq!(address(0, 0), "A1");
        assert_eq!(address(13, 1), "B14");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn csv_with_semicolons_and_a_byte_order_mark_is_read() {
        let (format, sheets) = read(
            "renaksi.csv",
            "\u{feff}Kode;Komitmen\nBJN01;\"Transparansi; anggaran\"\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(format, Format::Csv);
        assert_eq!(sheets[0].name, "renaksi");
        assert_eq!(
            sheets[0].cell(1, 1),
            &Cell::Text("Transparansi; anggaran".into())
        );
    }

    #[test]
    fn what_is_not_a_spreadsheet_is_refused_before_it_is_read() {
        let refused = |name: &str, bytes: &[u8]| read(name, bytes).unwrap_err().issue;
        assert_eq!(refused("a.xlsx", b""), Issue::EmptyFile);
        assert_eq!(
            refused("a.xls", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
            Issue::OldExcel
        );
        assert_eq!(
            refused("a.pdf", b"%PDF-1.7\n\x00\x01\x02"),
            Issue::NotASpreadsheet
        );
        assert_eq!(
            refused("a.xlsx", b"PK\x03\x04garbage"),
            Issue::NotASpreadsheet
        );
        assert_eq!(refused("a.xlsm", b"PK\x03\x04garbage"), Issue::Macros);
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(
            refused("a.csv", &big),
            Issue::FileTooLarge {
                max_bytes: MAX_BYTES
            }
        );
        let long = "a\n".repeat(MAX_ROWS + 2);
        assert_eq!(
            refused("a.csv", long.as_bytes()),
            Issue::TooManyRows { max: MAX_ROWS }
        );
        // The most rows allowed are read.
        let most = "a\n".repeat(MAX_ROWS + 1);
        assert_eq!(
            read("a.csv", most.as_bytes()).unwrap().1[0].rows.len(),
            MAX_ROWS + 1
        );
    }

    /// A workbook as an officer makes it: a title, headings, a merged title cell, dates as
    /// dates and one typed as text, a formula, a number.
    fn workbook(merge_headings: bool) -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format as F, Workbook};
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.set_name("Renaksi").unwrap();
        let date = F::new().set_num_format("dd/mm/yyyy");
        s.merge_range(0, 0, 0, 3, "MATRIKS RENAKSI", &F::new())
            .unwrap();
        if merge_headings {
            s.merge_range(2, 0, 2, 1, "Kode", &F::new()).unwrap();
        } else {
            s.write(2, 0, "Kode").unwrap();
            s.write(2, 1, "Selesai").unwrap();
        }
        s.write(2, 2, "Bobot").unwrap();
        s.write(3, 0, "BJN01").unwrap();
        let d = ExcelDateTime::from_ymd(2018, 8, 31).unwrap();
        s.write_datetime_with_format(3, 1, &d, &date).unwrap();
        s.write(3, 2, 40).unwrap();
        s.write(4, 0, "BJN02").unwrap();
        s.write(4, 1, "31/08/2018").unwrap();
        s.write_formula(4, 2, "=C4+20").unwrap();
        book.save_to_buffer().unwrap()
    }

    /// `bytes`' zip with `extra` parts added and `[Content_Types].xml` as `content_types`
    /// rewrites it.
    fn repack(
        bytes: &[u8],
        extra: &[(&str, &[u8])],
        content_types: impl Fn(&str) -> String,
    ) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut from = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut to = zip::ZipWriter::new(Cursor::new(vec![]));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..from.len() {
            let mut part = from.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut body = vec![];
            part.read_to_end(&mut body).unwrap();
            if name == "[Content_Types].xml" {
                body = content_types(std::str::from_utf8(&body).unwrap()).into_bytes();
            }
            to.start_file(name, deflated).unwrap();
            to.write_all(&body).unwrap();
        }
        for (name, body) in extra {
            to.start_file(*name, deflated).unwrap();
            to.write_all(body).unwrap();
        }
        to.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_with_a_vba_project_is_refused_whatever_its_name() {
        // As Excel saves a macro workbook: the VBA project as a part of its own, declared a
        // macro-enabled workbook in the content types (an OLE compound file's signature first).
        let mut vba = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        vba.resize(4096, 0);
        let macro_book = repack(&workbook(false), &[("xl/vbaProject.bin", &vba)], |t| {
            t.replace(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
            .replace(
                "</Types>",
                "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>",
            )
        });
        assert_eq!(
            read("renaksi.xlsx", &macro_book).unwrap_err().issue,
            Issue::Macros
        );
        assert_eq!(
            read("renaksi.xlsm", &macro_book).unwrap_err().issue,
            Issue::Macros
        );
        // The same workbook without the part is read.
        let plain = repack(&workbook(false), &[], str::to_owned);
        assert!(read("renaksi.xlsx", &plain).is_ok());
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        use std::io::Write;
        let mut to = zip::ZipWriter::new(Cursor::new(vec![]));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        to.start_file("xl/sharedStrings.xml", deflated).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_UNPACKED >> 20) {
            to.write_all(&zeros).unwrap();
        }
        let bomb = to.finish().unwrap().into_inner();
        assert!(bomb.len() < MAX_BYTES, "{} bytes", bomb.len());
        assert_eq!(
            read("renaksi.xlsx", &bomb).unwrap_err().issue,
            Issue::UnpacksTooLarge {
                max_bytes: MAX_UNPACKED as usize
            }
        );
    }

    #[test]
    fn a_sheet_is_kept_by_its_cells_not_by_the_area_it_claims() {
        use rust_xlsxwriter::Workbook;
        // One cell at the last column Excel has, on the last row allowed: a few cells kept.
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write(0, 0, "Kode").unwrap();
        s.write(MAX_ROWS as u32, 16_383, "far").unwrap();
        s.write(MAX_ROWS as u32, 1, "near").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let (_, sheets) = read("wide.xlsx", &bytes).unwrap();
        assert_eq!(sheets[0].rows.len(), MAX_ROWS + 1);
        assert_eq!(sheets[0].rows[MAX_ROWS].len(), 2);
        assert_eq!(sheets[0].cell(MAX_ROWS, 1), &Cell::Text("near".into()));
        assert!(sheets[0].rows[1..MAX_ROWS].iter().all(Vec::is_empty));
        // One row further is refused, at the cell that went past.
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write(0, 0, "Kode").unwrap();
        s.write(MAX_ROWS as u32 + 1, 2, "too far").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let refused = read("long.xlsx", &bytes).unwrap_err();
        assert_eq!(refused.issue, Issue::TooManyRows { max: MAX_ROWS });
        assert_eq!(refused.cell.as_deref(), Some("C25002"));
        assert_eq!(refused.sheet.as_deref(), Some("Sheet1"));
    }

    #[test]
    fn an_xlsx_keeps_its_dates_formulas_and_merged_cells() {
        let (format, sheets) = read("renaksi.xlsx", &workbook(false)).unwrap();
        assert_eq!(format, Format::Xlsx);
        let s = &sheets[0];
        assert_eq!(s.name, "Renaksi");
        assert_eq!(s.cell(2, 1), &Cell::Text("Selesai".into()));
        assert_eq!(
            s.cell(3, 1),
            &Cell::Date(NaiveDate::from_ymd_opt(2018, 8, 31).unwrap())
        );
        assert_eq!(s.cell(3, 2), &Cell::Number(40.0));
        assert_eq!(s.cell(4, 1), &Cell::Text("31/08/2018".into()));
        assert!(
            matches!(s.cell(4, 2), Cell::Formula(f) if f.contains("C4+20")),
            "{:?}",
            s.cell(4, 2)
        );
        assert_eq!(s.merged, vec![(0, 0, 0, 3)]);
        let (_, sheets) = read("renaksi.xlsx", &workbook(true)).unwrap();
        assert!(sheets[0].merged.contains(&(2, 0, 2, 1)));
    }
}
