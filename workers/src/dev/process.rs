//! Child processes of the dev stack and the tests: spawned with their output in a log file,
//! awaited until ready, stopped with SIGTERM and, if they linger, SIGKILL.

use anyhow::{Context, bail};
use nix::{sys::signal::Signal, unistd::Pid};
use std::{
    path::Path,
    process::{ExitStatus, Stdio},
    time::Duration,
};
use tokio::process::{Child, Command};
use tracing::{info, warn};

/// A process up this long after a start counts as ready: it got past its configuration.
const READY_AFTER: Duration = Duration::from_secs(10);
/// Exits in a row, each before [`READY_AFTER`], of a process never ready: a restart will not fix it.
const MAX_EARLY_EXITS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub struct Supervised {
    name: String,
    command: std::process::Command,
    log: Option<std::path::PathBuf>,
    child: Child,
    restartable: bool,
    started: tokio::time::Instant,
    /// The process was once up for [`READY_AFTER`]; a later crash is what restarts are for.
    ever_ready: bool,
    early_exits: u32,
    backoff: Duration,
    restart_at: Option<tokio::time::Instant>,
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
            log: log.map(Path::to_path_buf),
            child,
            restartable,
            started: tokio::time::Instant::now(),
            ever_ready: false,
            early_exits: 0,
            backoff: FIRST_BACKOFF,
            restart_at: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`, or `within` passes;
    /// fails at once, with the end of its log, if this process exits first (a port taken
    /// between choosing it and binding it, a bad flag), rather than waiting out `within`.
    pub async fn wait_for_port(&mut self, port: u16, within: Duration) -> Result<(), NotListening> {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if listening(port).await {
                return Ok(());
            }
            if let Some(status) = self.exited() {
                return Err(NotListening::Exited {
                    what: self.name.clone(),
                    status,
                    log_tail: self.log.as_deref().map(log_tail).unwrap_or_default(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(NotListening::TimedOut {
            what: self.name.clone(),
            port,
            within,
        })
    }

    /// How long the current process has been running.
    pub fn uptime(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.child = start(&self.name, &self.command, self.log.as_deref())?;
        self.started = tokio::time::Instant::now();
        Ok(())
    }

    /// Called every tick by a supervisor: restarts the process if it exited, after a back-off
    /// that doubles with each exit in a row (and resets once the process stays up). An error
    /// only for a process that is not restartable, or that exited [`MAX_EARLY_EXITS`] times in
    /// a row without ever becoming ready (bad config, port taken), naming why.
    pub fn keep_alive(&mut self) -> anyhow::Result<()> {
        let now = tokio::time::Instant::now();
        if let Some(due) = self.restart_at {
            if now >= due {
                self.restart_at = None;
                self.restart()?;
            }
            return Ok(());
        }
        if self.uptime() >= READY_AFTER {
            self.ever_ready = true;
            self.backoff = FIRST_BACKOFF;
        }
        let Some(status) = self.exited() else {
            return Ok(());
        };
        if !self.restartable {
            bail!("{} exited ({status}) and is not restarted", self.name);
        }
        if !self.ever_ready {
            self.early_exits += 1;
            if self.early_exits >= MAX_EARLY_EXITS {
                bail!(
                    "{} exited {} times in a row within {READY_AFTER:?} of starting and never \
                     became ready (last: {status}); a restart will not fix it: check its \
                     configuration and ports",
                    self.name,
                    self.early_exits
                );
            }
        }
        warn!(process = self.name, %status, backoff = ?self.backoff, "exited; restarting it");
        self.restart_at = Some(now + self.backoff);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
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

/// Why a process did not start listening.
#[derive(Debug, thiserror::Error)]
pub enum NotListening {
    #[error("{what} exited ({status}) before it listened; its log ends:\n{log_tail}")]
    Exited {
        what: String,
        status: ExitStatus,
        log_tail: String,
    },
    #[error("{what} not listening on port {port} after {within:?}")]
    TimedOut {
        what: String,
        port: u16,
        within: Duration,
    },
}

async fn listening(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_ok()
}

/// The last lines of the log at `path`: what a process said before it exited.
fn log_tail(path: &Path) -> String {
    const LINES: usize = 20;
    let log = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(LINES)..].join("\n")
}

/// A TCP port free right now on 127.0.0.1 (for tests that run servers side by side).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(program: &str, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(program);
        command.args(args);
        command
    }

    /// Ticks `keep_alive` every 50 ms for `ticks` ticks, or until it fails.
    async fn supervise(child: &mut Supervised, ticks: u32) -> anyhow::Result<()> {
        for _ in 0..ticks {
            child.keep_alive()?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_process_killed_twice_in_quick_succession_is_restarted_each_time() {
        let mut child =
            Supervised::spawn("sleeper", command("sleep", &["600"]), None, true).unwrap();
        for _ in 0..2 {
            let before = child.child.id();
            child.kill().await;
            // The first back-off is 0.5 s, the second 1 s.
            supervise(&mut child, 40).await.unwrap();
            assert!(child.exited().is_none(), "restarted and running");
            assert_ne!(child.child.id(), before, "a new process");
        }
    }

    #[tokio::test]
    async fn a_process_that_never_gets_going_is_given_up_on_with_the_reason() {
        let mut child = Supervised::spawn("broken", command("false", &[]), None, true).unwrap();
        // Back-offs of 0.5 + 1 + 2 + 4 s before the fifth exit.
        let error = supervise(&mut child, 400).await.unwrap_err().to_string();
        assert!(error.contains("broken exited 5 times"), "{error}");
        assert!(error.contains("never became ready"), "{error}");
    }

    #[tokio::test]
    async fn a_process_that_exits_before_listening_is_reported_at_once_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let server = command(
            "sh",
            &["-c", "echo 'bind: address already in use' >&2; exit 1"],
        );
        let mut child = Supervised::spawn("server", server, Some(&log), false).unwrap();
        // Nothing listens here, and the process will never make it listen: the wait ends when
        // the process exits, not after the hour it was given.
        let port = free_port();
        let wait = child.wait_for_port(port, Duration::from_secs(3600));
        let error = tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .expect("the wait ends when the process exits")
            .unwrap_err();
        assert!(
            matches!(&error, NotListening::Exited { log_tail, .. }
                if log_tail.contains("address already in use")),
            "{error}"
        );
    }
}
