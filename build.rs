//! Links the `inferstack` executable as a position-dependent (non-PIE) executable on Linux.
//! A PIE has about 61,000 relative relocations here (the embedded catalog's, rule and flag
//! tables' `&'static str`s among them) that the dynamic loader applies, page by page, on every
//! start: about 0.8 ms of the 2.4 ms `inferstack --version` took (README, Benchmarks). Linked
//! at a fixed address, the linker resolves them once. Only the binaries: tests and the library
//! are unchanged; the start-up floor of `benches/floor.rs` is linked alike.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo::rustc-link-arg-bins=-no-pie");
        println!("cargo::rustc-link-arg-examples=-no-pie");
    }
}
