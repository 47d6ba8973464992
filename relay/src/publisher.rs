//! The edge's way into JetStream: every request handler's publishes go
//! through one task that sends them in bursts. While `bursts_in_flight`
//! earlier bursts still wait for their PubAcks, new publishes queue; when
//! one completes, everything queued goes out together, in one write to the
//! NATS connection. Like Nagle's algorithm, it needs no timer: an idle edge
//! publishes at once, a loaded one in bursts as large as the load makes
//! them. The NATS servers then take a burst in one read and replicate it in
//! one raft append, instead of one of each per webhook. Owns the queueing
//! only; subjects, headers and payloads are the edge's (`edge.rs`).

use async_nats::jetstream;
use async_nats::jetstream::context::PublishAckFuture;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::{mpsc, oneshot};

/// What a publish comes to: the PubAck, or why there is none.
pub type Outcome = std::result::Result<jetstream::publish::PublishAck, String>;

struct Job {
    subject: String,
    headers: async_nats::HeaderMap,
    payload: Bytes,
    done: oneshot::Sender<Outcome>,
}

/// Handle to the publishing task; cheap to clone. The task ends when the
/// last handle is dropped, after every queued publish was answered.
#[derive(Clone)]
pub struct Publisher {
    jobs: mpsc::UnboundedSender<Job>,
}

/// Most publishes in one burst: larger ones go out as several.
const MAX_BURST: usize = 256;

impl Publisher {
    /// Starts the task on the current runtime. `bursts_in_flight` is how
    /// many bursts may await their acks at once (at least 1).
    pub fn spawn(js: jetstream::Context, bursts_in_flight: usize) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(run(js, queue, bursts_in_flight.max(1)));
        Self { jobs }
    }

    /// Queues one publish; the returned future resolves with its PubAck.
    pub fn publish(
        &self,
        subject: String,
        headers: async_nats::HeaderMap,
        payload: Bytes,
    ) -> impl Future<Output = Outcome> + use<> {
        let (done, answer) = oneshot::channel();
        let queued = self
            .jobs
            .send(Job {
                subject,
                headers,
                payload,
                done,
            })
            .is_ok();
        async move {
            if !queued {
                return Err("the publisher has stopped".to_owned());
            }
            answer
                .await
                .unwrap_or_else(|_| Err("the publisher has stopped".to_owned()))
        }
    }
}

async fn run(
    js: jetstream::Context,
    mut queue: mpsc::UnboundedReceiver<Job>,
    bursts_in_flight: usize,
) {
    let burst_events = metrics::histogram!(crate::observe::PUBLISH_BURST_EVENTS);
    let mut in_flight = FuturesUnordered::new();
    let mut burst = Vec::with_capacity(MAX_BURST);
    let mut open = true;
    while open || !in_flight.is_empty() {
        tokio::select! {
            received = queue.recv_many(&mut burst, MAX_BURST), if open && in_flight.len() < bursts_in_flight => {
                if received == 0 {
                    open = false;
                    continue;
                }
                burst_events.record(received as f64);
                let jobs = std::mem::replace(&mut burst, Vec::with_capacity(MAX_BURST));
                let acks = send(&js, jobs).await;
                in_flight.push(acks);
            }
            Some(()) = in_flight.next(), if !in_flight.is_empty() => {}
        }
    }
}

/// Hands every job of a burst to the NATS connection without yielding in
/// between (so they leave in one write), then returns the future that
/// answers each job as its ack arrives.
async fn send(js: &jetstream::Context, jobs: Vec<Job>) -> impl Future<Output = ()> + use<> {
    let mut sent: Vec<(PublishAckFuture, oneshot::Sender<Outcome>)> = Vec::new();
    for job in jobs {
        match js
            .publish_with_headers(job.subject, job.headers, job.payload)
            .await
        {
            Ok(ack) => sent.push((ack, job.done)),
            Err(err) => {
                let _ = job.done.send(Err(err.to_string()));
            }
        }
    }
    async move {
        let answers = sent.into_iter().map(|(ack, done)| async move {
            let _ = done.send(ack.await.map_err(|e| e.to_string()));
        });
        futures::future::join_all(answers).await;
    }
}
