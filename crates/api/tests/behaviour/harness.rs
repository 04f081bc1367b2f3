//! A server in process (an `AppState` over a store in a temporary directory) and a client
//! that signs `http::Request`s and hands them to the router, with no socket.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use std::sync::Arc;
use strata_api::{AppState, Credentials, User, Users};
use strata_core::{Store, StoreOptions};

use crate::dialect::Dialect;
use crate::sign;

pub const REGION: &str = "us-east-1";
pub const HOST: &str = "strata.test";

/// The administrator (the server's own key pair) and a second user.
pub const ADMIN: (&str, &str) = ("AKIDADMINBEHAVIOUR01", "admin-secret-behaviour");
pub const OTHER: (&str, &str) = ("AKIDOTHERBEHAVIOUR02", "other-secret-behaviour");

/// The stores of finished tests, kept open until the process ends (see `Server::drop`).
static KEPT_OPEN: std::sync::Mutex<Vec<Arc<AppState>>> = std::sync::Mutex::new(Vec::new());

pub struct Server {
    state: Arc<AppState>,
    dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    /// Removes the data directory but leaves the store open: closing it commits and syncs
    /// the metadata engine's final state, most of a test's time, and nothing here reads the
    /// directory again. The store goes when the test's process ends (nextest runs each test
    /// in a process of its own).
    fn drop(&mut self) {
        KEPT_OPEN
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(self.state.clone());
        drop(self.dir.take());
    }
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with(false).await
    }

    /// A server whose new buckets get AWS's 2023 defaults or not.
    pub async fn start_with(aws_2023_defaults: bool) -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut server = Server::start_in(dir.path(), None, aws_2023_defaults).await;
        server.dir = Some(dir);
        server
    }

    /// A gateway named `name` over the data directory `dir` (the caller's, shared by the
    /// gateways) and the metadata at `metadata` (a `postgres://` URL).
    pub async fn start_over(dir: &std::path::Path, metadata: String, name: &str) -> Server {
        Server::start_in(dir, Some((metadata, name.to_owned())), false).await
    }

    async fn start_in(
        dir: &std::path::Path,
        metadata: Option<(String, String)>,
        aws_2023_defaults: bool,
    ) -> Server {
        let (metadata, gateway_name) = metadata.unzip();
        let store = Store::open(
            dir,
            StoreOptions {
                min_free_bytes: 0,
                metadata,
                gateway_name,
                ..StoreOptions::default()
            },
        )
        .await
        .expect("a store");
        let admin = User::from_credentials(Credentials {
            access_key: ADMIN.0.into(),
            secret_key: ADMIN.1.into(),
        });
        // The second user is stored, as `--users FILE` stores its users.
        store
            .seed_user(OTHER.0, OTHER.0, OTHER.0, OTHER.1)
            .await
            .expect("the second user");
        let users = Users::load(admin, &store).expect("the users");
        let state = AppState {
            store,
            users,
            region: REGION.into(),
            domains: Vec::new(),
            signing_keys: Default::default(),
            aws_2023_defaults,
            console: Default::default(),
        };
        Server {
            state: Arc::new(state),
            dir: None,
        }
    }

    /// A client of the administrator.
    pub fn client(&self, dialect: Dialect) -> Client {
        self.client_as(dialect, ADMIN)
    }

    pub fn client_as(&self, dialect: Dialect, (ak, sk): (&str, &str)) -> Client {
        Client {
            state: self.state.clone(),
            dialect,
            credentials: Credentials {
                access_key: ak.into(),
                secret_key: sk.into(),
            },
        }
    }
}

/// What the server answered, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What the server's request log says of it.
    pub log: Option<strata_api::RequestLog>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Panics with the answer unless its status is `status`.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        self
    }
}

/// One request about to be sent: target, headers and body.
pub struct Call {
    pub method: Method,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Call {
    pub fn new(method: Method, target: impl Into<String>) -> Call {
        Call {
            method,
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Call {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Call {
        self.body = body.into();
        self
    }
}

#[derive(Clone)]
pub struct Client {
    state: Arc<AppState>,
    pub dialect: Dialect,
    pub credentials: Credentials,
}

impl Client {
    /// Signs `call` (host, length and every header it sets) and answers it.
    pub async fn send(&self, call: Call) -> Resp {
        self.send_with(call, |_| {}).await
    }

    /// As [`Client::send`], with `tamper` applied to the headers after signing.
    pub async fn send_with(&self, call: Call, tamper: impl FnOnce(&mut HeaderMap)) -> Resp {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static(HOST));
        if !call.body.is_empty() || matches!(call.method, Method::PUT | Method::POST) {
            headers.insert("content-length", call.body.len().into());
        }
        for (n, v) in &call.headers {
            headers.append(
                HeaderName::from_bytes(n.as_bytes()).expect("a header name"),
                HeaderValue::from_str(v).expect("a header value"),
            );
        }
        sign::sign(
            self.dialect,
            &self.credentials,
            REGION,
            &call.method,
            &call.target,
            &mut headers,
            &call.body,
        );
        tamper(&mut headers);
        self.raw(call.method, &call.target, headers, call.body)
            .await
    }

    /// Sends a request as it is, unsigned unless `headers` sign it.
    pub async fn raw(
        &self,
        method: Method,
        target: &str,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(target)
            .body(Full::new(Bytes::from(body)))
            .expect("a request");
        *req.headers_mut() = headers;
        let resp = strata_api::handle(&self.state, req).await;
        let (mut head, body) = resp.into_parts();
        let body = body.collect().await.expect("a response body").to_bytes();
        Resp {
            status: head.status,
            headers: head.headers,
            body,
            log: head.extensions.remove(),
        }
    }
}

/// A parsed XML element: its name, text and children in order.
#[derive(Debug, Default)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn parse(xml: &[u8]) -> Node {
        use quick_xml::events::Event;
        let text = std::str::from_utf8(xml).expect("a UTF-8 document");
        let mut reader = quick_xml::Reader::from_str(text);
        let mut stack = vec![Node::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push(Node {
                    name: e.local_name().as_ref().to_owned(),
                    ..Node::default()
                }),
                Event::Empty(e) => {
                    let n = Node {
                        name: e.local_name().as_ref().to_owned(),
                        ..Node::default()
                    };
                    stack.last_mut().expect("a parent").children.push(n);
                }
                Event::End(_) => {
                    let n = stack.pop().expect("an open element");
                    stack.last_mut().expect("a parent").children.push(n);
                }
                Event::Text(t) => {
                    let top = stack.last_mut().expect("an element");
                    top.text.push_str(&t.xml10_content());
                }
                Event::GeneralRef(r) => {
                    let top = stack.last_mut().expect("an element");
                    match r.resolve_char_ref().expect("a character reference") {
                        Some(ch) => top.text.push(ch),
                        None => top.text.push_str(match &*r {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            other => panic!("unknown entity &{other};"),
                        }),
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let mut doc = stack.pop().expect("the document");
        assert_eq!(doc.children.len(), 1, "one root element");
        doc.children.pop().expect("the root")
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the child `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.clone())
    }
}
