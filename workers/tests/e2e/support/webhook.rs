//! A webhook receiver for the tests: every JSON body POSTed to it, in arrival order.

use axum::{Json, Router, extract::State, routing::post};
use serde_json::Value;
use std::sync::{Arc, Mutex};

pub struct Webhook {
    pub port: u16,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Webhook {
    /// Listens on a free port, on the shared runtime (so it lives as long as the stack).
    pub async fn start() -> anyhow::Result<Webhook> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(bodies.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Webhook { port, bodies })
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().expect("not poisoned").clone()
    }
}

async fn receive(State(bodies): State<Arc<Mutex<Vec<Value>>>>, Json(body): Json<Value>) {
    bodies.lock().expect("not poisoned").push(body);
}
