//! The post-call review routes: playback of a recording to the inspector's phone, and
//! downloads, which answer with the file (generated as it is sent, at the recording's
//! rate) or with the usual JSON failure.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::Value;

use super::authorize::{Params, authenticated_operation, authorized, param};
use super::respond::{ConnAbort, END_HALF_CLOSE, END_RESET, Outcome, begin, deliver};
use crate::answers::retcode;
use crate::faults::Fault;
use crate::state::Shared;
use crate::world::{Failure, Recorded, World, tone_second};

/// What a playback route does.
#[derive(Debug, Clone, Copy)]
pub(super) enum Control {
    Pause,
    Resume,
    Forward,
    Rewind,
    Stop,
}

/// The route of a playback control with no body.
pub(super) fn control_route(
    method: MethodFilter,
    operation_id: &'static str,
    control: Control,
) -> MethodRouter<Arc<Shared>> {
    on(
        method,
        move |State(shared): State<Arc<Shared>>,
              conn: Option<Extension<ConnAbort>>,
              Path(params): Path<Params>,
              headers: HeaderMap| async move {
            let conn = conn.map(|c| c.0);
            authenticated_operation(shared, operation_id, conn, params, headers, |w, me, p| {
                let done = match control {
                    Control::Pause => w.pause_play(me),
                    Control::Resume => w.resume_play(me),
                    // Huawei's client routes only `[1-9][0-9]*`; anything else is bad input.
                    Control::Forward | Control::Rewind if !is_seconds(param(p, "time")) => {
                        Err(Failure {
                            retcode: retcode::BAD_PARAMETER,
                            message: "the time is 1 second or more".into(),
                        })
                    }
                    Control::Forward => w.jump_play(me, param(p, "time"), true),
                    Control::Rewind => w.jump_play(me, param(p, "time"), false),
                    Control::Stop => w.stop_play(me),
                };
                done.map(|()| None)
            })
            .await
        },
    )
}

/// `[1-9][0-9]*`, as the gateway's route reads the time.
fn is_seconds(text: &str) -> bool {
    text.starts_with(|c: char| ('1'..='9').contains(&c)) && text.bytes().all(|b| b.is_ascii_digit())
}

/// `playRecording`: what to play comes in a JSON body.
pub(super) async fn play(
    State(shared): State<Arc<Shared>>,
    conn: Option<Extension<ConnAbort>>,
    Path(params): Path<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    let voicepath: Option<String> = body["voicepath"].as_str().map(str::to_owned);
    let from = body["startpostion"].as_u64().unwrap_or(0);
    let conn = conn.map(|c| c.0);
    authenticated_operation(
        shared,
        "playRecording",
        conn,
        params,
        headers,
        move |w, me, _| {
            let Some(voicepath) = voicepath.as_deref() else {
                return Err(Failure {
                    retcode: retcode::BAD_PARAMETER,
                    message: "the body must name the recording in `voicepath`".into(),
                });
            };
            w.play(me, voicepath, from).map(|()| None)
        },
    )
    .await
}

/// `downloadRecording`: the file, or the JSON failure.
pub(super) async fn download(
    State(shared): State<Arc<Shared>>,
    conn: Option<Extension<ConnAbort>>,
    Path(mut params): Path<Params>,
    Query(query): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let conn = conn.map(|c| c.0);
    let fault = match begin(&shared, "downloadRecording").await {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    for (name, value) in query {
        params.entry(name).or_insert(value);
    }
    // The simulator records calls only: an IVR or third-party voice message (filetype 2)
    // by any name does not exist.
    let voice_message = param(&params, "filetype") == "2";
    let found = authorized(&shared, &params, &headers, |w: &mut World, me| {
        if voice_message {
            return Err(Failure {
                retcode: retcode::NO_SUCH_RECORDING,
                message: "no voice message by that name".into(),
            });
        }
        w.recording(me, param(&params, "recordId"))
    });
    tracing::info!(
        operation = "downloadRecording",
        agent = param(&params, "agentid"),
        retcode = found.as_ref().err().map_or("0", |f| f.retcode),
        "request"
    );
    // A broken link breaks the file halfway: reset, or the sending side closed.
    let cut = match (&fault, conn.clone()) {
        (Some(Fault::ConnectionReset), Some(conn)) => Some((conn, END_RESET)),
        (Some(Fault::HalfClose), Some(conn)) => Some((conn, END_HALF_CLOSE)),
        _ => None,
    };
    match found {
        Ok((recording, _)) => file(recording, cut),
        Err(f) => {
            deliver(
                Outcome::failure(f),
                fault,
                conn.as_ref(),
                &shared,
                "downloadRecording",
            )
            .await
        }
    }
}

/// The pieces a file is sent in.
const PIECE: usize = 64 * 1024;

/// The file: the tone, repeated to the recording's size, at its rate; with `cut`, the
/// connection ends as it says once half the file is sent.
fn file(recording: Recorded, cut: Option<(ConnAbort, u8)>) -> Response {
    let Recorded { bytes, rate, .. } = recording;
    let pieces = futures::stream::unfold(0u64, move |sent| {
        let cut = cut.clone();
        async move {
            if sent >= bytes {
                return None;
            }
            if let Some((conn, how)) = cut.filter(|_| sent >= bytes / 2) {
                conn.0.store(how, std::sync::atomic::Ordering::SeqCst);
            }
            let size = (bytes - sent).min(PIECE as u64) as usize;
            if let Some(rate) = rate {
                tokio::time::sleep(Duration::from_secs_f64(size as f64 / rate as f64)).await;
            }
            let tone = tone_second();
            let start = (sent % tone.len() as u64) as usize;
            let piece: Vec<u8> = tone
                .iter()
                .cycle()
                .skip(start)
                .take(size)
                .copied()
                .collect();
            let piece = Ok::<_, std::convert::Infallible>(Bytes::from(piece));
            Some((piece, sent + size as u64))
        }
    });
    let head = [
        (
            header::CONTENT_TYPE,
            "application/octet-stream;charset=utf-8".to_owned(),
        ),
        (header::CONTENT_LENGTH, bytes.to_string()),
    ];
    (StatusCode::OK, head, Body::from_stream(pieces)).into_response()
}
