//! Command-line syntax only (clap derive types); `commands` gives them meaning.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use crate::report::Format;
use crate::resolve::Profile;

#[derive(Debug, Parser)]
#[command(
    name = "inferstack",
    version,
    about = "Compile LLM inference stacks (TOML) into validated, deterministic Kubernetes YAML",
    after_help = "Exit codes: 0 clean, 1 problems in the inputs, 2 inferstack could not run."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour diagnostics (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// How to print diagnostics: `human` code frames, or `short` one line each (for editors, grep).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Human,
    Short,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile stacks and write the YAML (one file per object plus kustomization.yaml files).
    Build(BuildArgs),
    /// Compile stacks in memory and validate every object; write nothing.
    Check(CheckArgs),
    /// Validate Kubernetes manifests (files, directories or `-`), strictly and offline.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the stack file format (for editors: Taplo, Even Better TOML).
    Schema,
    /// The Kubernetes schemas of a cluster: `schemas pull -o DIR` writes its CRDs and OpenAPI
    /// v3 documents for `validate --crds DIR/crds --openapi DIR/openapi`.
    #[command(subcommand)]
    Schemas(SchemasCommand),
    /// Write a commented starter stack.
    Init(InitArgs),
    /// Explain a profile (what it emits, which API versions) or a diagnostic code (`explain
    /// gpu-memory-fit`); `explain rules` lists every code.
    Explain(ExplainArgs),
    /// Compare what a build would write with what is on disk, object by object.
    Diff(DiffArgs),
    /// Print a shell completion script (`inferstack completions bash > /etc/bash_completion.d/inferstack`).
    Completions(CompletionsArgs),
    /// Print a manual page, in roff (`inferstack man > /usr/local/share/man/man1/inferstack.1`;
    /// `inferstack man build > …/inferstack-build.1`).
    Man(ManArgs),
}

#[derive(Debug, Subcommand)]
pub enum SchemasCommand {
    /// Read every CustomResourceDefinition and the built-in kinds' `/openapi/v3` documents
    /// from a cluster (read-only) into DIR/crds/*.yaml, DIR/openapi/*.json and
    /// DIR/cluster.yaml: sorted, without the server's fields or timestamps, to commit and diff.
    Pull(PullArgs),
}

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,

    /// The directory to write (created; files inferstack did not write are left alone).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
}

/// Which cluster a command reads: defined once for `schemas pull`, `--cluster` and
/// `diff --live`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// The kubeconfig file; default `$KUBECONFIG` (several files, merged, as kubectl does) or
    /// `~/.kube/config`, and in a pod with neither, its service account.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context; default its `current-context`.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// How long each request to the cluster may take, connecting included, before the run
    /// stops with exit 2 (as kubectl's `--request-timeout`); default 30.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: Option<u64>,
}

/// `--cluster` and the flags that choose it: defined once for `validate`, `check` and
/// `build --check`.
#[derive(Debug, clap::Args)]
pub struct LiveCluster {
    /// Also judge by a live cluster, read-only: its CRDs and OpenAPI v3 schemas in place of the
    /// embedded catalog's, whether it serves each object's apiVersion and kind, and its Knative
    /// `config-features`, `config-defaults` and `config-autoscaler`. Kept in the user's cache
    /// directory by server version, CRD resourceVersion and document hash.
    #[arg(long)]
    pub cluster: bool,

    #[command(flatten)]
    pub target: ClusterArgs,
}

impl ClusterArgs {
    pub fn target(&self) -> crate::cluster::Target {
        crate::cluster::Target {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            timeout: self.request_timeout.map_or(
                crate::cluster::connect::REQUEST_TIMEOUT,
                std::time::Duration::from_secs,
            ),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A subcommand, for its own page (`inferstack-build(1)`); none: the main page.
    pub command: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub stacks: Stacks,

    /// Output directory, or `-` for one multi-document YAML stream on stdout. With several
    /// environments, each is written to `OUTPUT/<env>/`.
    #[arg(short, long, default_value = "rendered")]
    pub output: PathBuf,

    /// Write nothing; exit 1 if the output directory is not exactly what a build would write.
    #[arg(long)]
    pub check: bool,

    /// `--cluster` (with `--check` only): see `check --help`.
    #[command(flatten)]
    pub live: LiveCluster,

    #[command(flatten)]
    pub delivery: Delivery,
}

/// How the output is delivered: the flags of `build` that add GitOps objects to it. `diff`
/// takes them too, so that the command line of a build compares clean right after it.
#[derive(Debug, Default, clap::Args)]
pub struct Delivery {
    /// Also emit the GitOps objects that deliver the output: Argo CD Applications (with sync
    /// waves) or Flux GitRepository and Kustomizations (with dependsOn), under `_gitops/`; for
    /// several environments, one ApplicationSet or per-cluster Flux objects beside them.
    /// Default: the workspace's `gitops.tool`.
    #[arg(long, value_enum)]
    pub gitops: Option<GitOps>,

    /// The Git repository the GitOps objects point at; default: the workspace's
    /// `gitops.repo_url` (never guessed).
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,

    /// The branch, tag or commit the GitOps objects track; default: `gitops.revision`.
    #[arg(long)]
    pub revision: Option<String>,

    /// The output directory's path inside that repository; default: the output directory as
    /// given (`-o`, or `--against` for `diff`).
    #[arg(long, value_name = "PATH")]
    pub repo_path: Option<String>,
}

/// Which stacks `build`, `check` and `diff` compile, and how: defined once for the three.
#[derive(Debug, clap::Args)]
pub struct Stacks {
    /// Stack files, or directories walked recursively for *.toml.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Compile every stack for this profile, whatever its own `profile` says.
    #[arg(long, value_enum, env = "ARGOCD_ENV_PROFILE")]
    pub profile: Option<ProfileArg>,

    /// Build for these environments (`[env.NAME]` tables, the workspace's `environments`);
    /// comma-separated or repeated, or `all`. Required when the workspace lists
    /// `environments` without a `default_environment`. `build` writes each of several into
    /// its own directory, `OUTPUT/<env>/`.
    #[arg(
        long = "env",
        value_name = "NAME",
        value_delimiter = ',',
        env = "ARGOCD_ENV_ENVIRONMENT"
    )]
    pub envs: Vec<String>,
}

impl Stacks {
    pub fn profile(&self) -> Option<Profile> {
        self.profile.map(ProfileArg::profile)
    }
}

/// GitOps tools whose objects `build --gitops` emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GitOps {
    Argocd,
    Flux,
}

impl GitOps {
    /// The tool a `gitops.tool` value names (the key's values are these, see `stack::keys`).
    pub fn named(name: &str) -> Option<GitOps> {
        <GitOps as ValueEnum>::from_str(name, false).ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GitOps::Argocd => "argocd",
            GitOps::Flux => "flux",
        }
    }
}

/// The profiles, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    Ack,
    AckExplicit,
    GatewayApi,
}

impl ProfileArg {
    pub fn profile(self) -> Profile {
        match self {
            ProfileArg::Ack => Profile::Ack,
            ProfileArg::AckExplicit => Profile::AckExplicit,
            ProfileArg::GatewayApi => Profile::GatewayApi,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub stacks: Stacks,

    #[command(flatten)]
    pub live: LiveCluster,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Manifest files, directories (walked for *.yaml, *.yml, *.json), or `-` for stdin.
    #[arg(required_unless_present = "cel_coverage")]
    pub inputs: Vec<PathBuf>,

    /// CustomResourceDefinition files or directories; their schemas replace the catalog's.
    #[arg(long, value_name = "PATH")]
    pub crds: Vec<PathBuf>,

    /// Kubernetes OpenAPI v3 JSON files or directories (e.g. a cluster's /openapi/v3 documents).
    #[arg(long, value_name = "PATH")]
    pub openapi: Vec<PathBuf>,

    /// Skip objects whose kind has no schema instead of reporting them.
    #[arg(long)]
    pub skip_missing: bool,

    /// Do not evaluate the schemas' CEL rules (`x-kubernetes-validations`).
    #[arg(long)]
    pub skip_cel: bool,

    /// Print how many CEL rules each schema has, and how many compile and run; validate nothing.
    #[arg(long)]
    pub cel_coverage: bool,

    /// Knative's `config-features` and `config-defaults` ConfigMaps (files or directories, e.g.
    /// the cluster's saved to Git); ConfigMaps among the inputs override them key by key.
    #[arg(long, value_name = "PATH")]
    pub knative_config: Vec<PathBuf>,

    /// Leave out files whose path matches this glob (repeatable; `*` crosses `/`).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Also read Helm chart files that are skipped by default (`Chart.yaml`, `values*.yaml`, a
    /// chart's `templates/`).
    #[arg(long)]
    pub no_default_excludes: bool,

    /// The cross-object rules (pool selector, picker, routes, claims, mount paths) over all
    /// inputs: `open` reports contradictions among the objects given but not references to
    /// objects that are absent (they may live elsewhere); `closed` (`--cross` alone) reports
    /// those too; `off` runs none. The same for a file, a directory or `-`.
    #[arg(
        long,
        value_enum,
        default_value_t = Cross::Open,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "closed",
        conflicts_with = "no_cross"
    )]
    pub cross: Cross,

    /// Do not run the cross-object rules (`--cross=off`).
    #[arg(long)]
    pub no_cross: bool,

    /// The Kubernetes release whose built-in schemas the embedded catalog uses.
    #[arg(long, value_name = "VERSION", default_value = crate::validate::catalog::KUBERNETES_VERSIONS[0], value_parser = kubernetes_version)]
    pub kubernetes_version: &'static str,

    /// The Gateway API release channel whose schemas the embedded catalog uses for the kinds both
    /// channels define (the experimental ones have fields the standard ones refuse); a kind of
    /// one channel only has that channel's schema either way.
    #[arg(long, value_enum, default_value_t = GatewayChannel::Standard)]
    pub gateway_api_channel: GatewayChannel,

    /// Skip objects of these kinds (`Kind` or `apiVersion/Kind`; repeatable, comma-separated).
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Fail on objects of these kinds (`Kind` or `apiVersion/Kind`; repeatable, comma-separated).
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub reject: Vec<String>,

    /// End the text report with counts per kind and the files left out.
    #[arg(long)]
    pub summary: bool,

    #[command(flatten)]
    pub live: LiveCluster,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Which cross-object rules `validate` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cross {
    Open,
    Closed,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GatewayChannel {
    Standard,
    Experimental,
}

impl ValidateArgs {
    /// The world the cross-object rules run in, or `None` for none.
    pub fn world(&self) -> Option<crate::rules::cross::World> {
        use crate::rules::cross::World;
        match (self.no_cross, self.cross) {
            (true, _) | (false, Cross::Off) => None,
            (false, Cross::Open) => Some(World::Open),
            (false, Cross::Closed) => Some(World::Closed),
        }
    }

    /// The embedded catalog's schemas these flags choose.
    pub fn selection(&self) -> crate::validate::catalog::Selection {
        use crate::validate::catalog::{Channel, Selection};
        Selection {
            kubernetes: self.kubernetes_version,
            gateway_channel: match self.gateway_api_channel {
                GatewayChannel::Standard => Channel::Standard,
                GatewayChannel::Experimental => Channel::Experimental,
            },
        }
    }
}

/// A Kubernetes release the catalog ships, as `1.35` or `v1.35`.
fn kubernetes_version(text: &str) -> Result<&'static str, String> {
    use crate::validate::catalog::{KUBERNETES_VERSIONS, Selection};
    Selection::kubernetes_version(text).ok_or_else(|| {
        format!(
            "the embedded catalog has the built-in kinds of Kubernetes {} only; for another \
             release pass its OpenAPI v3 documents with --openapi",
            KUBERNETES_VERSIONS.join(", ")
        )
    })
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The service name (a DNS-1123 label); also the file name, `<NAME>.toml`.
    #[arg(default_value = "my-model")]
    pub name: String,

    /// Where to write the stack; `-` prints it. Defaults to `<NAME>.toml`.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// The platform the starter is for: `ack` (Alibaba Cloud's Gateway with Inference
    /// Extension), `ack-explicit`, or `gateway-api` (any conformant Gateway; Envoy Gateway here).
    #[arg(long, value_enum, default_value_t = ProfileArg::Ack)]
    pub profile: ProfileArg,

    /// Where the weights are: a URL (`s3://BUCKET/PREFIX`, `oss://…`, `gs://…`, `pvc://CLAIM/DIR`,
    /// `hf://ORG/NAME`), or a scheme alone (`s3`) for its example. Default: `oss` with `ack`
    /// profiles, `s3` with `gateway-api`.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,

    /// The model server.
    #[arg(long, value_enum, default_value_t = EngineArg::Vllm)]
    pub engine: EngineArg,
}

/// The engines, as command-line values (`engine.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Vllm,
    Sglang,
    Custom,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A profile (`ack`, `ack-explicit`, `gateway-api`), a diagnostic code (`gpu-memory-fit`,
    /// also as `inferstack::gpu-memory-fit`), or `rules` for the list of codes.
    pub topic: String,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub stacks: Stacks,

    /// The rendered directory to compare with (what `build -o` wrote); with several
    /// environments, `AGAINST/<env>/` for each.
    #[arg(long, default_value = "rendered")]
    pub against: PathBuf,

    /// `text` (unified diffs, coloured on a terminal unless NO_COLOR) or `json`.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Compare with the live objects of a cluster instead of a directory: each object a build
    /// would write against the live one (or its absence), after a server-side dry-run apply of
    /// ours (`dryRun=All`: the cluster's defaults and webhooks, nothing persisted), ignoring
    /// the fields the server owns. Read-only; `--print-rbac` prints the role it needs.
    #[arg(long, conflicts_with_all = ["against", "print_rbac"])]
    pub live: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,

    /// Print the ClusterRole `diff --live` needs for the kinds these stacks emit (get and list
    /// them, and the dry-run apply's patch and create), and compare nothing.
    #[arg(long)]
    pub print_rbac: bool,

    #[command(flatten)]
    pub delivery: Delivery,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}
