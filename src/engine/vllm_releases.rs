//! vLLM's command line by release: which flags each release accepts (`vllm_flags.tsv`, read
//! from the released wheels), what to write instead of a flag a release removed or deprecated
//! (from the wheels' `vllm/engine/arg_utils.py` and `config/*.py` at the releases named), and
//! from which release `vllm serve MODEL` is the way to start the server.

use std::sync::OnceLock;

use super::releases::{FlagReleases, Replacement};

pub static VLLM: FlagReleases = FlagReleases {
    text: include_str!("vllm_flags.tsv"),
    replacements: REPLACEMENTS,
    parsed: OnceLock::new(),
};

/// `vllm serve MODEL`: the positional model exists since 0.5.2 (vllm==0.5.2
/// `vllm/scripts.py`, `usage="vllm serve <model_tag> [options]"`); `--model` beside it is a hard
/// error from 0.8.3 to 0.11.0 and deprecated from 0.11.1 (wheels' `entrypoints/cli/serve.py`).
pub const SERVE_SINCE: [u64; 3] = [0, 5, 2];

pub const REPLACEMENTS: &[Replacement] = &[
    Replacement {
        flag: "--disable-log-requests",
        deprecated_since: Some("0.10.1"),
        instead: "nothing: request logging is off by default since 0.10.1 (`--enable-log-requests` turns it on)",
    },
    Replacement {
        flag: "--enable-reasoning",
        deprecated_since: Some("0.9.0"),
        instead: "`--reasoning-parser` alone, which enables reasoning",
    },
    Replacement {
        flag: "--guided-decoding-backend",
        deprecated_since: Some("0.11.0"),
        instead: "`--structured-outputs-config` (e.g. `--structured-outputs-config.backend xgrammar`)",
    },
    Replacement {
        flag: "--guided-decoding-disable-fallback",
        deprecated_since: Some("0.11.0"),
        instead: "`--structured-outputs-config` (its `disable_fallback`)",
    },
    Replacement {
        flag: "--guided-decoding-disable-any-whitespace",
        deprecated_since: Some("0.11.0"),
        instead: "`--structured-outputs-config` (its `disable_any_whitespace`)",
    },
    Replacement {
        flag: "--guided-decoding-disable-additional-properties",
        deprecated_since: Some("0.11.0"),
        instead: "`--structured-outputs-config` (its `disable_additional_properties`)",
    },
    Replacement {
        flag: "--task",
        deprecated_since: Some("0.10.1"),
        instead: "`--runner` and `--convert`",
    },
    Replacement {
        flag: "--device",
        deprecated_since: Some("0.9.0"),
        instead: "nothing: the device is detected",
    },
    Replacement {
        flag: "--use-v2-block-manager",
        deprecated_since: Some("0.9.2"),
        instead: "nothing: block manager v1 is gone, the flag did nothing",
    },
    Replacement {
        flag: "--cuda-graph-sizes",
        deprecated_since: Some("0.11.1"),
        instead: "`--cudagraph-capture-sizes`",
    },
    Replacement {
        flag: "--override-pooler-config",
        deprecated_since: Some("0.11.0"),
        instead: "`--pooler-config`",
    },
    Replacement {
        flag: "--disable-mm-preprocessor-cache",
        deprecated_since: Some("0.10.1"),
        instead: "`--mm-processor-cache-gb 0`",
    },
    Replacement {
        flag: "--enable-multimodal-encoder-data-parallel",
        deprecated_since: None,
        instead: "`--mm-encoder-tp-mode data`",
    },
    Replacement {
        flag: "--eplb-window-size",
        deprecated_since: Some("0.10.2"),
        instead: "`--eplb-config` (its `window_size`)",
    },
    Replacement {
        flag: "--eplb-step-interval",
        deprecated_since: Some("0.10.2"),
        instead: "`--eplb-config` (its `step_interval`)",
    },
    Replacement {
        flag: "--eplb-log-balancedness",
        deprecated_since: Some("0.10.2"),
        instead: "`--eplb-config` (its `log_balancedness`)",
    },
    Replacement {
        flag: "--num-redundant-experts",
        deprecated_since: Some("0.10.2"),
        instead: "`--eplb-config` (its `num_redundant_experts`)",
    },
    Replacement {
        flag: "--max-num-partial-prefills",
        deprecated_since: None,
        instead: "nothing: 0.27.0 removed it without a replacement",
    },
    Replacement {
        flag: "--max-long-partial-prefills",
        deprecated_since: None,
        instead: "nothing: 0.27.0 removed it without a replacement",
    },
];

/// Whether an image of this version starts with `vllm serve MODEL`: from 0.5.2, and for an
/// image whose tag names no version, which is taken as the newest.
pub fn has_serve(version: Option<&[u64]>) -> bool {
    version.is_none_or(|v| v >= SERVE_SINCE.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::releases::{Judge, Release, Verdict};
    use crate::k8s::image::release_numbers as numbers;

    fn judge(version: Option<&[u64]>) -> Judge {
        VLLM.judge(version)
    }

    fn verdict(release: &Release, flag: &str) -> Verdict {
        VLLM.verdict(release, flag)
    }

    fn at(version: &str) -> &'static Release {
        match judge(Some(&numbers(version))) {
            Judge::Release(r) | Judge::Newest(r) => r,
            Judge::TooOld(_) => panic!("{version} is too old"),
        }
    }

    #[test]
    fn every_replacement_names_a_flag_of_the_table() {
        for r in REPLACEMENTS {
            assert!(VLLM.knows(r.flag), "{}", r.flag);
        }
    }

    #[test]
    fn releases_judge_flags_by_their_lifespan() {
        // --disable-log-requests: deprecated in 0.10.1, gone in 0.17.0.
        assert_eq!(
            verdict(at("0.10.0"), "--disable-log-requests"),
            Verdict::Accepted
        );
        assert!(matches!(
            verdict(at("0.12.0"), "--disable-log-requests"),
            Verdict::Deprecated {
                since: "0.10.1",
                ..
            }
        ));
        assert!(matches!(
            verdict(at("v0.17.1"), "--disable-log-requests"),
            Verdict::Removed {
                removed_in: "0.17.0",
                instead: Some(_)
            }
        ));
        assert!(matches!(
            verdict(at("0.27.1"), "--max-num-partial-prefills"),
            Verdict::Removed {
                removed_in: "0.27.0",
                ..
            }
        ));
        assert_eq!(
            verdict(at("0.8.5"), "--structured-outputs-config"),
            Verdict::NotYet { added: "0.11.0" }
        );
        assert_eq!(
            verdict(at("0.34.0"), "--not-a-vllm-flag"),
            Verdict::Accepted
        );
    }

    #[test]
    fn tags_pick_the_release_at_or_before_them() {
        assert_eq!(at("v0.10.1.1").name, "0.10.1.1");
        assert_eq!(at("0.8.5.post1").name, "0.8.5.post1");
        assert_eq!(at("0.10.3").name, "0.10.2");
        assert!(matches!(judge(Some(&[9, 0])), Judge::Newest(_)));
        assert!(matches!(judge(None), Judge::Newest(_)));
        assert!(matches!(judge(Some(&[0, 4, 1])), Judge::TooOld(_)));
        assert!(has_serve(Some(&[0, 6, 6])) && has_serve(None));
        assert!(!has_serve(Some(&[0, 4, 1])));
    }
}
