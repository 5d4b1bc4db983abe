//! What the input normalisation adds to a request, against what the request cost before in the
//! same run (alternating rounds): a student's answer form decoded as the server's `Form`
//! extractor now does (every key and value through `check_any`, then serde) against serde alone
//! (axum's `Form` before); and a sign-up form whose names are `Text<Name>` (NFC, trimming)
//! against the same form with plain strings.
//!
//! Run: `cargo bench -p acquis-input --bench normalise`

use std::hint::black_box;
use std::time::Instant;

use acquis_input::{Name, Text, check_any};

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Signup {
    first_name: Text<Name>,
    last_name: Text<Name>,
    email: String,
    password: String,
    cgu: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SignupBefore {
    first_name: String,
    last_name: String,
    email: String,
    password: String,
    cgu: Option<String>,
}

/// The server's `form::decode`: every value checked, then deserialized.
fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    for (k, v) in form_urlencoded::parse(bytes) {
        check_any(&k).ok()?;
        check_any(&v).ok()?;
    }
    serde_urlencoded::from_bytes(bytes).ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Nanoseconds per call over `n` calls.
fn per_call<F: FnMut()>(n: usize, mut f: F) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    // A QCM answer as the test page posts it.
    let answer: &[u8] =
        b"challenge=rec5ZVBkMGTPEdXDV&revision=12&answer=2&answer=3&answer=5&action=valider";
    let signup: &[u8] = b"first_name=Zo%C3%A9&last_name=Le+Gall&email=zoe.legall%40exemple.fr\
        &password=Motdepasse1&cgu=on";
    let (rounds, n) = (41, 20_000);
    let mut t: [Vec<f64>; 4] = Default::default();
    for _ in 0..rounds {
        t[0].push(per_call(n, || {
            let v: Vec<(String, String)> = serde_urlencoded::from_bytes(black_box(answer)).unwrap();
            black_box(v);
        }));
        t[1].push(per_call(n, || {
            let v: Vec<(String, String)> = decode(black_box(answer)).unwrap();
            black_box(v);
        }));
        t[2].push(per_call(n, || {
            let v: SignupBefore = serde_urlencoded::from_bytes(black_box(signup)).unwrap();
            black_box(v);
        }));
        t[3].push(per_call(n, || {
            let v: Signup = decode(black_box(signup)).unwrap();
            black_box(v);
        }));
    }
    let [b, a, sb, sa] = t.map(median);
    println!(
        "answer form   serde alone {b:6.0} ns   checked {a:6.0} ns   ratio {:.2}   added {:4.0} ns",
        a / b,
        a - b
    );
    println!(
        "sign-up form  serde alone {sb:6.0} ns   typed   {sa:6.0} ns   ratio {:.2}   added {:4.0} ns",
        sa / sb,
        sa - sb
    );
}
