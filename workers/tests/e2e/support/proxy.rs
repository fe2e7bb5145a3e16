//! A TCP proxy standing in for an RPC provider: `stop` kills it and every open connection, as a
//! provider outage would; `start_delayed` makes it a slow one, whose every request arrives late.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

pub struct Proxy {
    port: u16,
    upstream: u16,
    /// How late each chunk of a request reaches the upstream.
    delay: Duration,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(upstream: u16) -> anyhow::Result<Self> {
        Self::start_delayed(upstream, Duration::ZERO).await
    }

    /// A proxy that holds every request `delay` before passing it on: a provider that always
    /// answers after the others.
    pub async fn start_delayed(upstream: u16, delay: Duration) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let proxy = Self {
            port,
            upstream,
            delay,
            tasks: Arc::default(),
        };
        proxy.serve(listener);
        Ok(proxy)
    }

    /// Listens again on the same port after [`Proxy::stop`]: the provider is back.
    pub async fn resume(&self) -> anyhow::Result<()> {
        self.serve(TcpListener::bind(("127.0.0.1", self.port)).await?);
        Ok(())
    }

    fn serve(&self, listener: TcpListener) {
        let (upstream, delay) = (self.upstream, self.delay);
        let tasks = &self.tasks;
        let registry = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let connection = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        if delay.is_zero() {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        } else {
                            relay_late(inbound, outbound, delay).await;
                        }
                    }
                });
                registry.lock().expect("proxy lock").push(connection);
            }
        });
        tasks.lock().expect("proxy lock").push(accept);
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Closes the listening socket and every connection through it.
    pub fn stop(&self) {
        for task in self.tasks.lock().expect("proxy lock").drain(..) {
            task.abort();
        }
    }
}

/// Copies both ways, each chunk from the client held `delay` before it goes upstream.
async fn relay_late(inbound: TcpStream, outbound: TcpStream, delay: Duration) {
    let (mut client_read, mut client_write) = inbound.into_split();
    let (mut upstream_read, mut upstream_write) = outbound.into_split();
    let requests = async {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(read @ 1..) = client_read.read(&mut buffer).await {
            tokio::time::sleep(delay).await;
            if upstream_write.write_all(&buffer[..read]).await.is_err() {
                break;
            }
        }
    };
    let answers = tokio::io::copy(&mut upstream_read, &mut client_write);
    tokio::select! {
        _ = requests => {},
        _ = answers => {},
    }
}
