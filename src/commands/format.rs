//! How Alembic prints one revision: `Script._head_only` (one line) and
//! `Script.log_entry` (the verbose block).

use super::Scripts;
use crate::pyfmt::{py_path, py_splitlines};

/// Which pieces of the one-line form a command asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Line {
    pub include_branches: bool,
    pub include_doc: bool,
    pub include_parents: bool,
    pub tree_indicators: bool,
    /// `head_indicators=False` with `tree_indicators=False` (the Python API
    /// only; every command shows them): no `(head)` or `(current)` marks.
    pub no_head_indicators: bool,
}

impl Scripts {
    /// `Script.cmd_format`.
    pub(crate) fn cmd_format(
        &self,
        node: usize,
        verbose: bool,
        line: Line,
        current: bool,
    ) -> String {
        if verbose {
            self.log_entry(node, current)
        } else {
            self.head_only(node, line, current)
        }
    }

    /// `Script._head_only` (with `head_indicators` always on, as every
    /// caller leaves it).
    pub(crate) fn head_only(&self, node: usize, line: Line, current: bool) -> String {
        let mut text = String::with_capacity(96);
        self.push_head_only(&mut text, node, line, current);
        text
    }

    /// [`Scripts::head_only`], appended to `text`: `history` reuses one
    /// buffer for its 10,000 lines.
    pub(crate) fn push_head_only(&self, text: &mut String, node: usize, line: Line, current: bool) {
        let n = self.map.node(node);
        if line.include_parents {
            self.push_down_revision(text, node);
            if !n.rev.depends_on().is_empty() {
                text.push_str(" (");
                push_joined(text, n.rev.depends_on().iter());
                text.push(')');
            }
            text.push_str(" -> ");
        }
        text.push_str(&n.rev.revision);
        if line.include_branches && !n.branch_labels.is_empty() {
            text.push_str(" (");
            push_joined(text, n.branch_labels.iter());
            text.push(')');
        }
        if !line.no_head_indicators {
            if n.is_real_head() {
                text.push_str(" (head)");
            }
            if n.is_head() && !n.is_real_head() {
                text.push_str(" (effective head)");
            }
            if current {
                text.push_str(" (current)");
            }
        }
        if line.tree_indicators {
            if n.is_branch_point() {
                text.push_str(" (branchpoint)");
            }
            if n.is_merge_point() {
                text.push_str(" (mergepoint)");
            }
        }
        if line.include_doc {
            text.push_str(", ");
            text.push_str(self.script(node).doc());
        }
    }

    /// `Script.log_entry`.
    pub(crate) fn log_entry(&self, node: usize, current: bool) -> String {
        let n = self.map.node(node);
        let script = self.script(node);
        let mut entry = format!(
            "Rev: {}{}{}{}{}\n",
            n.rev.revision,
            if n.is_head() { " (head)" } else { "" },
            if n.is_branch_point() {
                " (branchpoint)"
            } else {
                ""
            },
            if n.is_merge_point() {
                " (mergepoint)"
            } else {
                ""
            },
            if current { " (current)" } else { "" },
        );
        let down = self.format_down_revision(node);
        if n.is_merge_point() {
            entry.push_str(&format!("Merges: {down}\n"));
        } else {
            entry.push_str(&format!("Parent: {down}\n"));
        }
        if !n.rev.depends_on().is_empty() {
            entry.push_str(&format!(
                "Also depends on: {}\n",
                n.rev.depends_on().join(", ")
            ));
        }
        if n.is_branch_point() {
            entry.push_str(&format!(
                "Branches into: {}\n",
                join(n.nextrev.iter().map(|&c| self.map.id(c)))
            ));
        }
        if !n.branch_labels.is_empty() {
            entry.push_str(&format!("Branch names: {}\n", join(n.branch_labels.iter())));
        }
        entry.push_str(&format!("Path: {}\n", py_path(&script.path)));
        let doc: Vec<String> = py_splitlines(&script.longdoc)
            .into_iter()
            .map(|l| format!("    {l}"))
            .collect();
        entry.push_str(&format!("\n{}\n", doc.join("\n")));
        entry
    }

    /// `Script._format_down_revision`.
    fn format_down_revision(&self, node: usize) -> String {
        let mut text = String::new();
        self.push_down_revision(&mut text, node);
        text
    }

    /// [`Scripts::format_down_revision`], appended to `text`.
    fn push_down_revision(&self, text: &mut String, node: usize) {
        let down = &self.map.node(node).rev.down_revision;
        if down.is_empty() {
            text.push_str("<base>");
        } else {
            push_joined(text, down.iter());
        }
    }
}

/// `", ".join(items)`, appended to `text`.
fn push_joined<S: AsRef<str>>(text: &mut String, items: impl Iterator<Item = S>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(item.as_ref());
    }
}

fn join<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    let mut text = String::new();
    push_joined(&mut text, items);
    text
}
