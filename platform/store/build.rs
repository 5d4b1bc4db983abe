// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo to watch them on
// stable Rust: a migration added or edited would otherwise be missed by an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
