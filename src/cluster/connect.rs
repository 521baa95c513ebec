//! Reaching a cluster: the kubeconfig's context (or the pod's service account inside a
//! cluster), one current-thread runtime, and raw GETs with a timeout and a size bound. Every
//! error names the context and the server, and never a credential (`secrets::redact`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use futures::AsyncReadExt as _;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::secrets::redact;

/// How long one request may take by default, connecting included: a cluster that does not
/// answer is named, not waited for (an Argo CD plugin has 90 s for everything).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response read: the biggest of Kubernetes' `/openapi/v3` documents (`api/v1`)
/// is under 4 MB; 64 MB bounds a server that never stops.
pub const MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// Which cluster: the command line's `--kubeconfig` and `--context`.
#[derive(Debug, Clone)]
pub struct Target {
    /// A kubeconfig file; `None`: `$KUBECONFIG` (several files, merged) or `~/.kube/config`,
    /// and inside a pod with neither, its service account.
    pub kubeconfig: Option<PathBuf>,
    /// A context of that kubeconfig; `None`: its `current-context`.
    pub context: Option<String>,
    /// How long each request may take ([`REQUEST_TIMEOUT`] by default).
    pub timeout: Duration,
}

/// A connected client and what error messages call it.
pub struct Cluster {
    client: kube::Client,
    runtime: tokio::runtime::Runtime,
    /// The context used (`in-cluster` for a pod's service account).
    pub context: String,
    /// The API server's URL.
    pub server: String,
    timeout: Duration,
}

impl Target {
    /// The client for this target. Nothing is sent yet: an unreachable server is found by the
    /// first request.
    pub fn connect(&self) -> anyhow::Result<Cluster> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the runtime of the Kubernetes client")?;
        let (config, context) = runtime.block_on(self.config())?;
        let server = config.cluster_url.to_string();
        let client = {
            // The client's connector needs the runtime entered, not only polled.
            let _entered = runtime.enter();
            kube::Client::try_from(config).map_err(|error| {
                anyhow!(
                    "cannot make a client for context {context} ({server}): {}",
                    redact(&error.to_string())
                )
            })?
        };
        Ok(Cluster {
            client,
            runtime,
            context,
            server,
            timeout: self.timeout,
        })
    }

    async fn config(&self) -> anyhow::Result<(kube::Config, String)> {
        let kubeconfig = match &self.kubeconfig {
            Some(path) => Some(Kubeconfig::read_from(path).map_err(|error| {
                anyhow!(
                    "cannot read the kubeconfig {}: {}",
                    path.display(),
                    redact(&error.to_string())
                )
            })?),
            None => match Kubeconfig::read() {
                Ok(kubeconfig) => Some(kubeconfig),
                // No kubeconfig at all: a pod's service account, if this is one.
                Err(_) if self.context.is_none() && in_a_pod() => None,
                Err(error) => {
                    return Err(anyhow!(
                        "cannot read a kubeconfig ($KUBECONFIG or ~/.kube/config; or pass \
                         --kubeconfig): {}",
                        redact(&error.to_string())
                    ));
                }
            },
        };
        let Some(kubeconfig) = kubeconfig else {
            let config = kube::Config::incluster().map_err(|error| {
                anyhow!(
                    "cannot use the pod's service account: {}",
                    redact(&error.to_string())
                )
            })?;
            return Ok((with_timeouts(config, self.timeout), "in-cluster".to_owned()));
        };
        let context = match (&self.context, &kubeconfig.current_context) {
            (Some(context), _) | (None, Some(context)) => context.clone(),
            (None, None) => anyhow::bail!(
                "the kubeconfig has no current-context; pass --context (it has: {})",
                context_names(&kubeconfig)
            ),
        };
        if !kubeconfig.contexts.iter().any(|c| c.name == context) {
            anyhow::bail!(
                "the kubeconfig has no context {context} (it has: {})",
                context_names(&kubeconfig)
            );
        }
        let options = KubeConfigOptions {
            context: Some(context.clone()),
            ..KubeConfigOptions::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|error| {
                anyhow!(
                    "cannot use context {context}: {}",
                    redact(&error.to_string())
                )
            })?;
        Ok((with_timeouts(config, self.timeout), context))
    }
}

/// The service account's token is mounted where Kubernetes documents it, and the API server's
/// address is in the environment (kubernetes.io/docs/tasks/run-application/access-api-from-pod).
fn in_a_pod() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
}

fn context_names(kubeconfig: &Kubeconfig) -> String {
    let names: Vec<&str> = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if names.is_empty() {
        "no contexts".to_owned()
    } else {
        names.join(", ")
    }
}

fn with_timeouts(mut config: kube::Config, timeout: Duration) -> kube::Config {
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    config.write_timeout = Some(timeout);
    // A request that fails is reported, not retried behind the user's back.
    config.default_retry = false;
    config
}

/// Why a request failed: the server's own answer, or no answer.
#[derive(Debug)]
pub enum Failure {
    /// The server answered with this HTTP status (404: the path is not served).
    Status(u16, String),
    /// No usable answer: unreachable, timed out, too large, not UTF-8.
    Unreachable(String),
}

impl Cluster {
    /// GETs `path` (with its query) and returns the body.
    pub fn get(&self, path: &str) -> Result<String, Failure> {
        self.get_as(path, "application/json")
    }

    /// GETs `path` asking for `accept` (a `PartialObjectMetadataList`, say).
    pub fn get_as(&self, path: &str, accept: &str) -> Result<String, Failure> {
        let request = http::Request::get(path)
            .header(http::header::ACCEPT, accept)
            .body(Vec::new())
            .map_err(|error| Failure::Unreachable(format!("bad request path {path}: {error}")))?;
        self.send(request)
    }

    /// Sends `request` and reads its body, within the target's timeout and
    /// [`MAX_RESPONSE_BYTES`].
    pub fn send(&self, request: http::Request<Vec<u8>>) -> Result<String, Failure> {
        let work = async {
            let stream =
                self.client
                    .request_stream(request)
                    .await
                    .map_err(|error| match error {
                        kube::Error::Api(status) => {
                            Failure::Status(status.code, redact(&status.message))
                        }
                        other => Failure::Unreachable(redact(&other.to_string())),
                    })?;
            let mut body = Vec::new();
            stream
                .take(MAX_RESPONSE_BYTES + 1)
                .read_to_end(&mut body)
                .await
                .map_err(|error| Failure::Unreachable(redact(&error.to_string())))?;
            if body.len() as u64 > MAX_RESPONSE_BYTES {
                return Err(Failure::Unreachable(format!(
                    "the answer is over {} MB",
                    MAX_RESPONSE_BYTES >> 20
                )));
            }
            String::from_utf8(body)
                .map_err(|_| Failure::Unreachable("the answer is not UTF-8".into()))
        };
        self.runtime.block_on(async {
            tokio::time::timeout(self.timeout, work)
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::Unreachable(format!(
                        "no answer within {} s",
                        self.timeout.as_secs()
                    )))
                })
        })
    }

    /// The error for a failed request of `what`: exit 2, with the context and the server.
    pub fn error(&self, what: &str, failure: Failure) -> anyhow::Error {
        let why = match failure {
            Failure::Status(code, message) => format!("the server answered {code}: {message}"),
            Failure::Unreachable(why) => why,
        };
        anyhow!(
            "cannot read {what} from the cluster of context {} ({}): {why}",
            self.context,
            self.server
        )
    }

    /// GETs `path` as JSON; any failure is [`Cluster::error`].
    pub fn get_json(&self, path: &str, what: &str) -> anyhow::Result<serde_json::Value> {
        self.get_json_as(path, "application/json", what)
    }

    /// GETs `path` as JSON of the representation `accept` asks for.
    pub fn get_json_as(
        &self,
        path: &str,
        accept: &str,
        what: &str,
    ) -> anyhow::Result<serde_json::Value> {
        let text = self
            .get_as(path, accept)
            .map_err(|failure| self.error(what, failure))?;
        self.parse_json(&text, what)
    }

    /// GETs `path` as JSON, `None` if the server has nothing there (404); any other failure is
    /// [`Cluster::error`].
    pub fn get_json_if_found(
        &self,
        path: &str,
        what: &str,
    ) -> anyhow::Result<Option<serde_json::Value>> {
        match self.get(path) {
            Ok(text) => self.parse_json(&text, what).map(Some),
            Err(Failure::Status(404, _)) => Ok(None),
            Err(failure) => Err(self.error(what, failure)),
        }
    }

    /// An answer's body as JSON; one that is not is [`Cluster::error`].
    pub fn parse_json(&self, text: &str, what: &str) -> anyhow::Result<serde_json::Value> {
        serde_json::from_str(text).map_err(|error| {
            self.error(
                what,
                Failure::Unreachable(format!("the answer is not JSON: {error}")),
            )
        })
    }
}
