//! The SIECLE reader is fed whatever an upload holds: arbitrary bytes, damaged exports and
//! damaged archives must come back as problems, never as a panic.

use acquis_interop::siecle::{Limits, read, sample};
use proptest::prelude::*;

const UAI: &str = "0330001A";

/// Small caps, so that a byte run the generator blows up cannot take the test's memory.
fn limits() -> Limits {
    Limits {
        max_xml_bytes: 256 << 10,
    }
}

fn export() -> Vec<u8> {
    sample::xml(UAI, &sample::students(3))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read(&bytes, UAI, limits());
    }

    #[test]
    fn arbitrary_bytes_after_a_zip_or_xml_header_never_panic(
        zip in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let mut bytes = if zip { b"PK\x03\x04".to_vec() } else { b"<?xml version=\"1.0\"?><BEE_ELEVES>".to_vec() };
        bytes.extend(tail);
        let _ = read(&bytes, UAI, limits());
    }

    /// A real export with bytes overwritten, cut, or spliced in: what a damaged upload looks like.
    #[test]
    fn a_damaged_export_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
        zipped in any::<bool>(),
    ) {
        let mut xml = export();
        for (at, byte) in &edits {
            let i = at.index(xml.len());
            xml[i] = *byte;
        }
        xml.truncate(cut.index(xml.len() + 1).max(1));
        let _ = read(&xml, UAI, limits());
        if zipped {
            let mut archive = sample::zip(&[("ElevesSansAdresses.xml", &xml)]);
            let _ = read(&archive, UAI, limits());
            // The archive's own bytes damaged: headers, sizes, the compressed stream.
            for (at, byte) in &edits {
                let i = at.index(archive.len());
                archive[i] = *byte;
            }
            let _ = read(&archive, UAI, limits());
        }
    }
}
