//! CSV for French spreadsheets: UTF-8 with a BOM (so Excel reads the accents), `;` between
//! cells, decimal commas, and cells that a spreadsheet would run as formulas neutralised.

use std::borrow::Cow;

pub const BOM: &str = "\u{feff}";

/// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be a formula (or
/// hide one) once opened: a leading `'` makes it text.
pub fn guard(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// `0,75`: the decimal separator French spreadsheets expect.
pub fn decimal(value: f64, places: usize) -> String {
    format!("{value:.places$}").replace('.', ",")
}

pub fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Oui",
        Some(false) => "Non",
        None => "NA",
    }
}

/// One record as bytes (quoted where needed, `\n`-terminated), for writing rows as a stream.
pub fn record<I, S>(cells: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(256));
    let guarded: Vec<String> = cells
        .into_iter()
        .map(|c| guard(c.as_ref()).into_owned())
        .collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(&guarded);
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_cells_quoted() {
        assert_eq!(guard("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(guard("-1"), "'-1");
        assert_eq!(guard("Dupont"), "Dupont");
        let r = String::from_utf8(record(["a;b", "=1+1", "Léa \"L\""])).unwrap();
        assert_eq!(r, "\"a;b\";'=1+1;\"Léa \"\"L\"\"\"\r\n");
        assert_eq!(decimal(0.756, 2), "0,76");
        assert_eq!(yes_no(None), "NA");
    }
}
