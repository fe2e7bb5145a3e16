//! A PostgreSQL server of our own on this machine, for tests and local stacks: `initdb` and
//! `postgres` in a temporary directory, on a free port of 127.0.0.1, shut down when dropped and
//! killed with the thread that started it. The binaries are looked up in `$HEDGEFLOW_TOOLS_DIR`,
//! `<repo>/.tools/bin` (see `scripts/bootstrap`), `/usr/lib/postgresql/*/bin`, then `PATH`.
//! `initdb` refuses to run as root, so as root the server runs as the `postgres` system user.

use nix::{
    sys::{
        prctl,
        signal::{Signal, kill},
    },
    unistd::{Pid, User, geteuid},
};
use sea_orm::{ConnectionTrait, Database};
use std::{
    env, fs, io,
    net::TcpListener,
    os::unix::{fs::chown, process::CommandExt},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};
use tempfile::TempDir;

/// A PostgreSQL server of our own, in a temporary directory. Dropping it shuts the server down
/// (immediate mode) and deletes its files. The server also dies if this test process does: it
/// is our direct child, with SIGKILL as its parent-death signal.
pub struct Postgres {
    child: Child,
    pub port: u16,
    /// Holds the data directory, the unix socket and the server log; dropped after the server.
    dir: TempDir,
}

/// Its temporary directory's name starts with this and the test process's pid.
pub const DIR_PREFIX: &str = "hedgeflow-pg-";
/// The superuser `initdb` creates (the owner of what the store migrates, as in production).
pub const SUPERUSER: &str = "hedgeflow";
/// The server's output, in its temporary directory.
const LOG: &str = "postgres.log";
const START_TIMEOUT: Duration = Duration::from_secs(60);

impl Postgres {
    pub async fn start() -> Self {
        let bin = pg_bin_dir();
        let dir = tempfile::Builder::new()
            .prefix(&format!("{DIR_PREFIX}{}-", std::process::id()))
            .tempdir()
            .expect("temporary directory");
        // initdb refuses to run as root: then run the server as the `postgres` system user.
        let run_as = geteuid().is_root().then(|| {
            let user = User::from_name("postgres")
                .expect("look up the postgres user")
                .expect(
                    "running as root needs a `postgres` system user to run PostgreSQL as \
                     (Debian's postgresql package creates it)",
                );
            chown(dir.path(), Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .expect("hand the temporary directory to the postgres user");
            user
        });
        let command = |program: &str| {
            let mut command = Command::new(bin.join(program));
            command.current_dir(dir.path()).env("LC_ALL", "C");
            if let Some(user) = &run_as {
                // std also drops supplementary groups when switching from root.
                command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
            }
            // SAFETY: prctl is async-signal-safe. std runs this after its setuid (a change of
            // credentials would clear the parent-death signal). The parent is this test's
            // thread, which outlives the server: the guard stops it before the test returns.
            unsafe {
                command.pre_exec(|| prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from));
            }
            command
        };

        let data = dir.path().join("data");
        let initdb = command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-locale"])
            .arg("--no-sync")
            .output()
            .expect("run initdb");
        assert!(
            initdb.status.success(),
            "initdb failed ({}):\n{}{}",
            initdb.status,
            String::from_utf8_lossy(&initdb.stdout),
            String::from_utf8_lossy(&initdb.stderr)
        );

        let port = free_port();
        let log = fs::File::create(dir.path().join(LOG)).expect("create the server log");
        let mut postgres = command("postgres");
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir.path())
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("server log"))
            .stderr(log);
        let child = postgres.spawn().expect("start postgres");
        let mut server = Self { child, port, dir };
        server.wait_until_ready().await;
        server
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join(LOG)
    }

    /// The superuser's URL of `database`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Polls until the server answers a query; fails with its log if it exits or times out.
    async fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let error = match Database::connect(self.url("postgres")).await {
                Ok(db) => match db.execute_unprepared("SELECT 1").await {
                    Ok(_) => return db.close().await.expect("close"),
                    Err(error) => error,
                },
                Err(error) => error,
            };
            let exited = self.child.try_wait().expect("poll postgres");
            if exited.is_some() || Instant::now() > deadline {
                let log = fs::read_to_string(self.log_path()).unwrap_or_default();
                panic!("postgres is not ready ({exited:?}): {error}\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Creates the read-only user of `deploy/postgres/reader.sql` in `database`, with psql as
    /// production does at the database's creation, and returns its URL there.
    pub fn create_reader(&self, database: &str, password: &str) -> String {
        self.create_user(database, "reader", password)
    }

    /// Creates the dealer's user of `deploy/postgres/dealer.sql` (its table rights come from the
    /// orchestrator's migrations), and returns its URL in `database`.
    pub fn create_dealer(&self, database: &str, password: &str) -> String {
        self.create_user(database, "dealer", password)
    }

    /// Runs `deploy/postgres/<name>.sql` with `<name>_password` as the image's init hook does;
    /// the user it makes is `hedgeflow_<name>`.
    fn create_user(&self, database: &str, name: &str, password: &str) -> String {
        let sql = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../deploy/postgres")
            .join(format!("{name}.sql"));
        let output = Command::new(pg_bin_dir().join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
            ])
            .args([
                "-d",
                database,
                "-v",
                &format!("{name}_password={password}"),
                "-f",
            ])
            .arg(&sql)
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "{} failed: {}",
            sql.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        format!(
            "postgres://hedgeflow_{name}:{password}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// From now on, connections over TCP must give a password, as production's server requires
    /// (`initdb`'s trust is for setting the server up): the superuser's becomes `password`.
    /// Only [`Self::url`]s that carry it connect afterwards.
    pub async fn require_passwords(&self, password: &str) {
        let admin = Database::connect(self.url("postgres")).await.unwrap();
        admin
            .execute_unprepared(&format!("ALTER ROLE \"{SUPERUSER}\" PASSWORD '{password}'"))
            .await
            .unwrap();
        fs::write(
            self.dir.path().join("data/pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .expect("write pg_hba.conf");
        admin
            .execute_unprepared("SELECT pg_reload_conf()")
            .await
            .unwrap();
        admin.close().await.unwrap();
    }

    /// Creates `name` and returns its superuser URL.
    pub async fn create_database(&self, name: &str) -> String {
        let admin = Database::connect(self.url("postgres")).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        admin.close().await.unwrap();
        self.url(name)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGQUIT is PostgreSQL's immediate shutdown (`pg_ctl stop -m immediate`). Only signal
        // a server not yet reaped: a reaped one's pid may belong to another process by now.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGQUIT);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// The first directory holding both `initdb` and `postgres`, resolved to its real path (the
/// `postgres` user may not be able to traverse the repository, and initdb finds `postgres`
/// next to itself).
pub fn pg_bin_dir() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is in the workspace");
    let mut candidates: Vec<PathBuf> = env::var_os("HEDGEFLOW_TOOLS_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(repo.join(".tools/bin"));
    let mut versioned: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    candidates.extend(versioned.into_iter().map(|(_, dir)| dir));
    candidates.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));

    let resolve = |dir: &Path| {
        let initdb = fs::canonicalize(dir.join("initdb")).ok()?;
        let bin = initdb.parent()?.to_owned();
        bin.join("postgres").is_file().then_some(bin)
    };
    candidates
        .iter()
        .find_map(|dir| resolve(dir))
        .unwrap_or_else(|| {
            panic!(
                "no PostgreSQL binaries (initdb, postgres) in any of {candidates:?}; \
                 run scripts/bootstrap or set HEDGEFLOW_TOOLS_DIR"
            )
        })
}
