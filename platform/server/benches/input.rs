//! What the input normalisation adds to a request: a student's answer form decoded by
//! `acquis_server::form::decode` (every value checked, then deserialized) against the same body
//! deserialized as axum's `Form` did before (`serde_urlencoded` alone), alternating in one run;
//! and a sign-up form with typed fields (NFC, trimming, the e-mail crate).
//!
//! Run: `cargo bench -p acquis-server --bench input`

use std::hint::black_box;
use std::time::Instant;

use acquis_input::{Name, Text};

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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Nanoseconds per call of `f`, median of `rounds` rounds of `n` calls.
fn time<F: FnMut()>(rounds: usize, n: usize, mut f: F) -> Vec<f64> {
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        out.push(t.elapsed().as_nanos() as f64 / n as f64);
    }
    out
}

fn main() {
    // A QCM answer as the test page posts it (the challenge, three choices, the revision).
    let answer: &[u8] =
        b"challenge=rec5ZVBkMGTPEdXDV&revision=12&answer=2&answer=3&answer=5&action=valider";
    let signup: &[u8] = b"first_name=Zo%C3%A9&last_name=Le+Gall&email=zoe.legall%40exemple.fr&password=Motdepasse1&cgu=on";
    let (rounds, n) = (31, 20_000);
    let (mut before, mut after, mut s_before, mut s_after) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        before.extend(time(1, n, || {
            let v: Vec<(String, String)> = serde_urlencoded::from_bytes(black_box(answer)).unwrap();
            black_box(v);
        }));
        after.extend(time(1, n, || {
            let v: Vec<(String, String)> =
                acquis_server::form::decode(black_box(answer)).unwrap_or_default();
            black_box(v);
        }));
        s_before.extend(time(1, n, || {
            let v: SignupBefore = serde_urlencoded::from_bytes(black_box(signup)).unwrap();
            black_box(v);
        }));
        s_after.extend(time(1, n, || {
            let v: Signup = acquis_server::form::decode(black_box(signup))
                .unwrap_or_else(|_| panic!("a valid form"));
            black_box(v);
        }));
    }
    let (b, a) = (median(before), median(after));
    let (sb, sa) = (median(s_before), median(s_after));
    println!(
        "answer form   before {b:8.0} ns  after {a:8.0} ns  ratio {:.2}  added {:.0} ns",
        a / b,
        a - b
    );
    println!(
        "sign-up form  before {sb:8.0} ns  after {sa:8.0} ns  ratio {:.2}  added {:.0} ns",
        sa / sb,
        sa - sb
    );
}
