//! Child processes of the dev stack and the tests: spawned with their output in a log file,
//! awaited until ready, stopped with SIGTERM and, if they linger, SIGKILL.

use anyhow::Context;
use nix::{sys::signal::Signal, unistd::Pid};
use std::{
    path::Path,
    process::{ExitStatus, Stdio},
    time::Duration,
};
use tokio::process::{Child, Command};
use tracing::info;

pub struct Supervised {
    name: String,
    command: std::process::Command,
    child: Child,
    restartable: bool,
    started: tokio::time::Instant,
}

impl Supervised {
    /// Spawns `command`, its stdout and stderr appended to `log` (or inherited when `None`).
    pub fn spawn(
        name: &str,
        command: std::process::Command,
        log: Option<&Path>,
        restartable: bool,
    ) -> anyhow::Result<Self> {
        let child = start(name, &command, log)?;
        Ok(Self {
            name: name.into(),
            command,
            child,
            restartable,
            started: tokio::time::Instant::now(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn restartable(&self) -> bool {
        self.restartable
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// How long the current process has been running.
    pub fn uptime(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.child = start(&self.name, &self.command, None)?;
        self.started = tokio::time::Instant::now();
        Ok(())
    }

    pub fn signal(&self, signal: Signal) {
        if let Some(pid) = self.child.id() {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid as i32), signal);
        }
    }

    /// SIGKILL and reap: the crash the reliability tests simulate.
    pub async fn kill(&mut self) {
        self.signal(Signal::SIGKILL);
        let _ = self.child.wait().await;
    }

    /// SIGTERM, then SIGKILL after `grace`.
    pub async fn stop(&mut self, grace: Duration) {
        if self.exited().is_some() {
            return;
        }
        self.signal(Signal::SIGTERM);
        if tokio::time::timeout(grace, self.child.wait())
            .await
            .is_err()
        {
            self.kill().await;
        }
        info!(process = self.name, "stopped");
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        // Never leave an orphan behind, even when a test panics.
        if self.exited().is_none() {
            self.signal(Signal::SIGKILL);
        }
    }
}

fn start(name: &str, command: &std::process::Command, log: Option<&Path>) -> anyhow::Result<Child> {
    let mut command = Command::from(clone(command));
    command.stdin(Stdio::null()).kill_on_drop(true);
    // SAFETY: prctl is async-signal-safe. If this process dies (even by SIGKILL), the child gets
    // SIGTERM, so no server outlives the stack that started it.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Some(Signal::SIGTERM)).map_err(std::io::Error::from)
        });
    }
    if let Some(log) = log {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        command.stdout(file.try_clone()?).stderr(file);
    }
    command
        .spawn()
        .with_context(|| format!("starting {name} ({:?})", command.as_std().get_program()))
}

fn clone(command: &std::process::Command) -> std::process::Command {
    let mut copy = std::process::Command::new(command.get_program());
    copy.args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => copy.env(key, value),
            None => copy.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        copy.current_dir(dir);
    }
    copy
}

/// Runs this binary as `role` with the same config file.
pub fn spawn_role(exe: &Path, config: &Path, role: &str) -> anyhow::Result<Supervised> {
    let mut command = std::process::Command::new(exe);
    command.arg("--config").arg(config).arg(role);
    Supervised::spawn(role, command, None, true)
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`, or `within` passes.
pub async fn wait_for_port(what: &str, port: u16, within: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{what} not listening on port {port} after {within:?}")
}

/// A TCP port free right now on 127.0.0.1 (for tests that run servers side by side).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
