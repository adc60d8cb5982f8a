//! The GraphQL endpoint over HTTP. Bodies are limited by content type before the GraphQL layer
//! sees them; a malformed body gets a GraphQL-shaped error with a code, never a 500.

use std::net::SocketAddr;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, MultipartOptions};
use async_graphql::{
    ParseRequestError, Request as GqlRequest, Response as GqlResponse, ServerError,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::{Body, to_bytes};
use axum::extract::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use entity::Lang;
use serde::Deserialize;

use super::{HttpState, RequestId};
use crate::auth::{self, Viewer};
use crate::graphql::context::RequestMeta;
use crate::graphql::errors::code;
use crate::graphql::executor::Batching;
use crate::graphql::loaders::Loaders;

const GRAPHIQL: &str = include_str!("graphiql.html");

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A response that carries one GraphQL error with a code.
pub fn error_response(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
) -> Response {
    let mut err = ServerError::new(message, None);
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    let body = GqlResponse::from_errors(vec![err]);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&body).unwrap_or_default(),
    )
        .into_response()
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
    State(state): State<HttpState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(rid): axum::Extension<RequestId>,
    Query(params): Query<GetParams>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(query) = params.query else {
        if state.app.config.graphiql {
            return (
                [(
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; script-src 'self' 'unsafe-inline' https://unpkg.com; \
                     style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data:; \
                     font-src 'self' data: https://unpkg.com; connect-src 'self'; frame-ancestors 'none'",
                )],
                Html(GRAPHIQL),
            )
                .into_response();
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
    State(state): State<HttpState>,
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
    state: &HttpState,
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

fn too_large(limit: usize) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        code::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than {limit} bytes."),
    )
}

/// The viewer behind the request's `Authorization: Bearer` token (anonymous without one), or
/// the response refusing a token that is unknown, expired, revoked or of a switched-off account.
pub async fn viewer_of(
    state: &HttpState,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<Viewer, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Viewer::anonymous());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    let refused = || {
        error_response(
            StatusCode::UNAUTHORIZED,
            code::UNAUTHENTICATED,
            match lang {
                Lang::Id => "Sesi tidak berlaku lagi. Silakan masuk kembali.",
                Lang::En => "The session is no longer valid. Please sign in again.",
            },
        )
    };
    if token.is_empty() {
        return Err(refused());
    }
    match auth::viewer_for_token(&state.app.db, token, state.app.clock.now()).await {
        Ok(Ok(viewer)) => Ok(viewer),
        Ok(Err(_)) => Err(refused()),
        Err(e) => {
            tracing::error!(error = %e, "cannot check a session");
            Err(error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                code::INTERNAL,
                crate::graphql::errors::internal_message(lang),
            ))
        }
    }
}

async fn execute(
    state: &HttpState,
    request: GqlRequest,
    headers: &HeaderMap,
    lang: Lang,
    rid: RequestId,
    peer: SocketAddr,
) -> Response {
    let viewer = match viewer_of(state, headers, lang).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let batching = Batching::tracked();
    let request = request
        .data(viewer)
        .data(lang)
        .data(Loaders::new(&state.app.db, &batching))
        .data(RequestMeta {
            request_id: rid.0,
            client: super::client_of(peer.ip(), headers, &state.app.config.trusted_proxies)
                .to_string(),
        });
    let Some(response) = state
        .executor
        .execute(state.schema.clone(), request, batching)
        .await
    else {
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            crate::graphql::errors::internal_message(lang),
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
    let body = serde_json::to_string(&response).unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}

/// `GET /graphql/ws`: GraphQL over WebSocket (`graphql-transport-ws` and the older
/// `graphql-ws`). The `connection_init` payload carries the session token
/// (`{"Authorization": "Bearer …"}` or `{"token": "…"}`); an unknown, expired or revoked one
/// closes the connection.
pub async fn ws(
    State(state): State<HttpState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(rid): axum::Extension<RequestId>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let lang = lang_of(&headers);
    let client =
        super::client_of(peer.ip(), &headers, &state.app.config.trusted_proxies).to_string();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let sockets = state.sockets.clone();
            sockets.track_future(async move {
                use axum::extract::ws::{CloseFrame, Message};
                use futures::{SinkExt, StreamExt};
                let schema = state.schema.clone();
                let stop = state.stop.clone();
                let init_state = state.clone();
                let (mut to_client, from_client) = socket.split();
                // On shutdown the subscriptions end first (each sends its `complete`), then the
                // client's side is cut, and the connection closes with 1001 "going away".
                let mut input_stop = stop.clone();
                let from_client = from_client.take_until(async move {
                    let _ = input_stop.wait_for(|s| *s).await.map(|_| ());
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                });
                let (tx, mut rx) = futures::channel::mpsc::channel::<Message>(16);
                let tx = tx.sink_map_err(|_| axum::Error::new("the connection closed"));
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
                                _ => {
                                    return Err(crate::graphql::errors::unauthenticated(lang));
                                }
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
                        data.insert(crate::graphql::report::Shutdown(init_state.stop.clone()));
                        Ok(data)
                    })
                    .serve();
                let forward = async move {
                    while let Some(m) = rx.next().await {
                        if to_client.send(m).await.is_err() {
                            return;
                        }
                    }
                    let _ = to_client
                        .send(Message::Close(Some(CloseFrame {
                            code: 1001,
                            reason: "server shutting down".into(),
                        })))
                        .await;
                    let _ = to_client.close().await;
                };
                let _ = tokio::join!(serve, forward);
            })
        })
}
