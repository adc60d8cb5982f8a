//! Writing a table as the office reads it: XLSX (one sheet, a bold frozen heading row, dates
//! as dates, numbers as numbers) or CSV (UTF-8 with a byte order mark, so Excel shows the
//! Indonesian letters right; dates as `yyyy-mm-dd`).

use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook, XlsxError};

use super::table::{Column, Value};
use chrono::Datelike;

/// The table as an XLSX workbook of one sheet named `sheet`.
pub fn xlsx(sheet: &str, columns: &[Column], rows: &[Vec<Value>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name(sheet)?;
    let heading = XFormat::new().set_bold();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    for (c, col) in columns.iter().enumerate() {
        s.write_with_format(0, c as u16, col.heading, &heading)?;
        s.set_column_width(c as u16, 18)?;
    }
    s.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Empty => {}
                Value::Text(t) => {
                    s.write(r, c, t)?;
                }
                Value::Number(n) => {
                    s.write(r, c, *n)?;
                }
                Value::Date(d) => {
                    let d =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    s.write_datetime_with_format(r, c, &d, &date)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

/// The table as CSV.
pub fn csv(columns: &[Column], rows: &[Vec<Value>]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        let _ = w.write_record(columns.iter().map(|c| c.heading));
        for row in rows {
            let _ = w.write_record(row.iter().map(|v| match v {
                Value::Empty => String::new(),
                Value::Text(t) => t.clone(),
                Value::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
                Value::Number(n) => n.to_string(),
                Value::Date(d) => d.to_string(),
            }));
        }
        let _ = w.flush();
    }
    out
}
