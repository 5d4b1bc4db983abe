//! An isolated plugin call (new store + instantiate + score + drop) against the same scoring
//! compiled natively, and a cached component load against a compilation, in one run.
//!
//! Run: `cargo bench -p acquis-plugin-host --bench call`

use std::hint::black_box;
use std::time::Instant;

use acquis_plugin_host::{Host, Limits, builtin};
use acquis_sdk::{Definition, Kind};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let def_json = serde_json::json!({
        "proposals": "- Une adresse IP\n- Un nom de domaine\n- Un protocole\n- Un navigateur\n- Un serveur",
        "solution": "1,3",
        "shuffled": true,
    })
    .to_string();
    let def: Definition = serde_json::from_str(&def_json).unwrap();
    let host = Host::new(Limits::default(), None).unwrap();
    let qcm = host.load_challenge_type(builtin::QCM).unwrap();
    const N: usize = 10_000;
    for _ in 0..200 {
        host.score(&qcm, &def_json, "3,1").unwrap();
    }
    let mut sandboxed = Vec::with_capacity(N);
    let mut native = Vec::with_capacity(N);
    for i in 0..N {
        let answer = if i % 2 == 0 { "3,1" } else { "2" };
        let t = Instant::now();
        black_box(host.score(&qcm, &def_json, answer).unwrap());
        sandboxed.push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        // Native baseline: the same parsing of the definition and the same scoring.
        let d: Definition = serde_json::from_str(black_box(&def_json)).unwrap();
        black_box(acquis_sdk::score(Kind::Qcm, &d, answer));
        native.push(t.elapsed().as_nanos() as f64);
    }
    let _ = def;
    let (s50, s99) = (pct(&mut sandboxed, 0.5), pct(&mut sandboxed, 0.99));
    let (n50, n99) = (pct(&mut native, 0.5), pct(&mut native, 0.99));
    println!(
        "isolated plugin call (qcm score): p50 {:.1} µs, p99 {:.1} µs",
        s50 / 1e3,
        s99 / 1e3
    );
    println!(
        "native scoring (same work): p50 {:.2} µs, p99 {:.2} µs",
        n50 / 1e3,
        n99 / 1e3
    );
    println!("ratio p50: {:.0}×", s50 / n50);

    let dir = std::env::temp_dir().join(format!("acquis-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut compile = Vec::new();
    let mut cached = Vec::new();
    for _ in 0..5 {
        let _ = std::fs::remove_dir_all(&dir);
        let fresh = Host::new(Limits::default(), Some(dir.clone())).unwrap();
        let t = Instant::now();
        fresh.load_challenge_type(builtin::QCM).unwrap();
        compile.push(t.elapsed().as_secs_f64() * 1e3);
        let reload = Host::new(Limits::default(), Some(dir.clone())).unwrap();
        let t = Instant::now();
        reload.load_challenge_type(builtin::QCM).unwrap();
        cached.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Publish-time verification of the whole built-in package, from its directory.
    let pkg_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../content-plugins/packages/crcn");
    let meta = acquis_plugin_host::package::PackageMeta {
        id: "crcn".into(),
        version: "1.0.0".into(),
        kind: "content".into(),
        api: "0.1".into(),
    };
    let t = Instant::now();
    let zip = acquis_plugin_host::package::pack(&pkg_dir, meta, None).unwrap();
    let packed = t.elapsed().as_secs_f64();
    let types: Vec<(String, _)> = builtin::CHALLENGE_TYPES
        .iter()
        .map(|(id, b)| (id.to_string(), host.load_challenge_type(b).unwrap()))
        .collect();
    let t = Instant::now();
    let v = acquis_plugin_host::package::verify(&host, &zip, &Default::default(), &types).unwrap();
    println!(
        "built-in package ({} bytes, {} challenges, {} examples): pack {:.2} s, verify {:.2} s",
        zip.len(),
        v.challenges,
        v.examples,
        packed,
        t.elapsed().as_secs_f64()
    );
    let (c50, k50) = (pct(&mut compile, 0.5), pct(&mut cached, 0.5));
    println!(
        "component load: compile {:.1} ms, from the disk cache {:.2} ms (ratio {:.0}×), {} bytes",
        c50,
        k50,
        c50 / k50,
        builtin::QCM.len()
    );
}
