//! `notify_mismatches`: a validator run's mismatches posted as JSON to `[intents]
//! mismatch-webhook`, for ops' alerting (a chat hook, an incident tool). The mismatches are
//! already stored, logged and counted when this runs; the hook is one more way to be told.
//!
//! The body (`Content-Type: application/json`):
//!
//! ```json
//! { "event": "position_mismatches", "chain_id": 10,
//!   "run": "intent-validate-10-2026-…/<run id>", "run_at": "2026-11-23T18:00:00Z",
//!   "quotes": 12, "symbols": 2, "in_flight": ["ETHUSDT"],
//!   "mismatches": [{ "subject": "intent-10-7", "against": "chain", "ours": "1.5",
//!                    "theirs": "0", "detail": "the chain has the quote CLOSED" }] }
//! ```
//!
//! Delivery is at least once: a retry posts the same body again, and `run` tells repeats apart.
//! The URL may carry a token (chat hooks put one in the path), so logs and errors name its host
//! only.

use crate::{
    failure::{Retryable, to_activity_error},
    observe,
};
use alloy::transports::http::reqwest;
use chrono::{DateTime, Utc};
use hedgeflow_proto::{
    activities::definitions,
    intent::{Mismatch, ValidationReport, ValidationRequest},
};
use serde::Serialize;
use std::{sync::Arc, time::Duration};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};
use url::Url;

/// How long one post may take; the attempt then fails and is retried.
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No answer: connection refused, timeout, broken connection.
    #[error("mismatch webhook at {endpoint} did not answer: {source}")]
    Unreachable {
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("mismatch webhook at {endpoint} answered HTTP {status}")]
    Refused { endpoint: String, status: u16 },
    #[error("mismatch webhook client: {0}")]
    Client(#[source] reqwest::Error),
}

impl Retryable for WebhookError {
    /// A refusal is retried too: a hook answering 4xx is usually misconfigured or rate limited,
    /// and the attempts are few.
    fn is_retryable(&self) -> bool {
        !matches!(self, Self::Client(_))
    }
}

/// The orchestrator's mismatch webhook, if one is configured.
pub struct MismatchNotifier {
    hook: Option<(Url, reqwest::Client)>,
}

/// What the hook receives.
#[derive(Serialize)]
struct Notice<'a> {
    event: &'static str,
    chain_id: u64,
    run: String,
    run_at: Option<String>,
    quotes: u32,
    symbols: u32,
    in_flight: &'a [String],
    mismatches: &'a [Mismatch],
}

impl MismatchNotifier {
    pub fn new(hook: Option<Url>) -> Result<Self, WebhookError> {
        let hook = match hook {
            Some(url) => {
                let client = reqwest::Client::builder()
                    .timeout(TIMEOUT)
                    .build()
                    .map_err(WebhookError::Client)?;
                Some((url, client))
            }
            None => None,
        };
        Ok(Self { hook })
    }

    async fn post(
        &self,
        url: &Url,
        client: &reqwest::Client,
        notice: &Notice<'_>,
    ) -> Result<(), WebhookError> {
        let endpoint = observe::endpoint_label(url);
        let answer = client
            .post(url.clone())
            .json(notice)
            .send()
            .await
            // reqwest's message names the URL, token included.
            .map_err(|e| WebhookError::Unreachable {
                endpoint: endpoint.clone(),
                source: e.without_url(),
            })?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(WebhookError::Refused {
                endpoint,
                status: status.as_u16(),
            })
        }
    }
}

#[activities]
impl MismatchNotifier {
    /// See [`definitions::NotifyMismatches`]: at least once; `run` deduplicates at the receiver.
    #[activity(definition = definitions::NotifyMismatches)]
    pub async fn notify_mismatches(
        self: Arc<Self>,
        ctx: ActivityContext,
        (request, report): (ValidationRequest, ValidationReport),
    ) -> Result<(), ActivityError> {
        let Some((url, client)) = &self.hook else {
            return Ok(());
        };
        if report.mismatches.is_empty() {
            return Ok(());
        }
        let info = ctx.info();
        let notice = Notice {
            event: "position_mismatches",
            chain_id: request.chain_id,
            run: format!(
                "{}/{}",
                info.workflow_id.as_deref().unwrap_or_default(),
                info.workflow_run_id.as_deref().unwrap_or_default()
            ),
            // The first attempt's scheduling: the same in every retry.
            run_at: info
                .scheduled_time
                .map(|at| DateTime::<Utc>::from(at).to_rfc3339()),
            quotes: report.quotes,
            symbols: report.symbols,
            in_flight: &report.in_flight,
            mismatches: &report.mismatches,
        };
        let span = info_span!("notify_mismatches", chain_id = request.chain_id);
        match self.post(url, client, &notice).instrument(span).await {
            Ok(()) => {
                observe::mismatches_notified(request.chain_id, report.mismatches.len());
                Ok(())
            }
            Err(error) => {
                observe::mismatch_webhook_failed(request.chain_id, info.attempt, &error);
                Err(to_activity_error(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The activity under the SDK's `ActivityEnvironment`, posting to a one-shot HTTP listener
    //! on a free port of 127.0.0.1.

    use super::*;
    use rust_decimal::Decimal;
    use temporalio_sdk::testing::{ActivityEnvironment, ActivityEnvironmentError};
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpListener,
        sync::oneshot,
    };

    /// What the hook received: the request line and the JSON body.
    struct Received {
        request_line: String,
        body: serde_json::Value,
    }

    /// Answers one request with `status` and hands over what it received.
    async fn hook(status: u16) -> (Url, oneshot::Receiver<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!(
            "http://{}/hooks/SECRET-TOKEN",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut bytes = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let read = socket.read(&mut chunk).await.unwrap();
                bytes.extend_from_slice(&chunk[..read]);
                let text = String::from_utf8_lossy(&bytes);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|line| {
                            let (name, value) = line.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    break (end + 4, length);
                }
            };
            while bytes.len() < head_end + length {
                let read = socket.read(&mut chunk).await.unwrap();
                bytes.extend_from_slice(&chunk[..read]);
            }
            let answer =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            socket.write_all(answer.as_bytes()).await.unwrap();
            let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
            let _ = tx.send(Received {
                request_line: head.lines().next().unwrap_or_default().to_owned(),
                body: serde_json::from_slice(&bytes[head_end..]).unwrap(),
            });
        });
        (url, rx)
    }

    fn run_with_mismatch() -> (ValidationRequest, ValidationReport) {
        let request = ValidationRequest {
            chain_id: 10,
            symbols: vec!["ETHUSDT".into()],
        };
        let report = ValidationReport {
            quotes: 3,
            symbols: 1,
            in_flight: vec![],
            mismatches: vec![Mismatch {
                subject: "ETHUSDT".into(),
                against: "broker".into(),
                ours: Decimal::new(15, 1),
                theirs: Decimal::ZERO,
                detail: "the broker's position is not the sum of our quotes' hedges".into(),
            }],
        };
        (request, report)
    }

    fn env(hook: Option<Url>) -> ActivityEnvironment {
        ActivityEnvironment::builder_with_default()
            .register_activities(MismatchNotifier::new(hook).unwrap())
            .build()
    }

    #[tokio::test]
    async fn posts_the_mismatches_as_json() {
        let (url, received) = hook(204).await;
        env(Some(url))
            .run(MismatchNotifier::notify_mismatches, run_with_mismatch())
            .await
            .unwrap();
        let received = received.await.unwrap();
        assert_eq!(received.request_line, "POST /hooks/SECRET-TOKEN HTTP/1.1");
        let body = received.body;
        assert_eq!(body["event"], "position_mismatches");
        assert_eq!(body["chain_id"], 10);
        assert_eq!(body["run"], "test/test-run");
        assert_eq!(body["run_at"], "1970-01-01T00:00:00+00:00");
        assert_eq!(body["quotes"], 3);
        let mismatch = &body["mismatches"][0];
        assert_eq!(mismatch["subject"], "ETHUSDT");
        assert_eq!(mismatch["against"], "broker");
        assert_eq!(mismatch["ours"], "1.5");
        assert_eq!(mismatch["theirs"], "0");
        assert!(mismatch["detail"].as_str().unwrap().contains("broker"));
    }

    #[tokio::test]
    async fn a_refusing_hook_fails_the_attempt_for_a_retry_without_naming_its_token() {
        let (url, received) = hook(503).await;
        let error = env(Some(url))
            .run(MismatchNotifier::notify_mismatches, run_with_mismatch())
            .await
            .unwrap_err();
        let retryable = matches!(
            &error,
            ActivityEnvironmentError::Activity(ActivityError::Application(failure))
                if !failure.is_non_retryable()
        );
        assert!(retryable, "{error:?}");
        let message = format!("{error:?}");
        assert!(message.contains("503"), "{message}");
        assert!(!message.contains("SECRET-TOKEN"), "{message}");
        received.await.unwrap();
    }

    #[tokio::test]
    async fn an_unreachable_hook_fails_without_naming_its_token() {
        // A port that was free a moment ago: nothing listens there.
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/hooks/SECRET-TOKEN")).unwrap();
        let error = env(Some(url))
            .run(MismatchNotifier::notify_mismatches, run_with_mismatch())
            .await
            .unwrap_err();
        let message = format!("{error:?}");
        assert!(message.contains("did not answer"), "{message}");
        assert!(!message.contains("SECRET-TOKEN"), "{message}");
    }

    #[tokio::test]
    async fn without_a_hook_nothing_is_sent() {
        env(None)
            .run(MismatchNotifier::notify_mismatches, run_with_mismatch())
            .await
            .unwrap();
    }
}
