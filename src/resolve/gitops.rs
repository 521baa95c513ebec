//! The `[gitops]` settings of a workspace, for one environment, with their defaults from the
//! key table: what `build --gitops` writes into the Argo CD and Flux objects.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::duration;
use crate::source::Spanned;
use crate::stack::ast::StackFile;
use crate::stack::keys::{self, Absent};

/// How the rendered tree is delivered; flags (`--repo-url`, `--revision`) win over the first two.
#[derive(Clone, Debug, PartialEq)]
pub struct GitOpsSettings {
    /// `gitops.tool`: what a build without `--gitops` delivers with (`argocd`, `flux`).
    pub tool: Option<Spanned<String>>,
    pub repo_url: Option<Spanned<String>>,
    pub revision: Option<Spanned<String>>,
    pub project: String,
    /// The destination by Argo CD cluster name; `None`: by `server`.
    pub cluster: Option<String>,
    pub server: String,
    pub automated: bool,
    pub prune: bool,
    pub self_heal: bool,
    pub sync_options: Vec<String>,
    pub interval: String,
    pub timeout: Option<String>,
    pub secret_ref: Option<String>,
}

impl Default for GitOpsSettings {
    fn default() -> Self {
        settings(None, &mut Diagnostics::default())
    }
}

/// The settings a (composed) workspace gives; `None`: every default.
pub fn settings(workspace: Option<&StackFile>, diagnostics: &mut Diagnostics) -> GitOpsSettings {
    let text = |path: &str| workspace.and_then(|w| w.str(path)).cloned();
    let or_default = |path: &str| {
        text(path).map_or_else(
            || match keys::lookup(path).default {
                Absent::Str(default) => default.to_owned(),
                _ => String::new(),
            },
            |v| v.value,
        )
    };
    let flag = |path: &str| {
        workspace
            .and_then(|w| w.bool(path))
            .map_or(keys::lookup(path).default == Absent::Bool(true), |b| {
                b.value
            })
    };
    let mut duration = |path: &str| {
        let value = text(path)?;
        if duration::whole_seconds(&value.value).is_none_or(|s| s <= 0) {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidDuration,
                    Label::new(value.span, "not a duration"),
                    format!("`{path}` = \"{}\" is not a positive duration", value.value),
                )
                .with_help("write a number with a unit, as Flux reads it: \"5m\", \"1h\", \"90s\""),
            );
        }
        Some(value.value)
    };
    let interval = duration("gitops.interval").unwrap_or_else(|| or_default("gitops.interval"));
    let timeout = duration("gitops.timeout");
    GitOpsSettings {
        tool: text("gitops.tool"),
        repo_url: text("gitops.repo_url"),
        revision: text("gitops.revision"),
        project: or_default("gitops.project"),
        cluster: text("gitops.cluster").map(|c| c.value),
        server: or_default("gitops.server"),
        automated: flag("gitops.automated"),
        prune: flag("gitops.prune"),
        self_heal: flag("gitops.self_heal"),
        sync_options: workspace
            .and_then(|w| w.strs("gitops.sync_options"))
            .map(|o| o.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default(),
        interval,
        timeout,
        secret_ref: text("gitops.secret_ref").map(|s| s.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::stack::parse;

    #[test]
    fn defaults_are_safe_and_values_are_read() {
        let plain = GitOpsSettings::default();
        assert!(!plain.automated && !plain.prune && !plain.self_heal);
        assert_eq!(plain.project, "default");
        assert_eq!(plain.server, "https://kubernetes.default.svc");
        assert_eq!(plain.interval, "10m");
        let mut sources = SourceMap::default();
        let id = sources.add(
            "inferstack.toml",
            "[gitops]\nproject = \"llm\"\ncluster = \"prod-eu\"\nautomated = true\nprune = true\ninterval = \"ten\"\n",
        );
        let workspace = parse(&sources, id).stack.unwrap();
        let mut diagnostics = Diagnostics::default();
        let read = settings(Some(&workspace), &mut diagnostics);
        assert_eq!(read.project, "llm");
        assert_eq!(read.cluster.as_deref(), Some("prod-eu"));
        assert!(read.automated && read.prune && !read.self_heal);
        assert_eq!(
            diagnostics.iter().next().unwrap().code,
            Code::InvalidDuration
        );
    }
}
