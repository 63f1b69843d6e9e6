//! The oracles: SQLAlchemy's `make_url`, psycopg2's and pymysql's `mogrify`
//! from `.venv-oracle` (skipped, with a note, when that virtualenv is absent).

use super::*;
use crate::pyfmt::py_repr;

fn oracle_python() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-oracle/bin/python");
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: no .venv-oracle (run `bash scripts/test-env.sh`)");
        None
    }
}

fn run_python(python: &std::path::Path, script: &str, input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "oracle script failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn url_oracle_sqlalchemy_make_url() {
    let Some(python) = oracle_python() else {
        return;
    };
    let urls = [
        "postgresql://scott:tiger@localhost/test",
        "postgresql+psycopg2://us%40er:p%3Ass%2Fw%20d@db.example.com:5433/my%20db?sslmode=require&application_name=x+y",
        "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4&b=2&a=1&b=1",
        "mariadb://u:@[2001:db8::1]:3306/d",
        "sqlite://",
        "sqlite:///relative.db",
        "sqlite:////abs/path.db",
        "sqlite:///:memory:",
        "sqlite+pysqlite:///x.db?mode=ro&uri=true",
        "postgresql://@/",
        "postgresql://u@h:5432",
        "postgresql://u:p@w@h/d",
        "postgresql://h/d?k=&x=%E2%9C%93&e",
        "postgresql://h/%F0%9F%98%80%zz",
        "postgresql://[::1]/d",
        "oracle+cx_oracle://u:p@h:1521/?service_name=x",
        "postgresql://u:p%40@h/d#frag",
        "postgresql://h:01234/d",
    ];
    let script = r#"
import sys
from sqlalchemy.engine import make_url
for line in sys.stdin.read().splitlines():
    u = make_url(line)
    print(repr((u.drivername, u.username, u.password, u.host, u.port, u.database,
                sorted((k, list(v) if isinstance(v, tuple) else [v]) for k, v in u.query.items()),
                u.render_as_string(hide_password=True), u.render_as_string(hide_password=False),
                u.get_backend_name())))
"#;
    let expected = run_python(&python, script, &urls.join("\n"));
    let py_str = |s: Option<&str>| match s {
        None => "None".to_string(),
        Some(s) => py_repr(s),
    };
    for (url, want) in urls.iter().zip(expected.lines()) {
        let u = Url::parse(url).unwrap();
        let mut query: Vec<(String, Vec<String>)> = u.query().to_vec();
        query.sort();
        let query_repr: Vec<String> = query
            .iter()
            .map(|(k, v)| {
                let vs: Vec<String> = v.iter().map(|s| py_repr(s)).collect();
                format!("({}, [{}])", py_repr(k), vs.join(", "))
            })
            .collect();
        let got = format!(
            "({}, {}, {}, {}, {}, {}, [{}], {}, {}, {})",
            py_repr(u.drivername()),
            py_str(u.username()),
            py_str(u.password()),
            py_str(u.host()),
            u.port().map_or("None".to_string(), |p| p.to_string()),
            py_str(u.database()),
            query_repr.join(", "),
            py_repr(&u.render(true)),
            py_repr(&u.render(false)),
            py_repr(u.backend_name()),
        );
        assert_eq!(got, want, "{url}");
    }
}

/// The same statements and parameters through psycopg2's and pymysql's
/// `cursor.mogrify` (live connections) and through [`interpolate_pyformat`].
#[test]
fn interpolation_oracle_psycopg2_and_pymysql() {
    let Some(python) = oracle_python() else {
        return;
    };
    // (sql, named?, params as (name, kind, text)); kinds: i f s b n none bool dec list
    type Case<'a> = (&'a str, bool, Vec<(&'a str, &'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "select %s, %s, %s",
            false,
            vec![("", "s", "a'b\\c\"d\n"), ("", "i", "-5"), ("", "f", "-2.5")],
        ),
        (
            "select %s, %s, %s",
            false,
            vec![("", "none", ""), ("", "bool", "1"), ("", "f", "1e16")],
        ),
        (
            "select %s, %s",
            false,
            vec![("", "f", "1e-05"), ("", "dec", "-1.50")],
        ),
        (
            "select %(a)s, %(b)s, %(a)s",
            true,
            vec![("a", "s", "x%y"), ("b", "i", "3")],
        ),
        ("select 100%% %s", false, vec![("", "i", "1")]),
        ("select 100%%", false, vec![]),
        ("select %s", false, vec![("", "s", "✓ unicode")]),
        ("select %s", false, vec![("", "f", "0.1")]),
        ("select %s %s", false, vec![("", "i", "1")]),
        ("select %d", false, vec![("", "i", "1")]),
        ("select %(a)s %(b)s", true, vec![("a", "i", "1")]),
        ("select %s", false, vec![("", "i", "1"), ("", "i", "2")]),
    ];
    let mut lines = Vec::new();
    for (sql, named, params) in &cases {
        let ps: Vec<String> = params
            .iter()
            .map(|(n, k, v)| format!("[{},{},{}]", json_str(n), json_str(k), json_str(v)))
            .collect();
        lines.push(format!("[{},{},[{}]]", json_str(sql), named, ps.join(",")));
    }
    let script = r#"
import sys, json, decimal
import psycopg2, pymysql
pg = psycopg2.connect(host="127.0.0.1", dbname="test", user="root").cursor()
my = pymysql.connect(host="127.0.0.1", user="root", database="test").cursor()
def conv(kind, text):
    return {"i": int, "f": float, "s": str, "none": lambda t: None,
            "bool": lambda t: t == "1", "dec": decimal.Decimal}[kind](text)
for line in sys.stdin.read().splitlines():
    sql, named, params = json.loads(line)
    args = {n: conv(k, v) for n, k, v in params} if named else tuple(conv(k, v) for _, k, v in params)
    out = []
    for cur in (pg, my):
        try:
            r = cur.mogrify(sql, args)
            out.append(["ok", r.decode() if isinstance(r, bytes) else r])
        except Exception as e:
            out.append(["err", type(e).__name__])
    print(json.dumps(out))
"#;
    let expected = run_python(&python, script, &lines.join("\n"));
    for ((sql, named, params), want) in cases.iter().zip(expected.lines()) {
        let values: Vec<(String, Value)> = params
            .iter()
            .map(|(n, k, v)| {
                let value = match *k {
                    "i" => Value::Int(v.parse().unwrap()),
                    "f" => Value::Float(v.parse().unwrap()),
                    "s" => Value::Text(v.to_string()),
                    "none" => Value::Null,
                    "bool" => Value::Bool(*v == "1"),
                    "dec" => Value::Numeric(v.to_string()),
                    _ => unreachable!(),
                };
                (n.to_string(), value)
            })
            .collect();
        let mut got = Vec::new();
        for dialect in [Dialect::Postgresql, Dialect::Mysql] {
            let result = if *named {
                let map: IndexMap<String, Value> = values.iter().cloned().collect();
                interpolate_pyformat(dialect, sql, &Params::Named(&map))
            } else {
                let list: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
                interpolate_pyformat(dialect, sql, &Params::Positional(&list))
            };
            got.push(match result {
                Ok(s) => format!("[\"ok\", {}]", json_str(&s)),
                Err(e) => format!("[\"err\", {}]", json_str(e.python_parts().2.unwrap_or("?"))),
            });
        }
        assert_eq!(format!("[{}]", got.join(", ")), want, "{sql}");
    }
}

/// JSON string literal as Python's `json.dumps` writes it (ASCII-escaped).
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
