//! SGLang's `python -m sglang.launch_server` flags by release (`sglang_flags.tsv`, read from
//! the released wheels by `scripts/sglang_flags/build.sh`), and what SGLang's own source says to
//! write instead of the flags it deprecated or removed: each from the help text or deprecation
//! of `sglang/srt/server_args.py` (or `sglang/srt/arg_groups/fields/*.py` from 0.5.20) at the
//! release named.

use std::sync::OnceLock;

use super::releases::{FlagReleases, Replacement};

pub static SGLANG: FlagReleases = FlagReleases {
    text: include_str!("sglang_flags.tsv"),
    replacements: REPLACEMENTS,
    parsed: OnceLock::new(),
};

const fn r(flag: &'static str, since: &'static str, instead: &'static str) -> Replacement {
    Replacement {
        flag,
        deprecated_since: Some(since),
        instead,
    }
}

pub const REPLACEMENTS: &[Replacement] = &[
    // 0.4.0 `server_args.py`: "'--disable-flashinfer' is deprecated. Please use
    // '--attention-backend triton' instead." and its neighbours.
    r(
        "--disable-flashinfer",
        "0.4.0",
        "`--attention-backend triton`",
    ),
    r(
        "--disable-flashinfer-sampling",
        "0.4.0",
        "`--sampling-backend pytorch`",
    ),
    r(
        "--disable-disk-cache",
        "0.4.0",
        "`--disable-outlines-disk-cache`",
    ),
    r(
        "--enable-overlap-schedule",
        "0.4.0",
        "nothing: overlap scheduling is on by default",
    ),
    // 0.5.4 `server_args.py`: "NOTE: --enable-ep-moe is deprecated. Please set `--ep-size` to
    // the same value as `--tp-size` instead." and the MoE backend flags beside it.
    r(
        "--enable-ep-moe",
        "0.4.10.post2",
        "`--ep-size` equal to `--tp-size`",
    ),
    r(
        "--enable-deepep-moe",
        "0.4.10.post2",
        "`--moe-a2a-backend deepep`",
    ),
    r(
        "--enable-flashinfer-cutlass-moe",
        "0.5.1",
        "`--moe-runner-backend flashinfer_cutlass`",
    ),
    r(
        "--enable-flashinfer-trtllm-moe",
        "0.5.1",
        "`--moe-runner-backend flashinfer_trtllm`",
    ),
    r(
        "--enable-triton-kernel-moe",
        "0.5.1",
        "`--moe-runner-backend triton_kernel`",
    ),
    // 0.5.8: "Note: --hybrid-kvcache-ratio is deprecated now. Please use
    // --swa-full-tokens-ratio instead."
    r(
        "--hybrid-kvcache-ratio",
        "0.5.8",
        "`--swa-full-tokens-ratio`",
    ),
    // 0.5.19 `server_args.py`: "Deprecated alias for --cuda-graph-max-bs-decode." and the
    // others of the CUDA graph rework, removed in 0.5.20.
    r(
        "--cuda-graph-max-bs",
        "0.5.14",
        "`--cuda-graph-max-bs-decode`",
    ),
    r("--cuda-graph-bs", "0.5.14", "`--cuda-graph-bs-decode`"),
    r(
        "--disable-piecewise-cuda-graph",
        "0.5.14",
        "`--cuda-graph-backend-prefill=disabled`",
    ),
    r(
        "--stream-output",
        "0.5.10",
        "`--incremental-streaming-output`",
    ),
    // 0.5.23, still accepted: "Deprecated. Use --cuda-graph-backend-{decode,prefill}=disabled
    // instead." and "Deprecated. Use --attn-dp-size <dp-size> instead of --dp-size <dp-size>
    // --enable-dp-attention."; `fields/serving.py`: "(Deprecated, use --smg-grpc-mode)".
    r(
        "--disable-cuda-graph",
        "0.5.14",
        "`--cuda-graph-backend-decode=disabled` (and `--cuda-graph-backend-prefill=disabled`)",
    ),
    r(
        "--enable-dp-attention",
        "0.5.22",
        "`--attn-dp-size N` instead of `--dp-size N --enable-dp-attention`",
    ),
    r("--grpc-mode", "0.5.16", "`--smg-grpc-mode`"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::releases::{Judge, Verdict};
    use crate::k8s::image::release_numbers as numbers;

    fn at(version: &str) -> &'static crate::engine::releases::Release {
        match SGLANG.judge(Some(&numbers(version))) {
            Judge::Release(r) | Judge::Newest(r) => r,
            Judge::TooOld(_) => panic!("{version} is too old"),
        }
    }

    #[test]
    fn every_replacement_names_a_flag_of_the_table() {
        for r in REPLACEMENTS {
            assert!(SGLANG.knows(r.flag), "{}", r.flag);
        }
    }

    #[test]
    fn releases_judge_sglang_flags_by_their_lifespan() {
        assert_eq!(
            SGLANG.verdict(at("0.5.19"), "--stream-output"),
            Verdict::Deprecated {
                since: "0.5.10",
                instead: "`--incremental-streaming-output`"
            }
        );
        assert!(matches!(
            SGLANG.verdict(at("v0.5.20"), "--cuda-graph-max-bs"),
            Verdict::Removed {
                removed_in: "0.5.20",
                instead: Some(_)
            }
        ));
        assert_eq!(
            SGLANG.verdict(at("0.4.3"), "--enable-lora"),
            Verdict::NotYet {
                added: "0.4.9.post3"
            }
        );
        assert_eq!(SGLANG.verdict(at("0.5.23"), "--tp-size"), Verdict::Accepted);
    }
}
