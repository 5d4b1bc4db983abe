//! SIECLE "ElevesSansAdresses" (`BEE_ELEVES`) exports, as XML or as the zip of the export.
//!
//! The file is read as a stream of XML events: the students come out as a list, never as a tree
//! of the document. Text is decoded with the encoding the XML declaration names (ISO-8859-15 in
//! real exports). Every blocking problem is collected before anything is returned, so a school
//! fixes its file once.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{BufRead, BufReader, Cursor, Read};

use encoding_rs::Encoding;
use quick_xml::Reader;
use quick_xml::encoding::DecodingReader;
use quick_xml::events::Event;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    M,
    F,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
        }
    }
}

/// One student kept from the file, every field validated.
///
/// The text fields live in one buffer: a 100,000-student file then fits in a few tens of MiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    /// Line of the student's `ELEVE` element, for messages.
    pub line: u64,
    pub sex: Sex,
    pub birthdate: Date,
    fields: Fields,
}

impl Student {
    fn opt(&self, i: usize) -> Option<&str> {
        Some(self.fields.get(i)).filter(|s| !s.is_empty())
    }
    pub fn ine(&self) -> &str {
        self.fields.get(0)
    }
    pub fn last_name(&self) -> &str {
        self.fields.get(1)
    }
    pub fn preferred_last_name(&self) -> Option<&str> {
        self.opt(2)
    }
    pub fn first_name(&self) -> &str {
        self.fields.get(3)
    }
    pub fn middle_name(&self) -> Option<&str> {
        self.opt(4)
    }
    pub fn third_name(&self) -> Option<&str> {
        self.opt(5)
    }
    pub fn birth_country_code(&self) -> Option<&str> {
        self.opt(8)
    }
    pub fn birth_province_code(&self) -> Option<&str> {
        self.opt(9)
    }
    pub fn birth_city_code(&self) -> Option<&str> {
        self.opt(10)
    }
    pub fn birth_city(&self) -> Option<&str> {
        self.opt(11)
    }
    pub fn mef_code(&self) -> Option<&str> {
        self.opt(12)
    }
    pub fn status(&self) -> Option<&str> {
        self.opt(13)
    }
    pub fn division(&self) -> &str {
        self.fields.get(FIELDS.len())
    }
}

/// Trimmed text fields in one allocation, each ending at its offset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Fields {
    text: Box<str>,
    ends: [u32; FIELDS.len() + 1],
}

impl Fields {
    fn new(values: &mut [String; FIELDS.len()]) -> Fields {
        let mut text = String::with_capacity(values.iter().map(|v| v.trim().len()).sum());
        let mut ends = [0u32; FIELDS.len() + 1];
        for (i, v) in values.iter_mut().enumerate() {
            text.push_str(v.trim());
            ends[i] = text.len() as u32;
            v.clear();
        }
        ends[FIELDS.len()] = text.len() as u32;
        Fields {
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The class, appended once the structures section gave it.
    fn with_division(self, division: &str) -> Fields {
        let mut text = String::with_capacity(self.text.len() + division.len());
        text.push_str(&self.text);
        text.push_str(division);
        let mut ends = self.ends;
        ends[FIELDS.len()] = text.len() as u32;
        Fields {
            text: text.into_boxed_str(),
            ends,
        }
    }
}

/// Why a student blocks the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StudentProblem {
    IneDuplicate {
        first_line: u64,
    },
    SexRequired,
    BirthdateRequired,
    /// Not `JJ/MM/AAAA`.
    BirthdateFormat {
        value: String,
    },
    /// `JJ/MM/AAAA`, but no such day (31/02, 29/02 of a common year, month 13).
    BirthdateImpossible {
        value: String,
    },
    BirthCityCodeRequired,
    LastNameRequired,
    FirstNameRequired,
    /// Characters left by editing the file with the wrong encoding, in the named field.
    InvalidChar {
        field: &'static str,
    },
    /// A digit in a name: a typing or export mistake, not an encoding one.
    DigitInName {
        field: &'static str,
        value: String,
    },
    /// A symbol that has no place in a name (`@`, `_`, `/`…), shown to the school.
    UnexpectedChar {
        field: &'static str,
        value: String,
        found: char,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a SIECLE XML file (or not well-formed); carries the parser's detail.
    InvalidFile {
        detail: String,
    },
    EncodingNotSupported {
        label: String,
    },
    /// Bytes that are not text in the declared (or default) encoding.
    Undecodable {
        encoding: String,
        line: u64,
    },
    ZipWithoutXml,
    ZipWithSeveralXml {
        count: usize,
    },
    /// The XML file is larger than allowed.
    TooLarge {
        limit: u64,
    },
    /// The XML inside the zip would be larger than allowed once decompressed, whatever the
    /// size of the archive itself: a zip bomb, or not an export.
    ArchiveContentTooLarge {
        limit: u64,
        archive_bytes: u64,
    },
    UaiMissing,
    UaiMismatch {
        found: String,
    },
    Student {
        line: u64,
        ine: String,
        name: String,
        problem: StudentProblem,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest XML document read (after decompression for a zip).
    pub max_xml_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_xml_bytes: 512 << 20,
        }
    }
}

/// Reads an upload: a zip (recognised by its content, not its name) holding exactly one `.xml`,
/// or the XML itself. `uai` is the establishment's, which the file's `UAJ` must equal.
pub fn read(bytes: &[u8], uai: &str, limits: Limits) -> Result<Vec<Student>, Vec<Problem>> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        read_zip(bytes, uai, limits)
    } else {
        parse(bytes, uai, limits)
    }
}

fn read_zip(bytes: &[u8], uai: &str, limits: Limits) -> Result<Vec<Student>, Vec<Problem>> {
    let invalid = |e: zip::result::ZipError| {
        vec![Problem::InvalidFile {
            detail: e.to_string(),
        }]
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(invalid)?;
    let xmls: Vec<usize> = (0..archive.len())
        .filter(|&i| {
            archive
                .name_for_index(i)
                .and_then(|r| r.ok())
                .is_some_and(|name| {
                    !name.ends_with('/')
                        && name.to_ascii_lowercase().ends_with(".xml")
                        && !name.split('/').any(|part| part.starts_with('.'))
                })
        })
        .collect();
    match xmls.len() {
        0 => return Err(vec![Problem::ZipWithoutXml]),
        1 => {}
        count => return Err(vec![Problem::ZipWithSeveralXml { count }]),
    }
    let entry = archive.by_index(xmls[0]).map_err(invalid)?;
    let too_large = || Problem::ArchiveContentTooLarge {
        limit: limits.max_xml_bytes,
        archive_bytes: bytes.len() as u64,
    };
    // The declared size stops an honest large archive early; the cap in `parse` stops one that
    // lies about its size.
    if entry.size() > limits.max_xml_bytes {
        return Err(vec![too_large()]);
    }
    parse(entry, uai, limits).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| match p {
                Problem::TooLarge { .. } => too_large(),
                other => other,
            })
            .collect()
    })
}

/// Refuses to read past `left` bytes, whatever a zip entry claims its size to be.
struct Capped<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One more byte tells a file of exactly the cap from a larger one.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.exceeded = true;
            return Err(std::io::Error::other("file too large"));
        }
        let max = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// An `ELEVE` read, waiting for its class from the structures section.
struct Raw {
    line: u64,
    fields: Fields,
    division: Option<Box<str>>,
}

const FIELDS: [&str; 15] = [
    "ID_NATIONAL",
    "NOM_DE_FAMILLE",
    "NOM_USAGE",
    "PRENOM",
    "PRENOM2",
    "PRENOM3",
    "CODE_SEXE",
    "DATE_NAISS",
    "CODE_PAYS",
    "CODE_DEPARTEMENT_NAISS",
    "CODE_COMMUNE_INSEE_NAISS",
    "VILLE_NAISS",
    "CODE_MEF",
    "CODE_STATUT",
    "DATE_SORTIE",
];

fn field_index(name: &str) -> usize {
    FIELDS.iter().position(|f| *f == name).unwrap_or(0)
}

impl Raw {
    fn get(&self, k: &str) -> Option<&str> {
        Some(self.fields.get(field_index(k))).filter(|s| !s.is_empty())
    }
}

/// Where the reader is in the document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Elsewhere,
    Uaj,
    Eleve,
    EleveField(usize),
    StructuresEleve,
    Structure,
    StructureField(&'static str),
}

/// The encoding the XML declaration names (UTF-8 without one), read from the first bytes.
fn declared_encoding(head: &[u8]) -> Result<&'static Encoding, Problem> {
    let head = &head[..head.len().min(256)];
    let Some(rest) = head.strip_prefix(b"<?xml") else {
        return Ok(encoding_rs::UTF_8);
    };
    let decl = &rest[..rest
        .windows(2)
        .position(|w| w == b"?>")
        .unwrap_or(rest.len())];
    let Some(at) = decl.windows(8).position(|w| w == b"encoding") else {
        return Ok(encoding_rs::UTF_8);
    };
    let after = decl[at + 8..].trim_ascii_start();
    let after = after.strip_prefix(b"=").unwrap_or(after).trim_ascii_start();
    let quote = after.first().copied().unwrap_or(b'"');
    let value = after.get(1..).unwrap_or_default();
    let label = &value[..value
        .iter()
        .position(|&b| b == quote)
        .unwrap_or(value.len())];
    match Encoding::for_label(label.trim_ascii()) {
        // The parser reads the markup as ASCII: only ASCII-compatible encodings make sense.
        Some(enc) if enc.is_ascii_compatible() => Ok(enc),
        _ => Err(Problem::EncodingNotSupported {
            label: String::from_utf8_lossy(label).into_owned(),
        }),
    }
}

fn parse<R: Read>(input: R, uai: &str, limits: Limits) -> Result<Vec<Student>, Vec<Problem>> {
    let capped = Capped {
        inner: input,
        left: limits.max_xml_bytes,
        exceeded: false,
    };
    let mut raw = BufReader::with_capacity(64 << 10, capped);
    let encoding = declared_encoding(raw.fill_buf().unwrap_or_default()).map_err(|p| vec![p])?;
    let mut decoding = DecodingReader::new(raw);
    // Set before the first read, while the decoder still holds the file's first bytes.
    decoding.set_encoding(encoding);
    let mut reader = Reader::from_reader(decoding);
    let too_large =
        |r: &Reader<DecodingReader<BufReader<Capped<R>>>>| r.get_ref().get_ref().get_ref().exceeded;
    let mut buf = Vec::with_capacity(1024);
    let mut line: u64 = 1;
    // Element names from the root; only the depth and the outer names matter.
    let mut path: Vec<String> = Vec::with_capacity(8);
    let mut at = At::Elsewhere;
    let mut text = String::new();
    let mut uaj: Option<String> = None;
    let mut seen_root = false;
    let mut current: [String; FIELDS.len()] = Default::default();
    let mut current_line = 0u64;
    let mut current_id = String::new();
    let mut students: Vec<Raw> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut structure_owner: Option<usize> = None;
    let mut structure_code = String::new();
    let mut structure_type = String::new();

    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                if too_large(&reader) {
                    return Err(vec![Problem::TooLarge {
                        limit: limits.max_xml_bytes,
                    }]);
                }
                if let quick_xml::Error::Encoding(_) = e {
                    return Err(vec![Problem::Undecodable {
                        encoding: encoding.name().to_owned(),
                        line,
                    }]);
                }
                return Err(vec![Problem::InvalidFile {
                    detail: format!("ligne {line} : {e}"),
                }]);
            }
        };
        match event {
            Event::Start(e) => {
                line += newlines(e.attributes_raw());
                let name = e.name().as_ref().to_owned();
                let depth = path.len();
                if depth == 0 {
                    if name != "BEE_ELEVES" {
                        return Err(vec![Problem::InvalidFile {
                            detail: "l'élément racine n'est pas BEE_ELEVES".into(),
                        }]);
                    }
                    seen_root = true;
                }
                at = match (at, depth, name.as_str()) {
                    (At::Elsewhere, 2, "UAJ") if path[1] == "PARAMETRES" => {
                        text.clear();
                        At::Uaj
                    }
                    (At::Elsewhere, 3, "ELEVE") if path[1] == "DONNEES" => {
                        uaj_checked(&uaj, uai)?;
                        current_line = line;
                        current_id = attribute(&e, "ELEVE_ID");
                        At::Eleve
                    }
                    (At::Eleve, 4, field) => match FIELDS.iter().position(|f| *f == field) {
                        Some(f) => {
                            text.clear();
                            At::EleveField(f)
                        }
                        None => At::Eleve,
                    },
                    (At::Elsewhere, 3, "STRUCTURES_ELEVE") if path[1] == "DONNEES" => {
                        uaj_checked(&uaj, uai)?;
                        let id = attribute(&e, "ELEVE_ID");
                        // Only a student met earlier in the file gets a class.
                        structure_owner = by_id.get(&id).copied();
                        At::StructuresEleve
                    }
                    (At::StructuresEleve, 4, "STRUCTURE") => {
                        structure_code.clear();
                        structure_type.clear();
                        At::Structure
                    }
                    (At::Structure, 5, "CODE_STRUCTURE") => {
                        text.clear();
                        At::StructureField("CODE_STRUCTURE")
                    }
                    (At::Structure, 5, "TYPE_STRUCTURE") => {
                        text.clear();
                        At::StructureField("TYPE_STRUCTURE")
                    }
                    (other, _, _) => other,
                };
                path.push(name);
            }
            Event::Empty(e) => line += newlines(e.attributes_raw()),
            Event::Text(t) => {
                line += newlines(&t);
                if wants_text(at) {
                    text.push_str(&t);
                }
            }
            Event::CData(t) => {
                line += newlines(&t);
                if wants_text(at) {
                    text.push_str(&t);
                }
            }
            Event::GeneralRef(r) if wants_text(at) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                } else {
                    return Err(vec![Problem::InvalidFile {
                        detail: format!("ligne {line} : entité inconnue &{};", &*r),
                    }]);
                }
            }
            Event::End(_) => {
                path.pop();
                at = match at {
                    At::Uaj => {
                        uaj = Some(text.trim().to_owned());
                        uaj_checked(&uaj, uai)?;
                        At::Elsewhere
                    }
                    At::EleveField(f) => {
                        std::mem::swap(&mut current[f], &mut text);
                        At::Eleve
                    }
                    At::Eleve if path.len() == 3 => {
                        let raw = Raw {
                            line: current_line,
                            fields: Fields::new(&mut current),
                            division: None,
                        };
                        // Students who left, or have no INE yet, are not imported at all.
                        if raw.get("DATE_SORTIE").is_none() && raw.get("ID_NATIONAL").is_some() {
                            by_id.insert(std::mem::take(&mut current_id), students.len());
                            students.push(raw);
                        }
                        At::Elsewhere
                    }
                    At::StructureField(f) => {
                        let value = std::mem::take(&mut text);
                        if f == "CODE_STRUCTURE" {
                            structure_code = value.trim().to_owned();
                        } else {
                            structure_type = value.trim().to_owned();
                        }
                        At::Structure
                    }
                    At::Structure => {
                        if let Some(i) = structure_owner
                            && structure_type == "D"
                            && !structure_code.is_empty()
                            && structure_code != "Inactifs"
                        {
                            students[i].division =
                                Some(std::mem::take(&mut structure_code).into_boxed_str());
                        }
                        At::StructuresEleve
                    }
                    At::StructuresEleve if path.len() == 3 => {
                        structure_owner = None;
                        At::Elsewhere
                    }
                    other => other,
                };
            }
            Event::Comment(c) => line += newlines(&c),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !seen_root {
        return Err(vec![Problem::InvalidFile {
            detail: "aucun élément BEE_ELEVES".into(),
        }]);
    }
    uaj_checked(&uaj, uai)?;
    validate(students)
}

fn newlines(s: &str) -> u64 {
    s.bytes().filter(|&b| b == b'\n').count() as u64
}

fn wants_text(at: At) -> bool {
    matches!(at, At::Uaj | At::EleveField(_) | At::StructureField(_))
}

fn attribute(e: &quick_xml::events::BytesStart<'_>, key: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.trim().to_owned())
        .unwrap_or_default()
}

/// The file's UAJ must be read, and equal the establishment's UAI, before any student counts.
fn uaj_checked(uaj: &Option<String>, uai: &str) -> Result<(), Vec<Problem>> {
    match uaj {
        None => Err(vec![Problem::UaiMissing]),
        Some(found) if found.eq_ignore_ascii_case(uai.trim()) => Ok(()),
        Some(found) => Err(vec![Problem::UaiMismatch {
            found: found.clone(),
        }]),
    }
}

/// A `JJ/MM/AAAA` date: `Err(false)` when the text has another shape, `Err(true)` when it has
/// that shape but names no day (31/02), so that the school is told which.
fn birthdate(value: &str) -> Result<Date, bool> {
    let mut parts = value.split('/');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(false);
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(d, 2) && digits(m, 2) && digits(y, 4)) {
        return Err(false);
    }
    // Two and four ASCII digits always parse.
    let (day, month, year) = (
        d.parse::<u8>().unwrap_or(0),
        m.parse::<u8>().unwrap_or(0),
        y.parse::<i32>().unwrap_or(0),
    );
    let month = time::Month::try_from(month).map_err(|_| true)?;
    Date::from_calendar_date(year, month, day).map_err(|_| true)
}

/// Where only letters, spaces, hyphens, apostrophes and dots belong.
fn name_char(c: char) -> bool {
    c.is_alphabetic()
        || c == ' '
        || c == '-'
        || c == '\''
        || c == '’'
        || c == '.'
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Left by editing the file with the wrong encoding: replacement characters, controls, or the
/// Latin-1 symbols (`©`, `¨`, `§`…) that UTF-8 accents become when read as ISO-8859-1.
fn encoding_artefact(c: char) -> bool {
    c == '\u{FFFD}' || c.is_control() || ('\u{80}'..='\u{BF}').contains(&c)
}

/// What is wrong with a name field, if anything: encoding damage first (it explains the rest),
/// then a digit, then any other symbol.
fn name_problem(field: &'static str, value: &str) -> Option<StudentProblem> {
    if value.chars().any(encoding_artefact) {
        return Some(StudentProblem::InvalidChar { field });
    }
    if value.chars().any(|c| c.is_ascii_digit()) {
        return Some(StudentProblem::DigitInName {
            field,
            value: value.to_owned(),
        });
    }
    value
        .chars()
        .find(|&c| !name_char(c))
        .map(|found| StudentProblem::UnexpectedChar {
            field,
            value: value.to_owned(),
            found,
        })
}

fn validate(raws: Vec<Raw>) -> Result<Vec<Student>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut students = Vec::with_capacity(raws.len());
    let mut seen: HashMap<Box<str>, u64> = HashMap::with_capacity(raws.len());
    for raw in raws {
        // Without a class the student is not (or no longer) taught here: skipped, not an error.
        let Some(division) = raw.division.as_deref() else {
            continue;
        };
        let ine = raw.get("ID_NATIONAL").unwrap_or_default();
        let last = raw.get("NOM_DE_FAMILLE");
        let first = raw.get("PRENOM");
        let mut blocking = Vec::new();
        match seen.entry(ine.into()) {
            Entry::Occupied(o) => blocking.push(StudentProblem::IneDuplicate {
                first_line: *o.get(),
            }),
            Entry::Vacant(v) => {
                v.insert(raw.line);
            }
        }
        if last.is_none() {
            blocking.push(StudentProblem::LastNameRequired);
        }
        if first.is_none() {
            blocking.push(StudentProblem::FirstNameRequired);
        }
        for field in [
            "NOM_DE_FAMILLE",
            "NOM_USAGE",
            "PRENOM",
            "PRENOM2",
            "PRENOM3",
        ] {
            if let Some(p) = raw.get(field).and_then(|v| name_problem(field, v)) {
                blocking.push(p);
            }
        }
        let sex = match raw.get("CODE_SEXE") {
            Some("1") => Some(Sex::M),
            Some("2") => Some(Sex::F),
            _ => {
                blocking.push(StudentProblem::SexRequired);
                None
            }
        };
        let date = match raw.get("DATE_NAISS") {
            None => {
                blocking.push(StudentProblem::BirthdateRequired);
                None
            }
            Some(v) => match birthdate(v) {
                Ok(d) => Some(d),
                Err(shape_ok) => {
                    let value = v.to_owned();
                    blocking.push(if shape_ok {
                        StudentProblem::BirthdateImpossible { value }
                    } else {
                        StudentProblem::BirthdateFormat { value }
                    });
                    None
                }
            },
        };
        if raw.get("CODE_PAYS") == Some("100") && raw.get("CODE_COMMUNE_INSEE_NAISS").is_none() {
            blocking.push(StudentProblem::BirthCityCodeRequired);
        }
        match (sex, date) {
            (Some(sex), Some(birthdate)) if blocking.is_empty() => students.push(Student {
                line: raw.line,
                sex,
                birthdate,
                fields: raw.fields.with_division(division),
            }),
            _ => {
                let name = format!("{} {}", last.unwrap_or(""), first.unwrap_or(""))
                    .trim()
                    .to_owned();
                problems.extend(blocking.into_iter().map(|problem| Problem::Student {
                    line: raw.line,
                    ine: ine.to_owned(),
                    name: name.clone(),
                    problem,
                }));
            }
        }
    }
    if problems.is_empty() {
        Ok(students)
    } else {
        Err(problems)
    }
}

/// Generated SIECLE files, for tests, benchmarks and the demo establishment.
pub mod sample {
    use std::fmt::Write;
    use std::io::Write as _;

    use time::Date;

    /// A student as a generated export lists them.
    #[derive(Debug, Clone)]
    pub struct SampleStudent {
        pub ine: String,
        pub last_name: String,
        pub first_name: String,
        pub birthdate: Date,
        pub division: String,
        pub sex: u8,
    }

    const FIRST: &[&str] = &[
        "Léa",
        "Chloé",
        "Noé",
        "Zoé",
        "Maëlys",
        "François",
        "Hélène",
        "Jérôme",
        "Inès",
        "Raphaël",
        "Anaïs",
        "Gaël",
        "Océane",
        "Théo",
        "Loïc",
        "Mathéo",
        "Élodie",
        "Bérénice",
        "Cédric",
        "Aurélien",
    ];
    const LAST: &[&str] = &[
        "Dupont",
        "Lefèvre",
        "Moreau",
        "Girard",
        "Bonnet",
        "Faure",
        "Rousseau",
        "Mercier",
        "Lambert",
        "Fontaine",
        "Chevalier",
        "Robin",
        "Gauthier",
        "Perrin",
        "Morel",
        "Barbier",
        "Arnaud",
        "Renaud",
        "Brun",
        "Roux",
        "Lemaître",
        "Œuvrard",
    ];

    /// `n` distinct students spread over 6e–3e classes; the same `n` gives the same list.
    pub fn students(n: usize) -> Vec<SampleStudent> {
        (0..n)
            .map(|i| {
                let level = 6 - (i % 4);
                let class = (b'A' + ((i / 4) % 6) as u8) as char;
                let day = 1 + (i % 28) as u8;
                let month = time::Month::try_from(1 + ((i / 28) % 12) as u8)
                    .unwrap_or(time::Month::January);
                let year = 2011 + (i % 4) as i32;
                SampleStudent {
                    ine: format!(
                        "{:09}{}{}",
                        i,
                        (b'A' + (i % 26) as u8) as char,
                        (b'A' + ((i / 26) % 26) as u8) as char
                    ),
                    // Double-barrelled past the simple combinations: names keep to letters.
                    last_name: if i < LAST.len() * FIRST.len() {
                        LAST[i % LAST.len()].to_owned()
                    } else {
                        format!(
                            "{}-{}",
                            LAST[i % LAST.len()],
                            LAST[(i / (LAST.len() * FIRST.len())) % LAST.len()]
                        )
                    },
                    first_name: FIRST[(i / LAST.len()) % FIRST.len()].to_owned(),
                    birthdate: Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN),
                    division: format!("{level}{class}"),
                    sex: 1 + (i % 2) as u8,
                }
            })
            .collect()
    }

    /// The export as SIECLE writes it: ISO-8859-15, students first, then their classes.
    pub fn xml(uai: &str, students: &[SampleStudent]) -> Vec<u8> {
        let mut s = String::with_capacity(200 + students.len() * 900);
        s.push_str("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<BEE_ELEVES VERSION=\"2.1\">\n<PARAMETRES>\n<UAJ>");
        s.push_str(uai);
        s.push_str(
            "</UAJ>\n<ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE>\n</PARAMETRES>\n<DONNEES>\n<ELEVES>\n",
        );
        for (i, st) in students.iter().enumerate() {
            let _ = write!(
                s,
                "<ELEVE ELEVE_ID=\"{id}\" ELENOET=\"{id}\">\n<ID_NATIONAL>{ine}</ID_NATIONAL>\n<NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE>\n<NOM_USAGE></NOM_USAGE>\n<PRENOM>{first}</PRENOM>\n<PRENOM2></PRENOM2>\n<PRENOM3></PRENOM3>\n<DATE_NAISS>{d:02}/{m:02}/{y}</DATE_NAISS>\n<CODE_SEXE>{sex}</CODE_SEXE>\n<CODE_PAYS>100</CODE_PAYS>\n<CODE_DEPARTEMENT_NAISS>033</CODE_DEPARTEMENT_NAISS>\n<CODE_COMMUNE_INSEE_NAISS>33063</CODE_COMMUNE_INSEE_NAISS>\n<VILLE_NAISS>BORDEAUX</VILLE_NAISS>\n<CODE_MEF>10010012110</CODE_MEF>\n<CODE_STATUT>ST</CODE_STATUT>\n<DATE_ENTREE>01/09/2025</DATE_ENTREE>\n</ELEVE>\n",
                id = 1000 + i,
                ine = st.ine,
                last = st.last_name.to_uppercase(),
                first = st.first_name,
                d = st.birthdate.day(),
                m = u8::from(st.birthdate.month()),
                y = st.birthdate.year(),
                sex = st.sex,
            );
        }
        s.push_str("</ELEVES>\n<STRUCTURES>\n");
        for (i, st) in students.iter().enumerate() {
            let _ = write!(
                s,
                "<STRUCTURES_ELEVE ELEVE_ID=\"{id}\">\n<STRUCTURE>\n<CODE_STRUCTURE>{div}</CODE_STRUCTURE>\n<TYPE_STRUCTURE>D</TYPE_STRUCTURE>\n</STRUCTURE>\n<STRUCTURE>\n<CODE_STRUCTURE>LATIN</CODE_STRUCTURE>\n<TYPE_STRUCTURE>G</TYPE_STRUCTURE>\n</STRUCTURE>\n</STRUCTURES_ELEVE>\n",
                id = 1000 + i,
                div = st.division,
            );
        }
        s.push_str("</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n");
        encoding_rs::ISO_8859_15.encode(&s).0.into_owned()
    }

    /// A zip holding `files` (name, content), as an export downloaded from SIECLE.
    pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in files {
            if w.start_file(*name, opts).is_ok() {
                let _ = w.write_all(content);
            }
        }
        w.finish().map(|c| c.into_inner()).unwrap_or_default()
    }
}
