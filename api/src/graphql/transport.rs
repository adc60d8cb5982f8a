//! The GraphQL endpoint over HTTP (`/graphql`, GraphiQL on its GET, `/graphql/ws`). Bodies are
//! limited by content type before the GraphQL layer sees them; a malformed body gets a
//! GraphQL-shaped error with a code, never a 500. Mounted beside the HTTP pages by
//! [`routes`], with the schema and its executor as its own state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, MultipartOptions};
use async_graphql::{ParseRequestError, Request as GqlRequest};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::{Body, to_bytes};
use axum::extract::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::Lang;
use serde::Deserialize;

use super::TerbukaSchema;
use super::context::RequestMeta;
use super::executor::{Batching, Executor};
use super::loaders::Loaders;
use super::spliced::Spliced;
use crate::auth::{self, Viewer, viewer_of};
pub use crate::errors::error_response;
use crate::errors::{code, internal_message};
use crate::http::{HttpState, RequestId, client_of, explorer};

/// What the GraphQL endpoint serves from: the HTTP state, the schema and where requests run.
#[derive(Clone)]
pub struct Endpoint {
    pub http: HttpState,
    pub schema: TerbukaSchema,
    /// Where GraphQL requests run (batching by the query's shape).
    pub executor: Executor,
}

impl std::ops::Deref for Endpoint {
    type Target = HttpState;
    fn deref(&self) -> &HttpState {
        &self.http
    }
}

/// The GraphQL routes, to merge into the HTTP router.
pub fn routes<S: Clone + Send + Sync + 'static>(endpoint: Endpoint) -> axum::Router<S> {
    use axum::routing::get as on_get;
    axum::Router::new()
        .route("/graphql", on_get(get).post(post))
        .route("/graphql/ws", on_get(ws))
        .with_state(endpoint)
}

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

#[derive(Deserialize)]
pub struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

/// GraphiQL in a browser; a query in the URL is executed (never a mutation).
pub async fn get(
    State(state): State<Endpoint>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(rid): axum::Extension<RequestId>,
    Query(params): Query<GetParams>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(query) = params.query else {
        if state.app.config.graphiql {
            return explorer::page();
        }
        return error_response(
            StatusCode::NOT_FOUND,
            code::BAD_REQUEST,
            "GraphiQL is disabled.",
        );
    };
    // GET is for reading: a mutation must come as POST (links and prefetchers never write).
    if let Ok(doc) = async_graphql::parser::parse_query(&query)
        && doc
            .operations
            .iter()
            .any(|(_, op)| op.node.ty != async_graphql::parser::types::OperationType::Query)
    {
        return error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            code::BAD_REQUEST,
            "Mutations must be sent with POST.",
        );
    }
    let mut request = GqlRequest::new(query);
    if let Some(op) = params.operation_name {
        request = request.operation_name(op);
    }
    if let Some(vars) = params.variables {
        match serde_json::from_str(&vars) {
            Ok(v) => request = request.variables(v),
            Err(e) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    code::BAD_REQUEST,
                    format!("variables is not valid JSON: {e}"),
                );
            }
        }
    }
    execute(&state, request, &headers, lang, rid, peer).await
}

/// `POST /graphql` with `application/json`.
pub async fn post(
    State(state): State<Endpoint>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(rid): axum::Extension<RequestId>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let lang = lang_of(&headers);
    debug_assert_eq!(req.method(), Method::POST);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return match multipart(&state, &headers, req).await {
            Ok(request) => execute(&state, request, &headers, lang, rid, peer).await,
            Err(response) => response,
        };
    }
    if !content_type.starts_with("application/json")
        && !content_type.starts_with("application/graphql-response+json")
    {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::BAD_REQUEST,
            "Send the request as application/json (or multipart/form-data for uploads).",
        );
    }
    let limit = state.app.config.max_json_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large(limit);
    }
    let bytes = match to_bytes(req.into_body(), limit).await {
        Ok(b) => b,
        Err(_) => return too_large(limit),
    };
    let request: GqlRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            let message = if bytes.first() == Some(&b'[') {
                "Batched requests are not supported: send one operation per request.".to_owned()
            } else {
                format!("The body is not a GraphQL request in JSON: {e}")
            };
            return error_response(StatusCode::BAD_REQUEST, code::BAD_REQUEST, message);
        }
    };
    execute(&state, request, &headers, lang, rid, peer).await
}

/// A GraphQL multipart request (file uploads), limited in total size and in number of files
/// before the GraphQL layer sees it.
async fn multipart(
    state: &Endpoint,
    headers: &HeaderMap,
    req: Request,
) -> Result<GqlRequest, Response> {
    let config = &state.app.config;
    let limit = config.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let bytes = to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| too_large(limit))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // async-graphql's `max_num_files` only scales the size limit; the number of files is
    // counted here, on the buffered body, before any file is read or written anywhere.
    if let Some(files) = content_type
        .as_deref()
        .and_then(upload_count::boundary)
        .map(|b| upload_count::files(&bytes, &b))
        && files > config.max_upload_files
    {
        return Err(error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            match lang_of(headers) {
                Lang::Id => format!(
                    "Permintaan ini membawa {files} berkas; paling banyak {} berkas sekali kirim.",
                    config.max_upload_files
                ),
                Lang::En => format!(
                    "The request carries {files} files; at most {} are allowed in one request.",
                    config.max_upload_files
                ),
            },
        ));
    }
    let options = MultipartOptions::default()
        .max_file_size(limit)
        .max_num_files(config.max_upload_files);
    async_graphql::http::receive_body(
        content_type,
        futures::io::Cursor::new(bytes.to_vec()),
        options,
    )
    .await
    .map_err(|e| {
        let (status, code) = match e {
            ParseRequestError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, code::PAYLOAD_TOO_LARGE)
            }
            _ => (StatusCode::BAD_REQUEST, code::BAD_REQUEST),
        };
        error_response(
            status,
            code,
            format!("The upload request is not valid: {e}"),
        )
    })
}

/// Counting the files of a GraphQL multipart request (the spec's `operations` and `map`
/// parts, then one part per file) without parsing the files.
mod upload_count {
    use memchr::memmem;

    /// The boundary parameter of a `multipart/form-data` content type.
    pub fn boundary(content_type: &str) -> Option<String> {
        content_type.split(';').skip(1).find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_owned())
                .filter(|b| !b.is_empty())
        })
    }

    /// The larger of the file parts in the body and the places the `map` part puts files
    /// (one part mapped to several variables is several files to the operation).
    pub fn files(body: &[u8], boundary: &str) -> usize {
        let delimiter = format!("--{boundary}");
        let finder = memmem::Finder::new(delimiter.as_bytes());
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut starts = finder
            .find_iter(body)
            .filter(|&i| i == 0 || body[..i].ends_with(b"\r\n") || body[..i].ends_with(b"\n"))
            .peekable();
        while let Some(start) = starts.next() {
            let rest = &body[start + delimiter.len()..];
            if rest.starts_with(b"--") {
                break;
            }
            let end = starts.peek().copied().unwrap_or(body.len());
            parts.push(&body[start + delimiter.len()..end]);
        }
        let named = |part: &[u8], name: &str| {
            let head_end = memmem::find(part, b"\r\n\r\n").unwrap_or(part.len());
            let head = String::from_utf8_lossy(&part[..head_end]).to_ascii_lowercase();
            head.contains(&format!("name=\"{name}\""))
        };
        let file_parts = parts
            .iter()
            .filter(|p| !named(p, "operations") && !named(p, "map"))
            .count();
        let mapped = parts
            .iter()
            .find(|p| named(p, "map"))
            .and_then(|p| {
                let start = memmem::find(p, b"\r\n\r\n")? + 4;
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(
                    p[start..].trim_ascii(),
                )
                .ok()
            })
            .map_or(0, |map| {
                map.values().map(|v| v.as_array().map_or(1, Vec::len)).sum()
            });
        file_parts.max(mapped)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn body(files: usize, paths_per_file: usize) -> Vec<u8> {
            let mut map = serde_json::Map::new();
            for f in 0..files {
                let paths: Vec<String> = (0..paths_per_file)
                    .map(|p| format!("variables.f{f}_{p}"))
                    .collect();
                map.insert(f.to_string(), serde_json::json!(paths));
            }
            let mut b = String::from(
                "--XyZ\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n",
            );
            b.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{}\r\n",
                serde_json::Value::Object(map)
            ));
            for f in 0..files {
                b.push_str(&format!(
                    "--XyZ\r\nContent-Disposition: form-data; name=\"{f}\"; filename=\"a.txt\"\r\n\r\nisi\r\n"
                ));
            }
            b.push_str("--XyZ--\r\n");
            b.into_bytes()
        }

        #[test]
        fn file_parts_and_mapped_places_are_counted() {
            assert_eq!(
                boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
                Some("XyZ")
            );
            assert_eq!(boundary("multipart/form-data"), None);
            assert_eq!(files(&body(0, 1), "XyZ"), 0);
            assert_eq!(files(&body(1, 1), "XyZ"), 1);
            assert_eq!(files(&body(6, 1), "XyZ"), 6);
            // One part put in six places is six files to the operation.
            assert_eq!(files(&body(1, 6), "XyZ"), 6);
        }
    }
}

fn too_large(limit: usize) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        code::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than {limit} bytes."),
    )
}

async fn execute(
    state: &Endpoint,
    request: GqlRequest,
    headers: &HeaderMap,
    lang: Lang,
    rid: RequestId,
    peer: SocketAddr,
) -> Response {
    let viewer = match viewer_of(&state.app, headers, lang).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let batching = Batching::tracked();
    let spliced = Arc::new(Spliced::default());
    let request = request
        .data(spliced.clone())
        .data(viewer)
        .data(lang)
        .data(Loaders::new(&state.app.db, &batching))
        .data(RequestMeta {
            request_id: rid.0,
            client: client_of(peer.ip(), headers, &state.app.config.trusted_proxies).to_string(),
        });
    let Some(response) = state
        .executor
        .execute(state.schema.clone(), request, batching)
        .await
    else {
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            internal_message(lang),
        );
    };
    for err in &response.errors {
        let code = err
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .map(|v| v.to_string().trim_matches('"').to_owned())
            .unwrap_or_else(|| "UNKNOWN".to_owned());
        state.metrics.record_graphql_error(&code);
    }
    let body = spliced.splice(serde_json::to_string(&response).unwrap_or_default());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}

/// The graphql-ws protocol's code for a close async-graphql asked for.
fn protocol_close_code(code: u16, init_refused: bool) -> u16 {
    match code {
        1002 if init_refused => 4403,
        1002 => 4400,
        1011 => 4401,
        c => c,
    }
}

/// The close code for a message the server could not take: 1009 for one over the size limit,
/// 4400 for anything else that is not a WebSocket message.
fn close_code_for_read_error(e: &axum::Error) -> u16 {
    // axum wraps tungstenite's capacity error without a type of its own to match on.
    let text = e.to_string();
    if text.contains("too long") || text.contains("Space limit") || text.contains("too big") {
        1009
    } else {
        4400
    }
}

/// `GET /graphql/ws`: GraphQL over WebSocket (`graphql-transport-ws` and the older
/// `graphql-ws`). The `connection_init` payload carries the session token
/// (`{"Authorization": "Bearer …"}` or `{"token": "…"}`); an unknown, expired or revoked one
/// closes the connection.
pub async fn ws(
    State(state): State<Endpoint>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(rid): axum::Extension<RequestId>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let lang = lang_of(&headers);
    let client = client_of(peer.ip(), &headers, &state.app.config.trusted_proxies).to_string();
    let max_message = state.app.config.max_json_bytes;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            let sockets = state.sockets.clone();
            sockets.track_future(async move {
                use axum::extract::ws::{CloseFrame, Message};
                use futures::{SinkExt, StreamExt};
                let schema = state.schema.clone();
                let stop = state.stop.clone();
                let init_state = state.clone();
                let (mut to_client, from_client) = socket.split();
                // Why the connection ends, for the close code the graphql-ws protocol gives it.
                let refused = Arc::new(AtomicBool::new(false));
                let read_error: Arc<std::sync::Mutex<Option<u16>>> = Arc::default();
                let from_client = {
                    let read_error = read_error.clone();
                    from_client.scan((), move |_, m| {
                        futures::future::ready(match m {
                            Ok(m) => Some(Ok::<_, axum::Error>(m)),
                            Err(e) => {
                                *read_error.lock().unwrap_or_else(|p| p.into_inner()) =
                                    Some(close_code_for_read_error(&e));
                                None
                            }
                        })
                    })
                };
                // On shutdown the subscriptions end first (each sends its `complete`), then the
                // client's side is cut, and the connection closes with 1001 "going away".
                let mut input_stop = stop.clone();
                let from_client = from_client.take_until(async move {
                    let _ = input_stop.wait_for(|s| *s).await.map(|_| ());
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                });
                let (tx, mut rx) = futures::channel::mpsc::channel::<Message>(16);
                let tx = tx.sink_map_err(|_| axum::Error::new("the connection closed"));
                let refused_init = refused.clone();
                let serve = GraphQLWebSocket::new_with_pair(tx, from_client, schema, protocol)
                    .on_connection_init(move |payload| async move {
                        let token = payload
                            .get("Authorization")
                            .or_else(|| payload.get("authorization"))
                            .and_then(|v| v.as_str())
                            .map(|v| {
                                v.trim_start_matches("Bearer ")
                                    .trim_start_matches("bearer ")
                                    .to_owned()
                            })
                            .or_else(|| {
                                payload
                                    .get("token")
                                    .and_then(|v| v.as_str())
                                    .map(str::to_owned)
                            });
                        let refuse = || {
                            refused_init.store(true, Ordering::Release);
                            Err(crate::graphql::errors::unauthenticated(lang))
                        };
                        let viewer = match token {
                            None => Viewer::anonymous(),
                            Some(t) => match auth::viewer_for_token(
                                &init_state.app.db,
                                &t,
                                init_state.app.clock.now(),
                            )
                            .await
                            {
                                Ok(Ok(v)) => v,
                                _ => return refuse(),
                            },
                        };
                        let mut data = async_graphql::Data::default();
                        data.insert(viewer);
                        data.insert(lang);
                        data.insert(Loaders::new(&init_state.app.db, &Batching::default()));
                        data.insert(RequestMeta {
                            request_id: rid.0,
                            client: client.clone(),
                        });
                        data.insert(super::context::Shutdown(init_state.stop.clone()));
                        Ok(data)
                    })
                    .serve();
                let stopping = stop.clone();
                let forward = async move {
                    while let Some(m) = rx.next().await {
                        // async-graphql closes with 1002 for a malformed message and for a
                        // refused `connection_init`, and 1011 for a subscribe before the
                        // handshake; the graphql-ws protocol says 4400, 4403 and 4401.
                        let m = match m {
                            Message::Close(Some(frame)) => Message::Close(Some(CloseFrame {
                                code: protocol_close_code(
                                    frame.code,
                                    refused.load(Ordering::Acquire),
                                ),
                                reason: frame.reason,
                            })),
                            m => m,
                        };
                        let closing = matches!(m, Message::Close(_));
                        if to_client.send(m).await.is_err() || closing {
                            let _ = to_client.close().await;
                            return;
                        }
                    }
                    let read_error = *read_error.lock().unwrap_or_else(|p| p.into_inner());
                    let (code, reason) = match read_error {
                        Some(code) => (code, "message refused"),
                        None if *stopping.borrow() => (1001, "server shutting down"),
                        None => (1000, "closed"),
                    };
                    let _ = to_client
                        .send(Message::Close(Some(CloseFrame {
                            code,
                            reason: reason.into(),
                        })))
                        .await;
                    let _ = to_client.close().await;
                };
                let _ = tokio::join!(serve, forward);
            })
        })
}
