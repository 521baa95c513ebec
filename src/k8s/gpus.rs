//! GPU memory by product, keyed by the node label value the vendor's labeller sets, which is
//! the value `resources.gpu_product` takes:
//!
//! - NVIDIA: `nvidia.com/gpu.product`, GPU feature discovery's label, the NVML device name with
//!   every character outside `[A-Za-z0-9-_. ]` removed and runs of spaces made `-`
//!   (NVIDIA/k8s-device-plugin v0.20.0 `internal/lm/resource.go`, `sanitise`). Memory is what
//!   the driver reports (`nvidia-smi`'s total, GFD's `nvidia.com/gpu.memory`, in MiB), not the
//!   marketing figure: an "80 GB" H100 has 81,559 MiB. vLLM budgets `gpu_memory_utilization`
//!   of it.
//! - AMD: `amd.com/gpu.product-name`, the labeller's label, the product name with spaces made
//!   `_` and parentheses dropped (ROCm/k8s-device-plugin `cmd/k8s-node-labeller/main.go`), on
//!   the resource `amd.com/gpu`. The labeller reports memory only in whole GiB
//!   (`amd.com/gpu.vram`, `192G`), so that is the figure here.
//!
//! Products whose driver-reported memory no source gave (L40, H100 NVL, the SXM H200, H20,
//! GH200, GB200, RTX 6000 Ada, MI250, MI325X, MI355X) are left out: `gpu-memory-unknown` says
//! so instead of a guess.

/// Whose labeller names the product, which decides the node label and the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    Nvidia,
    Amd,
}

impl Vendor {
    /// The node label whose value is the product.
    pub const fn product_label(self) -> &'static str {
        match self {
            Vendor::Nvidia => "nvidia.com/gpu.product",
            Vendor::Amd => "amd.com/gpu.product-name",
        }
    }

    /// The extended resource the device plugin advertises.
    pub const fn resource(self) -> &'static str {
        match self {
            Vendor::Nvidia => "nvidia.com/gpu",
            Vendor::Amd => "amd.com/gpu",
        }
    }
}

/// One product: its label value, memory in MiB, and where the figure was read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gpu {
    pub product: &'static str,
    pub vendor: Vendor,
    pub memory_mib: u64,
    pub source: &'static str,
}

const fn nvidia(product: &'static str, memory_mib: u64, source: &'static str) -> Gpu {
    Gpu {
        product,
        vendor: Vendor::Nvidia,
        memory_mib,
        source,
    }
}

const fn amd(product: &'static str, vram_gib: u64, source: &'static str) -> Gpu {
    Gpu {
        product,
        vendor: Vendor::Amd,
        memory_mib: vram_gib * 1024,
        source,
    }
}

pub const GPUS: &[Gpu] = &[
    nvidia(
        "NVIDIA-B200",
        183359,
        "nvidia-smi of a B200, NVIDIA/TensorRT-LLM#10278",
    ),
    nvidia(
        "NVIDIA-H200-NVL",
        143771,
        "nvidia-smi's total of an H200 NVL, quoted in a public benchmark report",
    ),
    nvidia(
        "NVIDIA-H100-80GB-HBM3",
        81559,
        "nvidia-smi of an H100 SXM, wilicc/gpu-burn#114 and NVIDIA/nccl#1264",
    ),
    nvidia(
        "NVIDIA-H100-PCIe",
        81559,
        "the nvidia.com/gpu.memory label GPU feature discovery sets on such nodes",
    ),
    nvidia(
        "NVIDIA-A100-SXM4-80GB",
        81920,
        "nvidia-smi's total, modal-labs/modal-client#2797",
    ),
    nvidia(
        "NVIDIA-A100-SXM4-40GB",
        40960,
        "nvidia-smi's total, modal-labs/modal-client#2797",
    ),
    nvidia(
        "NVIDIA-L40S",
        46068,
        "nvidia-smi of an L40S, akash-network/provider-configs#99",
    ),
    nvidia(
        "NVIDIA-L4",
        23034,
        "nvidia-smi of an L4, speaches-ai/speaches#438 and modal-labs/modal-client#2797",
    ),
    nvidia(
        "NVIDIA-A10G",
        23028,
        "nvidia-smi of an A10G, NVIDIA/DCGM#232",
    ),
    nvidia(
        "NVIDIA-A10",
        23028,
        "NVML's total of an A10 (24146608128 bytes), mayooot/detect-gpu#3",
    ),
    nvidia(
        "Tesla-V100-SXM2-32GB",
        32768,
        "the nvidia.com/gpu.memory label GPU feature discovery sets on such nodes",
    ),
    nvidia(
        "Tesla-T4",
        15360,
        "nvidia-smi's total, modal-labs/modal-client#2797",
    ),
    amd(
        "AMD_Instinct_MI300X_OAM",
        192,
        "amd.com/gpu.vram=192G beside this product name, ROCm/k8s-device-plugin docs/user-guide/installation.md",
    ),
    amd(
        "Instinct_MI210",
        64,
        "amd.com/gpu.vram=64G beside this product name, ROCm/k8s-device-plugin cmd/k8s-node-labeller/main_test.go",
    ),
];

/// The product of a label value, exactly as the labeller writes it.
pub fn lookup(product: &str) -> Option<&'static Gpu> {
    GPUS.iter().find(|g| g.product == product)
}

/// The label `resources.gpu_product` becomes: the vendor's, NVIDIA's for a product not here.
pub fn product_label(product: &str) -> &'static str {
    lookup(product)
        .map_or(Vendor::Nvidia, |g| g.vendor)
        .product_label()
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
            assert_eq!(GPUS.iter().filter(|g| g.product == gpu.product).count(), 1);
        }
        assert_eq!(
            product_label("AMD_Instinct_MI300X_OAM"),
            "amd.com/gpu.product-name"
        );
        assert_eq!(product_label("NVIDIA-L4"), "nvidia.com/gpu.product");
        assert_eq!(
            lookup("AMD_Instinct_MI300X_OAM").unwrap().memory_mib,
            196608
        );
    }
}
