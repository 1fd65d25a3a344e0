//! Starting and stopping a provider: on a listener of the caller's, as a task, or on a
//! thread of its own; and the handle that reads its store and waits for its background work.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::options::{ProviderOptions, origin_for};
use crate::state::App;
use crate::store::{Resource, Store};
use crate::{routes, server};

fn prepare(mut options: ProviderOptions, addr: SocketAddr) -> io::Result<Arc<App>> {
    options.validate()?;
    let store = Store::open(options.database.as_deref())?;
    Ok(Arc::new(App::new(options, store, addr)))
}

async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let router = routes::router(Arc::clone(&app));
    server::run(listener, Arc::clone(&app), router, shutdown).await;
    app.background.abort_all();
}

/// Serves on `listener` until the process ends. Fails only if the options are invalid or
/// the database cannot be opened.
pub async fn serve(listener: TcpListener, options: ProviderOptions) -> io::Result<()> {
    serve_with_shutdown(listener, options, std::future::pending()).await
}

/// Serves on `listener` until `shutdown` completes; in-flight requests are then cut off.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    options: ProviderOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let app = prepare(options, listener.local_addr()?)?;
    run(listener, app, shutdown).await;
    Ok(())
}

/// Starts a provider on `127.0.0.1:<free port>` as a task on the current tokio runtime.
/// It stops when the handle is dropped or [`RunningProvider::shutdown`] is called.
pub async fn spawn(options: ProviderOptions) -> io::Result<RunningProvider> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let app = prepare(options, listener.local_addr()?)?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(run(listener, Arc::clone(&app), async {
        let _ = stopped.await;
    }));
    Ok(RunningProvider::new(app, stop, None))
}

/// Starts a provider on `127.0.0.1:<free port>` on a thread of its own (with its own
/// single-threaded runtime), for tests that are not async. Dropping the handle stops the
/// server and joins the thread.
pub fn spawn_thread(options: ProviderOptions) -> io::Result<RunningProvider> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.set_nonblocking(true)?;
    let app = prepare(options, listener.local_addr()?)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = Arc::clone(&app);
    let thread = std::thread::Builder::new().name("kensa-provider".into()).spawn(move || {
        runtime.block_on(async move {
            match TcpListener::from_std(listener) {
                Ok(listener) => {
                    run(listener, serving, async {
                        let _ = stopped.await;
                    })
                    .await;
                }
                Err(e) => eprintln!("kensa-provider: cannot listen: {e}"),
            }
        });
    })?;
    Ok(RunningProvider::new(app, stop, Some(thread)))
}

/// A provider started by [`spawn`] or [`spawn_thread`].
pub struct RunningProvider {
    /// The state the server runs on: its address, options, store and background work.
    app: Arc<App>,
    /// `http://<addr>`, kept so that [`RunningProvider::base_url`] can lend it.
    origin: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningProvider {
    fn new(app: Arc<App>, stop: oneshot::Sender<()>, thread: Option<std::thread::JoinHandle<()>>) -> Self {
        RunningProvider { origin: origin_for(app.addr), app, stop: Some(stop), thread }
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.app.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.app.addr.port()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.origin
    }

    /// The provisioning API URL, `http://127.0.0.1:<port>/heroku/resources`.
    pub fn resources_url(&self) -> String {
        format!("{}{}", self.origin, self.app.options.base_path)
    }

    /// The POST SSO URL, `http://127.0.0.1:<port>/sso/login`.
    pub fn sso_url(&self) -> String {
        format!("{}{}", self.origin, self.app.options.sso_path)
    }

    /// The options the provider runs with (after path normalisation).
    pub fn options(&self) -> &ProviderOptions {
        &self.app.options
    }

    /// A manifest pointing at this provider; see [`ProviderOptions::manifest`].
    pub fn manifest(&self) -> Value {
        self.app.options.manifest(&self.origin)
    }

    /// How many resources are provisioned and not deprovisioned, read from the store.
    pub fn resource_count(&self) -> io::Result<usize> {
        self.app.store.live_count()
    }

    /// The live resources, oldest first.
    pub fn resources(&self) -> io::Result<Vec<Resource>> {
        self.app.store.live()
    }

    /// Waits until every asynchronous provision started so far has finished (called Heroku
    /// back, failed, or found its resource gone), and returns how many were started since
    /// the provider started. A test can then assert that nothing more will happen, without
    /// sleeping. Fails when `timeout` passes first. It blocks the calling thread: from async
    /// code on the provider's own runtime, call it through `spawn_blocking`.
    pub fn wait_for_completions(&self, timeout: Duration) -> io::Result<usize> {
        self.app.background.wait_until_done(timeout).map_err(|counts| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "{} of {} asynchronous provisions still running after {timeout:?}",
                    counts.started - counts.ended,
                    counts.started
                ),
            )
        })
    }

    /// Stops the server (and joins its thread, for [`spawn_thread`]).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for RunningProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningProvider")
            .field("addr", &self.app.addr)
            .field("options", &self.app.options)
            .finish_non_exhaustive()
    }
}
