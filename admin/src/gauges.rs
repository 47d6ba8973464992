//! Samples the hub's queues into gauges every few seconds, so `/metrics` of
//! the admin server shows stream depths and consumer backlog per partition
//! (bounded labels: stream and consumer names only).

use std::time::Duration;

use futures::TryStreamExt;
use relay::observe;
use tokio_util::sync::CancellationToken;

/// How often the queues are sampled.
pub const INTERVAL: Duration = Duration::from_secs(5);

/// Samples until `shutdown`; a failed sample is skipped, not fatal.
pub async fn sample_forever(js: async_nats::jetstream::Context, shutdown: CancellationToken) {
    observe::install();
    loop {
        if let Err(err) = sample(&js).await {
            tracing::debug!(%err, "queue sample skipped");
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(INTERVAL) => {}
        }
    }
}

async fn sample(js: &async_nats::jetstream::Context) -> relay::Result<()> {
    for name in relay::topology::QUEUE_STREAMS {
        let mut stream = js.get_stream(name).await.map_err(relay::Error::nats)?;
        let info = stream.info().await.map_err(relay::Error::nats)?;
        metrics::gauge!(observe::STREAM_MESSAGES, "stream" => name).set(info.state.messages as f64);
        let consumers: Vec<_> = stream
            .consumers()
            .try_collect()
            .await
            .map_err(relay::Error::nats)?;
        for consumer in consumers {
            let labels = [
                ("stream", name.to_owned()),
                ("consumer", consumer.name.clone()),
            ];
            metrics::gauge!(observe::CONSUMER_PENDING, &labels).set(consumer.num_pending as f64);
            metrics::gauge!(observe::CONSUMER_ACK_PENDING, &labels)
                .set(consumer.num_ack_pending as f64);
            metrics::gauge!(observe::CONSUMER_REDELIVERED, &labels)
                .set(consumer.num_redelivered as f64);
        }
    }
    Ok(())
}
