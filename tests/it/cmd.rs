//! The wording of the messages users read first, held byte for byte: each `tests/cmd/*.toml`
//! runs the real binary (in a copy of its `.in` directory) and compares its exit code, stdout
//! and stderr with the files beside it. `TRYCMD=overwrite cargo test --test it cmd::` rewrites them.

#[test]
fn cli_messages() {
    trycmd::TestCases::new()
        .env(
            "INFERSTACK_CACHE_DIR",
            crate::support::cli::cache_dir().display().to_string(),
        )
        .case("tests/cmd/*.toml");
}
