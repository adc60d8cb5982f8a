//! The spreadsheet and open-data forms of a report: XLSX (a summary sheet, then one sheet per
//! table with a frozen heading row, dates as dates and numbers as numbers), CSV (the report's
//! main table, its column keys as the heading) and JSON (everything, with the figures).

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Value, json};

use super::doc::{Block, Cell, Doc};

pub fn xlsx(doc: &Doc) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let heading = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xE6E6E6))
        .set_text_wrap();

    let summary = book.add_worksheet();
    summary.set_name("Ringkasan")?;
    summary.set_column_width(0, 32)?;
    summary.set_column_width(1, 90)?;
    summary.write_with_format(0, 0, &doc.title, &bold)?;
    let mut r = 1u32;
    for line in &doc.lines {
        summary.write(r, 0, line)?;
        r += 1;
    }
    r += 1;
    for block in &doc.blocks {
        match block {
            Block::Heading(s) | Block::Subheading(s) => {
                summary.write_with_format(r, 0, s, &bold)?;
                r += 1;
            }
            Block::Paragraph(s) => {
                summary.write_with_format(r, 0, s, &wrap)?;
                r += 1;
            }
            Block::Fields(pairs) => {
                for (k, v) in pairs {
                    summary.write_with_format(r, 0, k, &bold)?;
                    summary.write_with_format(r, 1, v, &wrap)?;
                    r += 1;
                }
                r += 1;
            }
            Block::Table(_) | Block::TableRows(..) | Block::PageBreak => {}
        }
        // One summary is enough for a reader; long reports put their detail in the tables.
        if r > 5_000 {
            break;
        }
    }
    summary.write(r + 1, 0, &doc.footer)?;

    for t in &doc.tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&t.title))?;
        for (c, col) in t.columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_with_format(0, c, &col.title, &heading)?;
            sheet.set_column_width(c, f64::from(col.width * 6.0).clamp(8.0, 60.0))?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (i, row) in t.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write(r, c, s)?;
                    }
                    Cell::Int(n) => {
                        sheet.write(r, c, *n as f64)?;
                    }
                    Cell::Num(n) => {
                        sheet.write(r, c, *n)?;
                    }
                    Cell::Date(d) => {
                        sheet.write_with_format(r, c, d, &date)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        if !t.rows.is_empty() {
            sheet.autofilter(0, 0, t.rows.len() as u32, t.columns.len() as u16 - 1)?;
        }
    }
    book.save_to_buffer()
}

/// A sheet name Excel takes: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect()
}

pub fn csv(doc: &Doc) -> Result<Vec<u8>, csv::Error> {
    let t = &doc.tables[doc.primary];
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(t.columns.iter().map(|c| c.key))?;
    for row in &t.rows {
        w.write_record(row.iter().map(Cell::display))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub fn json(doc: &Doc, meta: Value) -> Vec<u8> {
    let mut tables = serde_json::Map::new();
    for t in &doc.tables {
        tables.insert(
            t.name.to_owned(),
            json!({
                "title": t.title,
                "columns": t.columns.iter().map(|c| json!({"key": c.key, "title": c.title})).collect::<Vec<_>>(),
                "rows": t.json_rows(),
            }),
        );
    }
    let body = json!({
        "report": meta,
        "title": doc.title,
        "lines": doc.lines,
        "figures": doc.figures,
        "primaryTable": doc.tables.get(doc.primary).map(|t| t.name),
        "tables": tables,
    });
    serde_json::to_vec_pretty(&body).expect("JSON values serialise")
}
