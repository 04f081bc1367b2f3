//! Writing XML responses (OSS and S3 share the shapes), and the `encoding-type=url` encoding.
//!
//! A small element writer rather than serde structs: the response shapes are many, their
//! element order is fixed by the SDK parsers, and many elements are conditional. Text is
//! escaped with quick-xml's escaper.

use crate::encode::UNRESERVED;
use percent_encoding::utf8_percent_encode;
use std::fmt::Write as _;

pub struct Xml {
    buf: String,
    open: Vec<&'static str>,
}

impl Xml {
    /// Starts a document with the declaration and the root element (with optional attributes
    /// such as an xmlns).
    pub fn new(root: &'static str, attrs: &str) -> Xml {
        let mut buf = String::with_capacity(512);
        buf.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        buf.push_str(root);
        if !attrs.is_empty() {
            buf.push(' ');
            buf.push_str(attrs);
        }
        buf.push('>');
        Xml {
            buf,
            open: vec![root],
        }
    }

    pub fn open(&mut self, name: &'static str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        self.open.push(name);
        self
    }

    /// Opens an element with attributes (written as given).
    pub fn open_attrs(&mut self, name: &'static str, attrs: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push(' ');
        self.buf.push_str(attrs);
        self.buf.push('>');
        self.open.push(name);
        self
    }

    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.open.pop() {
            self.buf.push_str("</");
            self.buf.push_str(name);
            self.buf.push('>');
        }
        self
    }

    /// `<name>text</name>`, escaped.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        push_text(&mut self.buf, text);
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.leaf(name, t);
        }
        self
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.buf
    }
}

/// Appends `text` escaped: quick-xml's escaper for `< > & ' "`, then every character an XML
/// parser would not hand back as it is becomes a numeric character reference. TAB, LF and CR
/// (`&#9;` `&#10;` `&#13;`) are legal that way and survive end-of-line normalization, so a key
/// holding them round-trips exactly. The other C0 controls (and U+FFFE, U+FFFF) are not XML
/// 1.0 characters at all: they are written as `&#x1;` like S3 (and OSS's `EscapeXml`) do,
/// which lenient parsers accept and strict ones refuse; clients with such keys list with
/// `encoding-type=url`. Never raw, which would make every parser misread or refuse the page.
fn push_text(buf: &mut String, text: &str) {
    let escaped = quick_xml::escape::escape(text);
    if !escaped.chars().any(needs_reference) {
        buf.push_str(&escaped);
        return;
    }
    for c in escaped.chars() {
        // Writing to a String cannot fail.
        let _ = match c {
            '\t' | '\n' | '\r' => write!(buf, "&#{};", u32::from(c)),
            c if needs_reference(c) => write!(buf, "&#x{:X};", u32::from(c)),
            c => buf.write_char(c),
        };
    }
}

fn needs_reference(c: char) -> bool {
    c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (so `/` → `%2F`, space → `%20`).
pub fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Encodes a listing field when the client asked for `encoding-type=url`.
pub fn maybe_encode(s: &str, url: bool) -> String {
    if url { url_encode(s) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_escaped_elements() {
        let mut x = Xml::new("Root", "");
        x.open("A").leaf("Key", "a<b&c").close().leaf("B", "");
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Root><A><Key>a&lt;b&amp;c</Key></A><B></B></Root>"
        );
    }

    #[test]
    fn line_breaks_and_tabs_in_text_are_written_as_character_references() {
        let mut x = Xml::new("R", "");
        x.leaf("Key", "a\rb\nc\td\r\n");
        let doc = x.finish();
        assert!(
            doc.ends_with("<R><Key>a&#13;b&#10;c&#9;d&#13;&#10;</Key></R>"),
            "{doc}"
        );
        // The parser (the same rules as any XML 1.0 parser) hands back the exact text.
        let parsed = parse(doc.as_bytes(), 4).unwrap();
        assert_eq!(parsed.child_text("Key"), Some("a\rb\nc\td\r\n"));
    }

    #[test]
    fn other_control_characters_are_never_written_raw() {
        let mut x = Xml::new("R", "");
        x.leaf("Key", "\0\u{1}x\u{1f}<\u{7f}\u{fffe}");
        let doc = x.finish();
        assert!(
            doc.ends_with("<Key>&#x0;&#x1;x&#x1F;&lt;\u{7f}&#xFFFE;</Key></R>"),
            "{doc:?}"
        );
        assert!(!doc.chars().any(|c| c < ' ' && c != '\n'));
    }

    #[test]
    fn url_encoding_keeps_only_unreserved_characters() {
        assert_eq!(
            url_encode("dir/a b+c%d~ü.txt"),
            "dir%2Fa%20b%2Bc%25d~%C3%BC.txt"
        );
    }
}

/// A parsed request document: element names, text and children, in order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// The deepest an element may be nested, the root being at depth 1. The documents of S3 and
/// OSS (and the responses the client reads) need fewer than 10 levels. The bound keeps the
/// tree shallow, so walking or dropping it recursively is bounded too: a body nested tens of
/// thousands deep would otherwise overflow the stack when its tree is dropped.
pub const MAX_DEPTH: usize = 32;

/// Why a request document was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    Malformed(String),
    /// Too many elements in all (a bound on the work a body can cause).
    TooLarge,
    /// An element nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// Parses a small request document into a tree. Namespaces are dropped from names; the XML
/// declaration, comments and processing instructions are skipped; character references
/// (including those for control characters, which some SDKs emit) are resolved. More than
/// `max_elements` elements, or one nested deeper than [`MAX_DEPTH`], is refused as soon as
/// it is read (so the tree is never deeper than that).
pub fn parse(bytes: &[u8], max_elements: usize) -> Result<Element, ParseError> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ParseError::Malformed("the body is not UTF-8".into()))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let malformed = |e: &dyn std::fmt::Display| ParseError::Malformed(e.to_string());
    loop {
        match reader.read_event().map_err(|e| malformed(&e))? {
            Event::Start(s) => {
                count += 1;
                if count > max_elements {
                    return Err(ParseError::TooLarge);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::TooDeep);
                }
                let name = s.local_name().as_ref().to_owned();
                stack.push(Element {
                    name,
                    ..Default::default()
                });
            }
            Event::Empty(s) => {
                count += 1;
                if count > max_elements {
                    return Err(ParseError::TooLarge);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::TooDeep);
                }
                let name = s.local_name().as_ref().to_owned();
                let el = Element {
                    name,
                    ..Default::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return finish(&mut reader, el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| ParseError::Malformed("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return finish(&mut reader, el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let top = stack
                    .last_mut()
                    .ok_or_else(|| ParseError::Malformed("text outside the root".into()))?;
                if let Some(ch) = r.resolve_char_ref().map_err(|e| malformed(&e))? {
                    top.text.push(ch);
                } else {
                    let s = match &*r {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => {
                            return Err(ParseError::Malformed(format!("unknown entity &{other};")));
                        }
                    };
                    top.text.push_str(s);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c);
                }
            }
            Event::Eof => {
                return Err(ParseError::Malformed(
                    "the document ended early or is empty".into(),
                ));
            }
            Event::DocType(_) => return Err(ParseError::Malformed("DTDs are not accepted".into())),
            _ => {}
        }
    }
}

fn finish(reader: &mut quick_xml::Reader<&[u8]>, root: Element) -> Result<Element, ParseError> {
    use quick_xml::events::Event;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(root),
            Ok(Event::Text(t)) if t.chars().all(char::is_whitespace) => {}
            Ok(Event::Comment(_)) | Ok(Event::PI(_)) => {}
            Ok(_) => {
                return Err(ParseError::Malformed(
                    "content after the root element".into(),
                ));
            }
            Err(e) => return Err(ParseError::Malformed(e.to_string())),
        }
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn parses_in_any_order_with_declarations_and_char_refs() {
        let doc = br#"<?xml version='1.0' encoding='UTF-8'?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a&amp;b&#x01;&#01;</Key></Object><Quiet>true</Quiet></Delete>"#;
        let root = parse(doc, 100).unwrap();
        assert_eq!(root.name, "Delete");
        assert_eq!(root.child_text("Quiet"), Some("true"));
        assert_eq!(
            root.child("Object").unwrap().child_text("Key"),
            Some("a&b\u{1}\u{1}")
        );
    }

    #[test]
    fn refuses_broken_and_oversized_documents() {
        assert!(matches!(
            parse(b"<a><b></a>", 100),
            Err(ParseError::Malformed(_))
        ));
        assert!(matches!(parse(b"", 100), Err(ParseError::Malformed(_))));
        assert!(matches!(
            parse(b"<a/><b/>", 100),
            Err(ParseError::Malformed(_))
        ));
        assert!(matches!(
            parse(b"<a><b/><b/><b/></a>", 3),
            Err(ParseError::TooLarge)
        ));
        assert!(matches!(
            parse(b"<!DOCTYPE x><a/>", 10),
            Err(ParseError::Malformed(_))
        ));
    }

    /// `depth` elements, each the only child of the one before: `<a><a>…</a></a>`.
    fn nested(depth: usize) -> Vec<u8> {
        ["<a>".repeat(depth), "</a>".repeat(depth)]
            .concat()
            .into_bytes()
    }

    fn depth(root: &Element) -> usize {
        let mut deepest = 0;
        let mut todo = vec![(root, 1)];
        while let Some((el, d)) = todo.pop() {
            deepest = deepest.max(d);
            todo.extend(el.children.iter().map(|c| (c, d + 1)));
        }
        deepest
    }

    #[test]
    fn nesting_up_to_the_bound_is_read() {
        let root = parse(&nested(MAX_DEPTH), 1000).unwrap();
        assert_eq!(depth(&root), MAX_DEPTH);
        // An empty element at the deepest level counts the same.
        let doc = [
            "<a>".repeat(MAX_DEPTH - 1),
            "<b/>".into(),
            "</a>".repeat(MAX_DEPTH - 1),
        ];
        assert_eq!(
            depth(&parse(doc.concat().as_bytes(), 1000).unwrap()),
            MAX_DEPTH
        );
    }

    #[test]
    fn nesting_past_the_bound_is_refused() {
        assert_eq!(
            parse(&nested(MAX_DEPTH + 1), 1000),
            Err(ParseError::TooDeep)
        );
        let doc = [
            "<a>".repeat(MAX_DEPTH),
            "<b/>".into(),
            "</a>".repeat(MAX_DEPTH),
        ];
        assert_eq!(
            parse(doc.concat().as_bytes(), 1000),
            Err(ParseError::TooDeep)
        );
        // Refused while reading: an unclosed document fails on depth, not on its end.
        assert_eq!(
            parse("<a>".repeat(MAX_DEPTH + 1).as_bytes(), 1000),
            Err(ParseError::TooDeep)
        );
    }

    #[test]
    fn a_document_nested_35000_deep_is_refused_without_overflowing_the_stack() {
        // 245 KB, within every reader's element bound before this check existed: its tree,
        // dropped recursively, overflowed a worker's stack and aborted the server.
        let doc = nested(35_000);
        assert_eq!(parse(&doc, 1_000_000), Err(ParseError::TooDeep));
        let mut deep = b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>".to_vec();
        deep.extend_from_slice(&nested(35_000));
        deep.extend_from_slice(b"</Part></CompleteMultipartUpload>");
        assert_eq!(parse(&deep, 8 * 10_000 + 8), Err(ParseError::TooDeep));
    }
}
