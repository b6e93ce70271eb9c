//! Serving the router: an accept loop of our own, so that a fault can drop one
//! connection without answering, and a graceful shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use crate::config::SimConfig;
use crate::http::{ConnAbort, END_CLOSE, END_HALF_CLOSE, END_NONE, END_RESET, router};
use crate::state::Shared;
use crate::world::{World, sweep_interval};

/// How long a shutdown waits for requests in flight before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// A TCP stream that, once its end flag is set, writes nothing more: it resets the
/// connection, closes it cleanly, or closes only its sending side, so the peer sees the
/// connection end with no answer at all.
struct AbortableStream {
    inner: TcpStream,
    abort: Arc<AtomicU8>,
}

impl AbortableStream {
    /// `None` to write on; `Some(Ready(error))` to fail the write, which makes hyper drop
    /// the connection; `Some(Pending)` to write nothing and keep it open.
    fn aborted(&self) -> Option<Poll<io::Error>> {
        let socket = socket2::SockRef::from(&self.inner);
        match self.abort.load(Ordering::SeqCst) {
            END_NONE => None,
            END_RESET => {
                // Linger 0 turns the close into a reset, as a crashed gateway node would.
                let _ = socket.set_linger(Some(Duration::ZERO));
                Some(Poll::Ready(io::ErrorKind::ConnectionReset.into()))
            }
            END_CLOSE => {
                let _ = socket.shutdown(std::net::Shutdown::Write);
                Some(Poll::Ready(io::ErrorKind::BrokenPipe.into()))
            }
            END_HALF_CLOSE => {
                let _ = socket.shutdown(std::net::Shutdown::Write);
                // Never woken: the connection stays open until the simulator stops.
                Some(Poll::Pending)
            }
            _ => None,
        }
    }

    /// `poll` of the inner stream, unless the end flag says otherwise.
    fn unless_aborted<T>(
        &mut self,
        poll: impl FnOnce(Pin<&mut TcpStream>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match self.aborted() {
            None => poll(Pin::new(&mut self.inner)),
            Some(Poll::Ready(e)) => Poll::Ready(Err(e)),
            Some(Poll::Pending) => Poll::Pending,
        }
    }
}

impl AsyncRead for AbortableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for AbortableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.unless_aborted(|inner| inner.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.unless_aborted(|inner| inner.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.unless_aborted(|inner| inner.poll_flush(cx))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `shared` on `listener` until `shutdown` completes.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) {
    let app = router(shared.clone());
    let graceful = GracefulShutdown::new();
    let mut sweep = tokio::time::interval(sweep_interval(shared.world().config()));
    // The floor moves on between requests too, so that events of calls that end reach
    // the inspectors' polls.
    let mut traffic = tokio::time::interval(Duration::from_millis(250));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = sweep.tick() => {
                shared.world().expire_idle_sessions(Instant::now());
            }
            _ = traffic.tick() => shared.world().catch_up(),
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors or a peer that gave up: keep serving the others.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let abort = Arc::new(AtomicU8::new(END_NONE));
                let flag = ConnAbort(abort.clone());
                let service = app.clone().map_request(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(flag.clone());
                    request
                });
                let io = TokioIo::new(AbortableStream { inner: stream, abort });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, TowerToHyperService::new(service));
                let watched = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = watched.await;
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// Binds `addr` and serves a new world until `shutdown` completes. For the `ccgw sim`
/// command; tests use [`crate::Simulator::start`].
pub async fn serve_until(
    config: SimConfig,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(address = %listener.local_addr()?, "simulator listening");
    serve(
        listener,
        Arc::new(Shared::new(World::new(config))),
        shutdown,
    )
    .await;
    Ok(())
}
