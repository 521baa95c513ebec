//! GPU memory by product, keyed by the `nvidia.com/gpu.product` label value NVIDIA's GPU feature
//! discovery sets (the value `resources.gpu_product` takes). Memory is what the driver reports
//! (`nvidia-smi`'s total, GFD's `nvidia.com/gpu.memory` label, in MiB), not the marketing
//! figure: an "80 GB" H100 has 81,559 MiB. vLLM budgets `gpu_memory_utilization` of it.

/// One product: its label value, memory in MiB, and where the figure was read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gpu {
    pub product: &'static str,
    pub memory_mib: u64,
    pub source: &'static str,
}

const GFD: &str = "the nvidia.com/gpu.memory label GPU feature discovery sets on such nodes";
const SMI: &str = "nvidia-smi's total memory on such a GPU";

pub const GPUS: &[Gpu] = &[
    Gpu {
        product: "NVIDIA-H100-80GB-HBM3",
        memory_mib: 81559,
        source: GFD,
    },
    Gpu {
        product: "NVIDIA-H100-PCIe",
        memory_mib: 81559,
        source: GFD,
    },
    Gpu {
        product: "NVIDIA-A100-SXM4-80GB",
        memory_mib: 81920,
        source: GFD,
    },
    Gpu {
        product: "Tesla-V100-SXM2-32GB",
        memory_mib: 32768,
        source: GFD,
    },
    Gpu {
        product: "Tesla-T4",
        memory_mib: 15360,
        source: GFD,
    },
    Gpu {
        product: "NVIDIA-A10G",
        memory_mib: 23028,
        source: SMI,
    },
    Gpu {
        product: "NVIDIA-A10",
        memory_mib: 23028,
        source: SMI,
    },
];

/// The product of a label value, exactly as GFD writes it.
pub fn lookup(product: &str) -> Option<&'static Gpu> {
    GPUS.iter().find(|g| g.product == product)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_are_exact_label_values() {
        assert_eq!(lookup("NVIDIA-A10G").map(|g| g.memory_mib), Some(23028));
        assert_eq!(lookup("nvidia-a10g"), None);
        for gpu in GPUS {
            assert!(!gpu.product.contains(' '), "{}", gpu.product);
        }
    }
}
