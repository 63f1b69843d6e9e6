//! Migration steps and how each one moves the version table: Alembic's
//! `RevisionStep`, `StampStep` and `HeadMaintainer`, over node indices.
//!
//! Pure: the host asks for the row operations and runs them itself, so the
//! statements are compiled by SQLAlchemy exactly as Alembic's are.

use indexmap::IndexSet;

use crate::revision::{Edges, RevisionMap, StampStep};

/// One unit of work of `upgrade`/`downgrade`/`stamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Run a revision's `upgrade()` or `downgrade()`.
    Revision { node: usize, is_upgrade: bool },
    /// Move the rows without running anything.
    Stamp(StampStep),
}

/// The exception Alembic's `HeadMaintainer` dies with when a step does not
/// fit the version table (its heads are checked as each row changes), as
/// the Python class and argument the host raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// `KeyError(version)`: `heads.remove()` of a row that is not there.
    Key(String),
    /// `IndexError(message)`.
    Index(&'static str),
    /// `AssertionError`, bare (`assert x not in heads`) or with a message.
    Assertion(Option<&'static str>),
}

/// A change to the version table, in the order it must run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionOp {
    Insert(String),
    Delete(String),
    Update { from: String, to: String },
}

impl Step {
    pub fn is_upgrade(&self) -> bool {
        match self {
            Step::Revision { is_upgrade, .. } => *is_upgrade,
            Step::Stamp(s) => s.is_upgrade,
        }
    }

    /// `MigrationStep.name`: the function that runs.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Revision {
                is_upgrade: true, ..
            } => "upgrade",
            Step::Revision { .. } => "downgrade",
            Step::Stamp(_) => "stamp_revision",
        }
    }

    /// `from_revisions_no_deps` (what the log line shows on the left).
    pub fn from_ids_no_deps(&self, map: &RevisionMap) -> Vec<String> {
        match self {
            Step::Revision {
                node,
                is_upgrade: true,
            } => ids(map, &map.node(*node).down),
            Step::Revision { node, .. } => vec![map.id(*node).to_string()],
            Step::Stamp(s) => ids(map, &s.from),
        }
    }

    /// `to_revisions_no_deps` (the right side of the log line).
    pub fn to_ids_no_deps(&self, map: &RevisionMap) -> Vec<String> {
        match self {
            Step::Revision {
                node,
                is_upgrade: true,
            } => vec![map.id(*node).to_string()],
            Step::Revision { node, .. } => ids(map, &map.node(*node).down),
            Step::Stamp(s) => ids(map, &s.to.into_iter().collect::<Vec<_>>()),
        }
    }

    /// `from_revisions` (with dependencies), for `MigrationInfo`.
    pub fn from_ids(&self, map: &RevisionMap) -> Vec<String> {
        match self {
            Step::Revision {
                node,
                is_upgrade: true,
            } => ids(map, &map.node(*node).normalized_down()),
            _ => self.from_ids_no_deps(map),
        }
    }

    /// `to_revisions` (with dependencies).
    pub fn to_ids(&self, map: &RevisionMap) -> Vec<String> {
        match self {
            Step::Revision {
                node,
                is_upgrade: false,
            } => ids(map, &map.node(*node).normalized_down()),
            _ => self.to_ids_no_deps(map),
        }
    }

    /// `MigrationStep.short_log`: `upgrade a -> b` (`-- Running ...` in --sql).
    pub fn short_log(&self, map: &RevisionMap) -> String {
        format!(
            "{} {} -> {}",
            self.name(),
            self.from_ids_no_deps(map).join(", "),
            self.to_ids_no_deps(map).join(", ")
        )
    }

    /// `str(step)`: the `Running ...` log line's text.
    pub fn describe(&self, map: &RevisionMap, doc: Option<&str>) -> String {
        match doc.filter(|d| !d.is_empty()) {
            Some(doc) => format!("{}, {doc}", self.short_log(map)),
            None => self.short_log(map),
        }
    }
}

fn ids(map: &RevisionMap, nodes: &[usize]) -> Vec<String> {
    nodes.iter().map(|&n| map.id(n).to_string()).collect()
}

/// `HeadMaintainer`: the set of rows in the version table, kept in step
/// with the operations it hands out.
#[derive(Debug, Clone)]
pub struct Heads {
    heads: IndexSet<String>,
}

/// What `update_to_step` decided, with Alembic's debug log text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadsUpdate {
    pub ops: Vec<VersionOp>,
    pub log: String,
    /// The exception Alembic's `HeadMaintainer` raises part-way (`KeyError`
    /// removing a head that is not there, a failed `assert`): `ops` are the
    /// ones before it, which Alembic has already executed.
    pub failure: Option<StepError>,
}

impl Heads {
    pub fn new(current: impl IntoIterator<Item = String>) -> Heads {
        Heads {
            heads: current.into_iter().collect(),
        }
    }

    pub fn current(&self) -> impl Iterator<Item = &str> {
        self.heads.iter().map(String::as_str)
    }

    /// `HeadMaintainer.update_to_step`.
    pub fn update_to_step(
        &mut self,
        map: &RevisionMap,
        step: &Step,
    ) -> Result<HeadsUpdate, StepError> {
        let mut update = match step {
            Step::Revision { node, is_upgrade } => self.revision_ops(map, *node, *is_upgrade)?,
            Step::Stamp(s) => self.stamp_ops(map, s)?,
        };
        let mut done = 0;
        for op in &update.ops {
            let failure = match op {
                VersionOp::Insert(v) => {
                    (!self.heads.insert(v.clone())).then_some(StepError::Assertion(None))
                }
                VersionOp::Delete(v) => {
                    (!self.heads.shift_remove(v)).then(|| StepError::Key(v.clone()))
                }
                VersionOp::Update { from, to } => {
                    if self.heads.contains(to) {
                        Some(StepError::Assertion(None))
                    } else if !self.heads.shift_remove(from) {
                        Some(StepError::Key(from.clone()))
                    } else {
                        self.heads.insert(to.clone());
                        None
                    }
                }
            };
            if failure.is_some() {
                update.failure = failure;
                break;
            }
            done += 1;
        }
        update.ops.truncate(done);
        Ok(update)
    }

    fn contains_node(&self, map: &RevisionMap, n: usize) -> bool {
        self.heads.contains(map.id(n))
    }

    fn revision_ops(
        &self,
        map: &RevisionMap,
        node: usize,
        is_upgrade: bool,
    ) -> Result<HeadsUpdate, StepError> {
        let id = map.id(node).to_string();
        let downrevs = map.node(node).normalized_down();
        let present: Vec<usize> = downrevs
            .iter()
            .copied()
            .filter(|&d| self.contains_node(map, d))
            .collect();
        let step = Step::Revision { node, is_upgrade };
        if !is_upgrade && self.heads.contains(&id) {
            // should_delete_branch
            if downrevs.is_empty() || self.unmerge_to(map, node).is_empty() {
                return Ok(HeadsUpdate {
                    log: format!("branch delete {id}"),
                    ops: vec![VersionOp::Delete(id)],
                    failure: None,
                });
            }
        }
        if is_upgrade && (downrevs.is_empty() || present.is_empty()) {
            return Ok(HeadsUpdate {
                log: format!("new branch insert {id}"),
                ops: vec![VersionOp::Insert(id)],
                failure: None,
            });
        }
        if is_upgrade && downrevs.len() > 1 && present.len() > 1 {
            // merge_branch_idents
            let from_all = step.from_ids(map);
            let others: Vec<String> = self
                .heads
                .iter()
                .filter(|h| !from_all.contains(h))
                .cloned()
                .collect();
            let from: Vec<String> = if others.is_empty() {
                from_all
            } else {
                let ancestors = self.ancestors_of_ids(map, &others);
                from_all
                    .into_iter()
                    .filter(|f| !ancestors.contains(f))
                    .collect()
            };
            let Some((last, deletes)) = from.split_last() else {
                return Err(StepError::Index("list index out of range"));
            };
            let mut ops: Vec<VersionOp> = deletes.iter().cloned().map(VersionOp::Delete).collect();
            ops.push(VersionOp::Update {
                from: last.clone(),
                to: id.clone(),
            });
            return Ok(HeadsUpdate {
                log: format!("merge, delete {}, update {last} to {id}", py_list(deletes)),
                ops,
                failure: None,
            });
        }
        if !is_upgrade && self.heads.contains(&id) && downrevs.len() > 1 {
            // unmerge_branch_idents
            let to = self.unmerge_to(map, node);
            let Some((last, inserts)) = to.split_last() else {
                return Err(StepError::Index("tuple index out of range"));
            };
            let mut ops: Vec<VersionOp> = inserts.iter().cloned().map(VersionOp::Insert).collect();
            ops.push(VersionOp::Update {
                from: id.clone(),
                to: last.clone(),
            });
            return Ok(HeadsUpdate {
                log: format!(
                    "unmerge, insert {}, update {id} to {last}",
                    py_tuple(inserts)
                ),
                ops,
                failure: None,
            });
        }
        // update_version_num
        let down = if downrevs.len() == 1 {
            map.id(downrevs[0]).to_string()
        } else if present.len() == 1 {
            map.id(present[0]).to_string()
        } else {
            return Err(StepError::Assertion(Some(
                "Can't do an UPDATE because downrevision is ambiguous",
            )));
        };
        let (from, to) = if is_upgrade { (down, id) } else { (id, down) };
        Ok(HeadsUpdate {
            log: format!("update {from} to {to}"),
            ops: vec![VersionOp::Update { from, to }],
            failure: None,
        })
    }

    /// `RevisionStep._unmerge_to_revisions`.
    fn unmerge_to(&self, map: &RevisionMap, node: usize) -> Vec<String> {
        let id = map.id(node);
        let to_revisions = ids(map, &map.node(node).normalized_down());
        let others: Vec<String> = self.heads.iter().filter(|h| *h != id).cloned().collect();
        let ancestors: IndexSet<String> = if !others.is_empty() {
            self.ancestors_of_ids(map, &others)
        } else {
            let mut set = IndexSet::new();
            for &t in &map.node(node).normalized_down() {
                for a in map.iterate_related(Edges::NormalizedDown, &[t]) {
                    if a != t {
                        set.insert(map.id(a).to_string());
                    }
                }
            }
            set
        };
        to_revisions
            .into_iter()
            .filter(|t| !ancestors.contains(t))
            .collect()
    }

    fn ancestors_of_ids(&self, map: &RevisionMap, heads: &[String]) -> IndexSet<String> {
        let nodes: Vec<usize> = heads.iter().filter_map(|h| map.lookup(h)).collect();
        map.iterate_related(Edges::NormalizedDown, &nodes)
            .into_iter()
            .map(|n| map.id(n).to_string())
            .collect()
    }

    fn stamp_ops(&self, map: &RevisionMap, s: &StampStep) -> Result<HeadsUpdate, StepError> {
        let from = ids(map, &s.from);
        let to: Vec<String> = s.to.iter().map(|&t| map.id(t).to_string()).collect();
        if !s.is_upgrade && s.branch_move {
            let [v] = from.as_slice() else {
                return Err(StepError::Assertion(None));
            };
            return Ok(HeadsUpdate {
                log: format!("branch delete {v}"),
                ops: vec![VersionOp::Delete(v.clone())],
                failure: None,
            });
        }
        let missing = |vs: &[String]| vs.iter().any(|v| !self.heads.contains(v));
        if s.is_upgrade && (s.branch_move || missing(&from)) && missing(&to) {
            let [v] = to.as_slice() else {
                return Err(StepError::Assertion(None));
            };
            return Ok(HeadsUpdate {
                log: format!("new branch insert {v}"),
                ops: vec![VersionOp::Insert(v.clone())],
                failure: None,
            });
        }
        if from.len() > 1 {
            let (last, deletes) = from.split_last().expect("len > 1");
            let mut ops: Vec<VersionOp> = deletes.iter().cloned().map(VersionOp::Delete).collect();
            ops.push(VersionOp::Update {
                from: last.clone(),
                to: to[0].clone(),
            });
            return Ok(HeadsUpdate {
                log: format!(
                    "merge, delete {}, update {last} to {}",
                    py_list(deletes),
                    to[0]
                ),
                ops,
                failure: None,
            });
        }
        match (from.as_slice(), to.as_slice()) {
            ([f], [t]) => Ok(HeadsUpdate {
                log: format!("update {f} to {t}"),
                ops: vec![VersionOp::Update {
                    from: f.clone(),
                    to: t.clone(),
                }],
                failure: None,
            }),
            _ => Err(StepError::Assertion(None)),
        }
    }
}

fn py_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|i| crate::pyfmt::py_repr(i)).collect();
    format!("[{}]", inner.join(", "))
}

fn py_tuple(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|i| crate::pyfmt::py_repr(i)).collect();
    match inner.len() {
        1 => format!("({},)", inner[0]),
        _ => format!("({})", inner.join(", ")),
    }
}
