//! A report as content, before any format: a title, lines under it, blocks (headings,
//! paragraphs, label–value lists, tables) and the figures a machine reads. Every format renders
//! the same `Doc`, so the PDF, the spreadsheet and the open data never disagree.

use chrono::NaiveDate;
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }

    pub fn date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    pub fn num(n: Option<f64>) -> Cell {
        n.map_or(Cell::Empty, Cell::Num)
    }

    /// As people read it (dates `2018-08-31`, one decimal for shares).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(n) => format_num(*n),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// As open data: numbers stay numbers, a missing value is `null`.
    pub fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Cell::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            Cell::Empty => Value::Null,
        }
    }
}

/// A share with at most one decimal, without a trailing `.0`.
pub fn format_num(n: f64) -> String {
    let r = (n * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

#[derive(Clone, Debug)]
pub struct Column {
    /// The machine name (CSV header, JSON key).
    pub key: &'static str,
    /// The heading people read.
    pub title: String,
    /// The share of the page's width (relative to the other columns).
    pub width: f32,
}

#[derive(Clone, Debug)]
pub struct Table {
    /// The sheet's and the data set's name (`komitmen`, `kegiatan`).
    pub name: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(
        name: &'static str,
        title: impl Into<String>,
        columns: &[(&'static str, &str, f32)],
    ) -> Table {
        Table {
            name,
            title: title.into(),
            columns: columns
                .iter()
                .map(|(key, title, width)| Column {
                    key,
                    title: (*title).to_owned(),
                    width: *width,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.name);
        self.rows.push(row);
    }

    /// The rows as JSON objects keyed by column.
    pub fn json_rows(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|r| {
                let mut m = Map::new();
                for (c, v) in self.columns.iter().zip(r) {
                    m.insert(c.key.to_owned(), v.json());
                }
                Value::Object(m)
            })
            .collect()
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    /// A section's heading (kept with the text that follows it).
    Heading(String),
    Subheading(String),
    Paragraph(String),
    /// Label–value pairs (the OGP commitment template).
    Fields(Vec<(String, String)>),
    /// An index into `Doc::tables`.
    Table(usize),
    /// Rows `from..to` of a table, under its heading row (a commitment's milestones).
    TableRows(usize, usize, usize),
    PageBreak,
}

#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub title: String,
    /// What it is about, for the file's name (the plan's, meeting's or assessment's title).
    pub subject: String,
    /// Lines under the title (member, plan, period, head of region).
    pub lines: Vec<String>,
    pub blocks: Vec<Block>,
    pub tables: Vec<Table>,
    /// The table CSV carries (the report's main data set).
    pub primary: usize,
    /// The figures the report is about, as the API computes them.
    pub figures: Value,
    /// "Dibuat oleh Terbuka, Kamis, 2 Agustus 2018 09.00 WIB".
    pub footer: String,
    /// "Halaman {n} dari {total}" in the report's language.
    pub page_label: (&'static str, &'static str),
}

impl Doc {
    pub fn table(&mut self, t: Table) -> usize {
        self.tables.push(t);
        let i = self.tables.len() - 1;
        self.blocks.push(Block::Table(i));
        i
    }

    pub fn heading(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Heading(s.into()));
    }

    pub fn subheading(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Subheading(s.into()));
    }

    pub fn paragraph(&mut self, s: impl Into<String>) {
        let s = s.into();
        if !s.trim().is_empty() {
            self.blocks.push(Block::Paragraph(s));
        }
    }

    pub fn fields(&mut self, f: Vec<(String, String)>) {
        self.blocks.push(Block::Fields(f));
    }
}
