use acquis_interop::siecle::{Limits, Problem, Sex, StudentProblem, read, sample};

const UAI: &str = "0330001A";

fn file(body: &str) -> Vec<u8> {
    let s = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<BEE_ELEVES VERSION=\"2.1\">\n<PARAMETRES><UAJ>{UAI}</UAJ></PARAMETRES>\n<DONNEES>\n{body}\n</DONNEES>\n</BEE_ELEVES>\n"
    );
    encoding_rs::ISO_8859_15.encode(&s).0.into_owned()
}

fn eleve(id: u32, ine: &str, last: &str, first: &str, extra: &str) -> String {
    format!(
        "<ELEVE ELEVE_ID=\"{id}\">\n<ID_NATIONAL>{ine}</ID_NATIONAL>\n<NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE>\n<PRENOM>{first}</PRENOM>\n{extra}\n</ELEVE>"
    )
}

const OK: &str = "<CODE_SEXE>2</CODE_SEXE><DATE_NAISS>31/12/2011</DATE_NAISS><CODE_PAYS>100</CODE_PAYS><CODE_COMMUNE_INSEE_NAISS>33063</CODE_COMMUNE_INSEE_NAISS>";

fn structure(id: u32, code: &str, kind: &str) -> String {
    format!(
        "<STRUCTURES_ELEVE ELEVE_ID=\"{id}\"><STRUCTURE><CODE_STRUCTURE>{code}</CODE_STRUCTURE><TYPE_STRUCTURE>{kind}</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>"
    )
}

#[test]
fn a_generated_iso_8859_15_export_reads_back_with_its_accents() {
    let students = sample::students(50);
    let bytes = sample::xml(UAI, &students);
    let read = read(&bytes, UAI, Limits::default()).unwrap();
    assert_eq!(read.len(), 50);
    assert_eq!(read[0].first_name(), "Léa");
    assert_eq!(read[1].last_name(), "LEFÈVRE");
    assert_eq!(read[0].ine(), students[0].ine);
    assert_eq!(read[0].birthdate, students[0].birthdate);
    assert_eq!(read[0].division(), students[0].division);
    assert_eq!(read[0].sex, Sex::M);
    assert_eq!(read[0].birth_city_code(), Some("33063"));
    // The UAI is compared without regard to case.
    assert_eq!(
        acquis_interop::siecle::read(&bytes, "0330001a", Limits::default())
            .unwrap()
            .len(),
        50
    );
}

#[test]
fn the_zip_of_the_export_holds_exactly_one_xml() {
    let xml = sample::xml(UAI, &sample::students(3));
    let one = sample::zip(&[
        ("ElevesSansAdresses.xml", &xml),
        ("__MACOSX/._ElevesSansAdresses.xml", b"junk"),
        ("lisezmoi.txt", b"x"),
    ]);
    assert_eq!(read(&one, UAI, Limits::default()).unwrap().len(), 3);
    let none = sample::zip(&[("lisezmoi.txt", b"x")]);
    assert_eq!(
        read(&none, UAI, Limits::default()),
        Err(vec![Problem::ZipWithoutXml])
    );
    let two = sample::zip(&[("a.xml", &xml), ("b/c.XML", &xml)]);
    assert_eq!(
        read(&two, UAI, Limits::default()),
        Err(vec![Problem::ZipWithSeveralXml { count: 2 }])
    );
}

#[test]
fn a_zip_bomb_stops_at_the_cap() {
    let zeros = vec![b' '; 8 << 20];
    let mut xml = b"<?xml version=\"1.0\"?><BEE_ELEVES>".to_vec();
    xml.extend_from_slice(&zeros);
    let bomb = sample::zip(&[("e.xml", &xml)]);
    assert!(
        bomb.len() < 100_000,
        "the test needs a high compression ratio"
    );
    let limits = Limits {
        max_xml_bytes: 1 << 20,
    };
    // The archive is small: what is too large is its content, and the school is told so.
    assert_eq!(
        read(&bomb, UAI, limits),
        Err(vec![Problem::ArchiveContentTooLarge {
            limit: 1 << 20,
            archive_bytes: bomb.len() as u64,
        }])
    );
    assert_eq!(
        read(&xml, UAI, limits),
        Err(vec![Problem::TooLarge { limit: 1 << 20 }])
    );
}

#[test]
fn the_uaj_must_be_the_establishments() {
    let bytes = sample::xml("0999999Z", &sample::students(2));
    assert_eq!(
        read(&bytes, UAI, Limits::default()),
        Err(vec![Problem::UaiMismatch {
            found: "0999999Z".into()
        }])
    );
    let no_uaj =
        b"<?xml version=\"1.0\"?><BEE_ELEVES><DONNEES><ELEVES></ELEVES></DONNEES></BEE_ELEVES>";
    assert_eq!(
        read(no_uaj, UAI, Limits::default()),
        Err(vec![Problem::UaiMissing])
    );
}

#[test]
fn malformed_files_and_encodings_are_refused() {
    let broken = b"<?xml version=\"1.0\"?><BEE_ELEVES><PARAMETRES><UAJ>0330001A</UAJ></PARAMETRES><DONNEES></ELEVES>";
    assert!(
        matches!(read(broken, UAI, Limits::default()), Err(p) if matches!(p[0], Problem::InvalidFile { .. }))
    );
    let other_root = b"<?xml version=\"1.0\"?><html></html>";
    assert!(
        matches!(read(other_root, UAI, Limits::default()), Err(p) if matches!(p[0], Problem::InvalidFile { .. }))
    );
    let pdf = b"%PDF-1.4 binary";
    assert!(
        matches!(read(pdf, UAI, Limits::default()), Err(p) if matches!(p[0], Problem::InvalidFile { .. }))
    );
    let unknown = b"<?xml version=\"1.0\" encoding=\"KLINGON-8\"?><BEE_ELEVES/>";
    assert_eq!(
        read(unknown, UAI, Limits::default()),
        Err(vec![Problem::EncodingNotSupported {
            label: "KLINGON-8".into()
        }])
    );
    // Latin-1 bytes in a file that says UTF-8.
    let mut lying = file(&eleve(1, "123456789AB", "Lefèvre", "Léa", OK)).to_vec();
    let decl_end = lying.iter().position(|&b| b == b'\n').unwrap();
    lying.splice(
        ..decl_end,
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            .iter()
            .copied(),
    );
    assert!(
        matches!(read(&lying, UAI, Limits::default()), Err(p) if matches!(p[0], Problem::Undecodable { .. }))
    );
}

#[test]
fn leavers_students_without_ine_or_class_are_skipped() {
    let body = format!(
        "<ELEVES>{}{}{}{}{}</ELEVES><STRUCTURES>{}{}{}{}{}</STRUCTURES>",
        eleve(1, "000000001AA", "Martin", "Léo", OK),
        eleve(
            2,
            "000000002AA",
            "Parti",
            "Paul",
            &format!("{OK}<DATE_SORTIE>01/01/2026</DATE_SORTIE>")
        ),
        eleve(3, "", "Arrive", "Anne", OK),
        eleve(4, "000000004AA", "Inactif", "Ines", OK),
        eleve(5, "000000005AA", "Groupe", "Gaël", OK),
        structure(1, "5B", "D"),
        structure(2, "5B", "D"),
        structure(4, "Inactifs", "D"),
        structure(5, "LATIN", "G"),
        // A class for a student the file never listed.
        structure(9, "5C", "D"),
    );
    let read = read(&file(&body), UAI, Limits::default()).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].last_name(), "Martin");
    assert_eq!(read[0].division(), "5B");
    // A class listed before its student does not count.
    let early = format!(
        "<STRUCTURES>{}</STRUCTURES><ELEVES>{}</ELEVES>",
        structure(1, "5B", "D"),
        eleve(1, "000000001AA", "Martin", "Léo", OK)
    );
    assert_eq!(
        acquis_interop::siecle::read(&file(&early), UAI, Limits::default())
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn every_blocking_error_is_listed_at_once_with_line_ine_and_name() {
    let body = format!(
        "<ELEVES>\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n</ELEVES><STRUCTURES>{}</STRUCTURES>",
        eleve(1, "000000001AA", "Martin", "Léo", OK),
        eleve(2, "000000001AA", "Martin", "Léa", OK),
        eleve(
            3,
            "000000003AA",
            "Sans",
            "Date",
            "<CODE_SEXE>1</CODE_SEXE><CODE_PAYS>99134</CODE_PAYS>"
        ),
        eleve(
            4,
            "000000004AA",
            "Mauvaise",
            "Date",
            "<CODE_SEXE>1</CODE_SEXE><DATE_NAISS>2011-12-31</DATE_NAISS><CODE_PAYS>99134</CODE_PAYS>"
        ),
        eleve(
            5,
            "000000005AA",
            "Sans",
            "Commune",
            "<CODE_SEXE>1</CODE_SEXE><DATE_NAISS>01/02/2011</DATE_NAISS><CODE_PAYS>100</CODE_PAYS>"
        ),
        eleve(
            6,
            "000000006AA",
            "LefÃ¨vre",
            "Sans sexe",
            "<DATE_NAISS>01/02/2011</DATE_NAISS><CODE_PAYS>99134</CODE_PAYS>"
        ),
        eleve(
            7,
            "000000007AA",
            "",
            "",
            "<CODE_SEXE>1</CODE_SEXE><DATE_NAISS>30/02/2011</DATE_NAISS><CODE_PAYS>99134</CODE_PAYS>"
        ),
        (1..=7).map(|i| structure(i, "4A", "D")).collect::<String>(),
    );
    let problems = read(&file(&body), UAI, Limits::default()).unwrap_err();
    let found: Vec<(u64, String, StudentProblem)> = problems
        .into_iter()
        .map(|p| match p {
            Problem::Student {
                line, ine, problem, ..
            } => (line, ine, problem),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected = vec![
        (
            12,
            "000000001AA".to_string(),
            StudentProblem::IneDuplicate { first_line: 6 },
        ),
        (18, "000000003AA".into(), StudentProblem::BirthdateRequired),
        (
            24,
            "000000004AA".into(),
            StudentProblem::BirthdateFormat {
                value: "2011-12-31".into(),
            },
        ),
        (
            30,
            "000000005AA".into(),
            StudentProblem::BirthCityCodeRequired,
        ),
        (
            36,
            "000000006AA".into(),
            StudentProblem::InvalidChar {
                field: "NOM_DE_FAMILLE",
            },
        ),
        (36, "000000006AA".into(), StudentProblem::SexRequired),
        (42, "000000007AA".into(), StudentProblem::LastNameRequired),
        (42, "000000007AA".into(), StudentProblem::FirstNameRequired),
        (
            42,
            "000000007AA".into(),
            StudentProblem::BirthdateImpossible {
                value: "30/02/2011".into(),
            },
        ),
    ];
    assert_eq!(found, expected);
}

#[test]
fn impossible_dates_and_digits_in_names_are_told_apart_from_format_and_encoding() {
    let with = |date: &str| {
        format!(
            "<CODE_SEXE>2</CODE_SEXE><DATE_NAISS>{date}</DATE_NAISS><CODE_PAYS>99134</CODE_PAYS>"
        )
    };
    let body = format!(
        "<ELEVES>{}{}{}{}{}{}</ELEVES><STRUCTURES>{}</STRUCTURES>",
        eleve(1, "000000001AA", "Martin", "Léa", &with("31/02/2012")),
        eleve(2, "000000002AA", "Martin", "Léa", &with("29/02/2011")),
        eleve(3, "000000003AA", "Martin", "Léa", &with("12/13/2011")),
        eleve(4, "000000004AA", "Martin2", "Léa", &with("29/02/2012")),
        eleve(5, "000000005AA", "Martin", "Léa_B", &with("01/01/2012")),
        eleve(6, "000000006AA", "Martin", "Léa", &with("1/1/2012")),
        (1..=6).map(|i| structure(i, "4A", "D")).collect::<String>(),
    );
    let problems = read(&file(&body), UAI, Limits::default()).unwrap_err();
    let found: Vec<(String, String, StudentProblem)> = problems
        .into_iter()
        .map(|p| match p {
            Problem::Student {
                ine, name, problem, ..
            } => (ine, name, problem),
            other => panic!("{other:?}"),
        })
        .collect();
    let impossible = |v: &str| StudentProblem::BirthdateImpossible { value: v.into() };
    assert_eq!(
        found,
        vec![
            (
                "000000001AA".into(),
                "Martin Léa".into(),
                impossible("31/02/2012")
            ),
            (
                "000000002AA".into(),
                "Martin Léa".into(),
                impossible("29/02/2011")
            ),
            (
                "000000003AA".into(),
                "Martin Léa".into(),
                impossible("12/13/2011")
            ),
            (
                "000000004AA".into(),
                "Martin2 Léa".into(),
                StudentProblem::DigitInName {
                    field: "NOM_DE_FAMILLE",
                    value: "Martin2".into()
                }
            ),
            (
                "000000005AA".into(),
                "Martin Léa_B".into(),
                StudentProblem::UnexpectedChar {
                    field: "PRENOM",
                    value: "Léa_B".into(),
                    found: '_'
                }
            ),
            (
                "000000006AA".into(),
                "Martin Léa".into(),
                StudentProblem::BirthdateFormat {
                    value: "1/1/2012".into()
                }
            ),
        ]
    );
}

#[test]
fn large_generated_exports_are_valid_files() {
    let students = sample::students(2_000);
    let zip = sample::zip(&[("e.xml", &sample::xml(UAI, &students))]);
    assert_eq!(read(&zip, UAI, Limits::default()).unwrap().len(), 2_000);
}
