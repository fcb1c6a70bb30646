//! Anchorage's MCP server: every Site Explorer endpoint as a tool named as Ahrefs' own MCP
//! server names it, plus `doc` and `explain-domain-rating`.
//!
//! A tool call is the HTTP request of its endpoint, answered in-process by the same axum
//! application the API serves: the arguments are the HTTP parameters, the result is the JSON
//! the API returns, and an error is the API's message — nothing can drift between the two.
//! Over HTTP (`anchorage serve --mcp`, at `/mcp`) the caller's `Authorization` header goes
//! with every call, so keys, budgets, rate limits and unit accounting are the API's; over
//! stdio (`anchorage mcp`) the server runs as the local user, without keys.
//!
//! Input schemas come from the API's OpenAPI document, itself generated from the column
//! catalogue, so enums, types and descriptions are the catalogue's.

mod tools;

use anchorage_api::access::Access;
use anchorage_index::DataDir;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, ServiceExt};
use std::sync::Arc;
pub use tools::{ToolRoute, tool_routes};
use tower::ServiceExt as _;

#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("MCP transport: {0}")]
    Transport(String),
}

/// The MCP handler: the tool table and the application that answers the calls.
#[derive(Clone)]
pub struct AnchorageMcp {
    app: Router,
    tools: Arc<Vec<ToolRoute>>,
}

impl AnchorageMcp {
    /// Tools answered by `app` (the API application, with or without its key guard).
    pub fn new(app: Router) -> Self {
        AnchorageMcp {
            app,
            tools: Arc::new(tool_routes()),
        }
    }

    async fn call(
        &self,
        name: &str,
        arguments: serde_json::Map<String, serde_json::Value>,
        authorization: Option<String>,
    ) -> Result<CallToolResult, ErrorData> {
        if name == tools::DOC {
            return self.doc(&arguments).map(text_result);
        }
        let route = self
            .tools
            .iter()
            .find(|t| t.tool.name == name)
            .ok_or_else(|| ErrorData::invalid_params(format!("no tool named '{name}'"), None))?;
        let query =
            tools::query_string(&arguments).map_err(|e| ErrorData::invalid_params(e, None))?;
        let mut request = Request::get(format!("{}?{query}", route.path));
        if let Some(auth) = authorization {
            request = request.header(header::AUTHORIZATION, auth);
        }
        let request = request
            .body(Body::empty())
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let text = String::from_utf8_lossy(&body).into_owned();
        if status.is_success() {
            Ok(text_result(text))
        } else {
            Err(http_error(status, &text))
        }
    }

    /// `doc`: the full input schema of one tool.
    fn doc(
        &self,
        arguments: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<String, ErrorData> {
        let name = arguments
            .get("tool")
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                ErrorData::invalid_params("tool: this argument is required (a tool name)", None)
            })?;
        let route = self
            .tools
            .iter()
            .find(|t| t.tool.name == name)
            .ok_or_else(|| {
                ErrorData::invalid_params(format!("tool: no tool named '{name}'"), None)
            })?;
        Ok(serde_json::Value::Object((*route.tool.input_schema).clone()).to_string())
    }
}

fn text_result(text: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

/// The API's error as an MCP error with the same message: a bad argument (4xx) is
/// `invalid_params`, anything else `internal_error`.
fn http_error(status: StatusCode, body: &str) -> ErrorData {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.to_string());
    let data = Some(serde_json::json!({"http_status": status.as_u16()}));
    if status.is_client_error() {
        ErrorData::invalid_params(message, data)
    } else {
        ErrorData::internal_error(message, data)
    }
}

impl ServerHandler for AnchorageMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("anchorage", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Anchorage, a self-hosted backlink index with Ahrefs' Site Explorer endpoints as tools. \
                 Arguments are the HTTP API's parameters; call `doc` for a tool's full schema.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut all: Vec<_> = self.tools.iter().map(|t| t.tool.clone()).collect();
        all.push(tools::doc_tool(&self.tools));
        Ok(ListToolsResult::with_all_items(all))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let authorization = context
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|parts| parts.headers.get(header::AUTHORIZATION))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let arguments = request.arguments.unwrap_or_default();
        self.call(&request.name, arguments, authorization)
            .await
            .map(Into::into)
    }
}

/// `anchorage mcp`: the server on stdin/stdout until the client closes it.
pub async fn serve_stdio(dir: DataDir) -> Result<(), McpError> {
    let handler = AnchorageMcp::new(anchorage_api::app(dir));
    let service = handler
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| McpError::Transport(e.to_string()))?;
    service
        .waiting()
        .await
        .map_err(|e| McpError::Transport(e.to_string()))?;
    Ok(())
}

/// Mounts the streamable-HTTP MCP endpoint at `/mcp` on the API application: requests need
/// a valid key whenever the API does, and tool calls are charged as API requests.
pub fn mount(app: Router, access: Arc<Access>, loopback_only: bool) -> Router {
    let handler = AnchorageMcp::new(app.clone());
    let mut config = StreamableHttpServerConfig::default();
    if !loopback_only {
        // Host validation guards unauthenticated local servers against DNS rebinding; a
        // public server requires keys instead, and its host names are the operator's.
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let mcp =
        Router::new()
            .route_service("/mcp", service)
            .layer(axum::middleware::from_fn_with_state(
                access,
                anchorage_api::access::authenticate,
            ));
    app.merge(mcp)
}
