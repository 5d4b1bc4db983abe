//! Bulk creation of establishments from a `UAI;Nom;E-mail` CSV: every error is listed with its
//! line, and nothing is created unless every line is valid.

use std::collections::HashMap;

use acquis_store::NewOrganization;
use acquis_tenants::EstablishmentKind;

use super::validate_establishment;
use crate::i18n::t_args;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    Empty,
    Unreadable(usize, String),
    Columns(usize, usize),
    Field(usize, String),
    DuplicateUai(usize, String, usize),
    UaiTaken(usize, String),
}

impl ImportError {
    pub fn message(&self) -> String {
        match self {
            ImportError::Empty => t_args("org-import-empty", &[]),
            ImportError::Unreadable(line, why) => t_args(
                "org-import-unreadable",
                &[("line", &line.to_string()), ("reason", why)],
            ),
            ImportError::Columns(line, found) => t_args(
                "org-import-columns",
                &[("line", &line.to_string()), ("found", &found.to_string())],
            ),
            ImportError::Field(line, message) => t_args(
                "org-import-line",
                &[("line", &line.to_string()), ("message", message)],
            ),
            ImportError::DuplicateUai(line, uai, first) => t_args(
                "org-import-duplicate",
                &[
                    ("line", &line.to_string()),
                    ("uai", uai),
                    ("first", &first.to_string()),
                ],
            ),
            ImportError::UaiTaken(line, uai) => t_args(
                "org-import-taken",
                &[("line", &line.to_string()), ("uai", uai)],
            ),
        }
    }
}

/// Office suites still save CSV in Windows-1252; bytes that are not UTF-8 are read as Latin-1.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Parses the file; returns the establishments with their line numbers, or every error found.
pub fn parse_establishments_csv(
    bytes: &[u8],
    kind: EstablishmentKind,
) -> Result<Vec<(usize, NewOrganization)>, Vec<ImportError>> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(index + 1);
                errors.push(ImportError::Unreadable(line, e.to_string()));
                continue;
            }
        };
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(index + 1);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if index == 0 && record.get(0).is_some_and(|f| f.eq_ignore_ascii_case("uai")) {
            continue;
        }
        if record.len() != 3 {
            errors.push(ImportError::Columns(line, record.len()));
            continue;
        }
        match validate_establishment(
            &record[1],
            &record[0],
            Some(kind),
            &record[2],
            kind.manages_students(),
        ) {
            Ok(new) => {
                let uai = new.uai.as_str().to_owned();
                if let Some(first) = seen.get(&uai) {
                    errors.push(ImportError::DuplicateUai(line, uai, *first));
                } else {
                    seen.insert(uai, line);
                    out.push((line, new));
                }
            }
            Err(field_errors) => {
                errors.extend(
                    field_errors
                        .into_values()
                        .map(|m| ImportError::Field(line, m)),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec![ImportError::Empty]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_header_bom_and_latin1() {
        let mut bytes =
            b"\xEF\xBB\xBFUAI;Nom;E-mail\n0754321X;Lyc\xC3\xA9e Pix;ce.0754321x@ac-paris.fr\n"
                .to_vec();
        let ok = parse_establishments_csv(&bytes, EstablishmentKind::Lycee).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].1.name, "Lycée Pix");
        assert_eq!(ok[0].1.contact_email, "ce.0754321x@ac-paris.fr");
        bytes = b"0754321X;Coll\xE8ge Pix;a@b.fr\n".to_vec();
        let ok = parse_establishments_csv(&bytes, EstablishmentKind::College).unwrap();
        assert_eq!(ok[0].1.name, "Collège Pix");
    }

    #[test]
    fn lists_every_error_with_its_line() {
        let csv = "UAI;Nom;E-mail\n0754321X;Lycée A;a@a.fr\n123;Lycée B;b@b.fr\n0754321X;Lycée C;c@c.fr\n0754322Y;;pas-une-adresse\n0754323Z;Lycée D\n";
        let errors =
            parse_establishments_csv(csv.as_bytes(), EstablishmentKind::Lycee).unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(matches!(errors[0], ImportError::Field(3, _)));
        assert_eq!(
            errors[1],
            ImportError::DuplicateUai(4, "0754321X".into(), 2)
        );
        assert!(matches!(errors[2], ImportError::Field(5, _)));
        assert!(matches!(errors[3], ImportError::Field(5, _)));
        assert_eq!(errors[4], ImportError::Columns(6, 2));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(
            parse_establishments_csv(b"UAI;Nom;E-mail\n\n", EstablishmentKind::Lycee).unwrap_err(),
            vec![ImportError::Empty]
        );
    }
}
