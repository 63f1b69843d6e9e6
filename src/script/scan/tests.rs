//! The scanner's cases, by the Python constructs that could make it
//! mistake a line inside a string, bracket or body for a statement.

use super::*;

fn texts(src: &str) -> Vec<(String, Kind, Vec<&'static str>, u32)> {
    let sc = scan(src).unwrap();
    sc.stmts
        .iter()
        .map(|s| {
            (
                src[s.start..s.end].to_string(),
                s.kind,
                sc.occs(s).iter().map(|o| o.name.name()).collect(),
                s.line,
            )
        })
        .collect()
}

fn simple_with_names(src: &str) -> Vec<String> {
    let sc = scan(src).unwrap();
    sc.stmts
        .iter()
        .filter(|s| !s.occs.is_empty())
        .map(|s| src[s.start..s.end].to_string())
        .collect()
}

#[test]
fn plain_module() {
    let src = "\"\"\"doc\n\nrevision = 'no'\n\"\"\"\nimport x\n\nrevision = 'abc'\ndown_revision = None\n\ndef upgrade():\n    revision = 'inner'\n";
    let t = texts(src);
    assert_eq!(t[0].0, "\"\"\"doc\n\nrevision = 'no'\n\"\"\"");
    assert_eq!(t[0].1, Kind::Simple);
    assert_eq!(t[1].0, "import x");
    assert_eq!(
        t[2],
        ("revision = 'abc'".into(), Kind::Simple, vec!["revision"], 7)
    );
    assert_eq!(
        t[3],
        (
            "down_revision = None".into(),
            Kind::Simple,
            vec!["down_revision"],
            8
        )
    );
    assert_eq!(t[4].1, Kind::DefClass);
    assert!(t[4].2.is_empty());
    assert_eq!(t.len(), 5);
}

#[test]
fn strings_containing_assignments() {
    let src = "x = 'revision = 1'\ny = \"down_revision = 2\"\nz = '''\nrevision = 3\n'''\nw = r'\\'revision = 4'\nrevision = 'real'\n";
    assert_eq!(simple_with_names(src), vec!["revision = 'real'"]);
}

#[test]
fn docstring_with_quotes() {
    let src = "\"\"\"It's a \"quoted\" doc \\\"\"\" with escaped quote\nrevision = 'x'\n\"\"\"\nrevision = 'y'\n";
    let t = texts(src);
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].0, "revision = 'y'");
    assert_eq!(t[1].3, 4);
}

#[test]
fn brackets_span_lines() {
    let src = "down_revision = (\n    'a',  # comment )\n    'b',\n)\nbranch_labels = [\n'x',\n]\n";
    let t = texts(src);
    assert_eq!(
        t[0].0,
        "down_revision = (\n    'a',  # comment )\n    'b',\n)"
    );
    assert_eq!(t[1].0, "branch_labels = [\n'x',\n]");
    assert_eq!(t[1].3, 5);
}

#[test]
fn function_body_string_at_column_zero() {
    let src = "def upgrade():\n    op.execute(\n\"\"\"\nrevision = 'fake'\n\"\"\")\n    x = (\nrevision)\nrevision = 'real'\n";
    assert_eq!(simple_with_names(src), vec!["revision = 'real'"]);
}

#[test]
fn comments_and_continuations() {
    let src = "# revision = 'c'\nrevision \\\n  = 'a' # trailing\nx = 1 \\\nrevision = 2\n";
    let t = texts(src);
    assert_eq!(t[0].0, "revision \\\n  = 'a' # trailing");
    assert_eq!(t[0].2, vec!["revision"]);
    assert_eq!(t[1].0, "x = 1 \\\nrevision = 2");
    assert_eq!(t[1].2, vec!["revision"]);
    assert_eq!(t[1].3, 4);
}

#[test]
fn crlf_and_cr() {
    let src = "\"\"\"doc\r\n\r\n\"\"\"\r\nrevision = 'a'\r\ndown_revision = None\rbranch_labels = None\r\n";
    let t = texts(src);
    assert_eq!(t[1].0, "revision = 'a'");
    assert_eq!(t[1].3, 4);
    assert_eq!(t[2].0, "down_revision = None");
    assert_eq!(t[3].0, "branch_labels = None");
    assert_eq!(t[3].3, 6);
}

#[test]
fn tabs_and_indentation() {
    let src = "def f():\n\trevision = 1\nif x:\n\tpass\nrevision\t=\t'a'\n";
    let t = texts(src);
    assert_eq!(t[0].1, Kind::DefClass);
    assert_eq!(t[1].1, Kind::Compound);
    assert!(t[1].2.is_empty());
    assert_eq!(t[2].0, "revision\t=\t'a'");
}

#[test]
fn semicolons_split() {
    let src = "import x; revision = 'a';down_revision = None\n";
    let t = texts(src);
    assert_eq!(t[0].0, "import x");
    assert_eq!(t[1].0, "revision = 'a'");
    assert_eq!(t[2].0, "down_revision = None");
    let st = scan(src).unwrap().stmts;
    assert_eq!(&src[st[1].eq.unwrap()..st[1].eq.unwrap() + 1], "=");
}

#[test]
fn eq_detection() {
    for (src, eq) in [
        ("revision = 'a'", Some(9)),
        ("revision: Union[str, Sequence[str], None] = 'a'", Some(42)),
        ("revision == 'a'", None),
        ("revision += 'a'", None),
        ("f(revision='a')", None),
        ("revision <= x", None),
    ] {
        let st = scan(src).unwrap().stmts;
        assert_eq!(st[0].eq, eq, "{src}");
    }
}

#[test]
fn compound_statements_grouped() {
    let src = "if TYPE_CHECKING:\n    from x import y\nelse:\n    revision = 'b'\nrevision = 'a'\ntry:\n    pass\nexcept ImportError:\n    pass\n";
    let t = texts(src);
    assert_eq!(t.len(), 3);
    assert_eq!(t[0].1, Kind::Compound);
    assert_eq!(t[0].2, vec!["revision"]);
    assert!(t[0].0.ends_with("revision = 'b'"));
    assert_eq!(t[1].0, "revision = 'a'");
    assert_eq!(t[2].1, Kind::Compound);
    assert!(t[2].2.is_empty());
}

#[test]
fn attribute_access_ignored() {
    let src = "x = context.revision\ny = foo . down_revision\nz = revision\n";
    assert_eq!(simple_with_names(src), vec!["z = revision"]);
}

#[test]
fn walrus_flag() {
    let sc = scan("print((revision := 'a'))\n").unwrap();
    assert!(sc.occs(&sc.stmts[0])[0].walrus);
}

#[test]
fn def_class_names() {
    let t = texts(
        "def revision():\n    pass\nclass depends_on:\n    x = 1\nasync def __getattr__(n): pass\n@dec\ndef f(): pass\n",
    );
    assert_eq!(t[0].2, vec!["revision"]);
    assert_eq!(t[1].2, vec!["depends_on"]);
    assert_eq!(t[2].2, vec!["__getattr__"]);
    assert_eq!(t[3].1, Kind::Decorator);
    assert_eq!(t[4].1, Kind::DefClass);
}

#[test]
fn match_statement() {
    let t = texts("match x:\n    case revision:\n        pass\nmatch = 1\n");
    assert_eq!(t[0].1, Kind::Compound);
    assert_eq!(t[0].2, vec!["revision"]);
    assert_eq!(t[1].0, "match = 1");
    assert_eq!(t[1].1, Kind::Simple);
}

#[test]
fn fstrings() {
    // 3.12 nested same quotes, format specs, doubled braces, \N{...}
    let src = "x = f\"{d[\"k\"]}\"\ny = f'{a:>{w}} {{revision}}'\nz = f\"\\N{DASH} {x!r}\"\nw = rf'\\{x}'\nrevision = 'a'\n";
    assert_eq!(simple_with_names(src), vec!["revision = 'a'"]);
    let src = "x = f'''\n{ {'a': 1}['a'] }\nrevision = 'no'\n'''\nrevision = 'yes'\n";
    assert_eq!(simple_with_names(src), vec!["revision = 'yes'"]);
}

#[test]
fn string_prefixes() {
    let src = "a = rb'\\''\nb = Rb\"x\"\nc = U'x'\nd = br'''x'''\nrevision = u'a'\n";
    assert_eq!(simple_with_names(src), vec!["revision = u'a'"]);
}

#[test]
fn broken_files() {
    let e = scan("x = 'abc\nrevision = 'a'\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert_eq!(
        e.message,
        "unterminated string literal (detected at line 1)"
    );
    let e = scan("x = 1\ny = \"\"\"abc\n\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(
        e.message,
        "unterminated triple-quoted string literal (detected at line 4)"
    );
    let e = scan("x = (\n1,\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (1, "'(' was never closed"));
    let e = scan("x = 1)\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (1, "unmatched ')'"));
    let e = scan("x = (\n1]\n").unwrap_err();
    assert_eq!(
        e.message,
        "closing parenthesis ']' does not match opening parenthesis '(' on line 1"
    );
    let e = scan("x = f'{a\n").unwrap_err();
    assert_eq!(e.line, 1);
}

/// CPython's tokenizer allows 200 open brackets (per f-string field in
/// 3.11); deeper nesting is a `SyntaxError`, and must not reach the parser
/// (100,000 of them overflowed its stack).
#[test]
fn nesting_limit() {
    let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    let top = |n: usize| format!("x = 1\ny = (\n{}\n)\n", nested(n));
    let body = |n: usize| format!("def f():\n    y = ({})\n", nested(n));
    for (what, src, line) in [
        ("top level", &top as &dyn Fn(usize) -> String, 3),
        ("body", &body, 2),
    ] {
        assert!(scan(&src(199)).is_ok(), "{what}");
        let e = scan(&src(200)).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (line, "too many nested parentheses"),
            "{what}"
        );
    }
    assert!(scan(&format!("x = ({})\n", nested(100_000))).is_err());
    // an f-string field starts counting again
    assert!(scan(&format!("x = (f'{{{}}}')\n", nested(199))).is_ok());
}

#[test]
fn no_trailing_newline() {
    let src = "revision = 'a'";
    let t = texts(src);
    assert_eq!(t[0].0, "revision = 'a'");
}

#[test]
fn form_feed_resets_indent() {
    let t = texts("\x0crevision = 'a'\n");
    assert_eq!(t[0].0, "revision = 'a'");
}
