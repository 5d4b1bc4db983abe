//! Builds the plugins of `content-plugins/` into Wasm components, so that `cargo build`, `cargo
//! run` and `cargo test` on a fresh machine need nothing else than rustup.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

/// (cargo package, feature, output name)
const PLUGINS: &[(&str, Option<&str>, &str)] = &[
    ("builtin", Some("qcu"), "qcu"),
    ("builtin", Some("qcm"), "qcm"),
    ("builtin", Some("qroc"), "qroc"),
    ("builtin", Some("qrocm-ind"), "qrocm-ind"),
    ("builtin", Some("qrocm-dep"), "qrocm-dep"),
    ("ordre", None, "ordre"),
    ("fixed-order", None, "fixed-order"),
    ("hostile", None, "hostile"),
];

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .join("../..")
        .canonicalize()
        .expect("the workspace root is readable");
    let plugins = root.join("content-plugins");
    println!("cargo:rerun-if-changed={}", plugins.display());
    println!("cargo:rerun-if-changed={}", root.join("sdk").display());
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    ensure_target(&rustc);
    let sysroot = String::from_utf8(
        Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .expect("rustc --print sysroot")
            .stdout,
    )
    .expect("rustc prints its sysroot in UTF-8");
    let host = std::env::var("HOST").expect("cargo sets HOST");
    let linker =
        Path::new(sysroot.trim()).join(format!("lib/rustlib/{host}/bin/wasm-component-ld"));
    if !linker.exists() {
        panic!(
            "wasm-component-ld is missing from the Rust toolchain ({}): update rustup's stable toolchain",
            linker.display()
        );
    }
    // Next to the outer build's target directory, with its own lock.
    let target_dir = out
        .ancestors()
        .nth(4)
        .map(|p| p.join("wasm-plugins"))
        .unwrap_or_else(|| out.join("wasm-plugins"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for (package, feature, name) in PLUGINS {
        let mut cmd = Command::new(&cargo);
        cmd.current_dir(&plugins)
            .args([
                "build",
                "--release",
                "--locked",
                "--target",
                TARGET,
                "-p",
                package,
            ])
            .arg("--target-dir")
            .arg(&target_dir)
            .env(
                format!(
                    "CARGO_TARGET_{}_LINKER",
                    TARGET.to_uppercase().replace('-', "_")
                ),
                &linker,
            );
        if let Some(f) = feature {
            cmd.args(["--features", f]);
        }
        // The outer build's wrappers and flags (clippy, coverage…) are not meant for the guests.
        for var in [
            "RUSTC_WORKSPACE_WRAPPER",
            "RUSTC_WRAPPER",
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
        ] {
            cmd.env_remove(var);
        }
        let status = cmd.status().expect("run cargo for the Wasm plugins");
        if !status.success() {
            panic!("building the Wasm plugin {name} failed (see the output above)");
        }
        let built = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{}.wasm", package.replace('-', "_")));
        std::fs::copy(&built, out.join(format!("{name}.wasm"))).expect("copy the built component");
    }
    embed_package(&plugins.join("packages/crcn"), &out.join("crcn_files.rs"));
}

/// Lists the built-in package's files as `include_bytes!` entries, so the server carries its
/// content and publishes it at start-up wherever the binary runs.
fn embed_package(dir: &Path, out: &Path) {
    fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read the built-in package")
            .map(|e| e.expect("read the built-in package").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                // The format description is for authors, not part of the content.
                if rel != "SCHEMA.md" {
                    files.push((rel, path));
                }
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    let mut src = String::from("&[\n");
    for (rel, path) in files {
        src.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    src.push_str("]\n");
    std::fs::write(out, src).expect("write the built-in package list");
}

/// Installs the Wasm target through rustup when it is missing, or fails with one line.
fn ensure_target(rustc: &str) {
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output();
    let installed = libdir
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim().to_owned()))
        .is_some_and(|p| p.exists());
    if installed {
        return;
    }
    let ok = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        panic!(
            "the {TARGET} target is missing and rustup could not install it: run `rustup target add {TARGET}`"
        );
    }
}
