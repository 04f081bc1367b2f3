//! The console's page: plain HTML, CSS and JavaScript modules, compiled into the binary (no
//! bundler, nothing fetched at run time).

/// A static file: its content type and bytes.
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file, by path.
const FILES: &[(&str, &str, &[u8])] = &[
    ("/", HTML, include_bytes!("assets/index.html")),
    ("/index.html", HTML, include_bytes!("assets/index.html")),
    ("/assets/app.css", CSS, include_bytes!("assets/app.css")),
    ("/assets/app.js", JS, include_bytes!("assets/app.js")),
    ("/assets/s3.js", JS, include_bytes!("assets/s3.js")),
    (
        "/assets/browser.js",
        JS,
        include_bytes!("assets/browser.js"),
    ),
    ("/assets/upload.js", JS, include_bytes!("assets/upload.js")),
    (
        "/assets/restore.js",
        JS,
        include_bytes!("assets/restore.js"),
    ),
    (
        "/assets/settings.js",
        JS,
        include_bytes!("assets/settings.js"),
    ),
];

/// The file at `path`.
pub fn find(path: &str) -> Option<Asset> {
    FILES
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, content_type, body)| Asset { content_type, body })
}
