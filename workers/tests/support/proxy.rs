//! A TCP proxy standing in for an RPC provider: `stop` kills it and every open connection, as a
//! provider outage would.

use std::sync::{Arc, Mutex};
use tokio::{
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

pub struct Proxy {
    port: u16,
    upstream: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(upstream: u16) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let proxy = Self {
            port,
            upstream,
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
        let upstream = self.upstream;
        let tasks = &self.tasks;
        let registry = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let connection = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
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
