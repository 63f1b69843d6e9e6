//! The identifier grammar: what `head`, `heads`, `base`, `label@head`,
//! `ae10`, `-2`, `networking@+1` mean (Alembic's `get_revisions`,
//! `_resolve_revision_number`, `_revision_for_ident`, `_walk` and the
//! upgrade/downgrade target parsers).
//!
//! The code follows Alembic's control flow closely on purpose: users depend
//! on its exact answers and error texts, including the odd corners.

use std::sync::LazyLock;

use regex::Regex;

use super::map::Edges;
use super::{RevArg, RevisionError, RevisionMap};

/// One element of a resolved identifier: a revision, Alembic's `"base"`
/// marker (walking down past a base), or Python's `None` (a walk that went
/// too far, or the empty `()` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Rev(usize),
    Base,
    Null,
}

impl Target {
    pub fn rev(self) -> Option<usize> {
        match self {
            Target::Rev(i) => Some(i),
            _ => None,
        }
    }
}

/// `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, matched at the start only (`re.match`).
static RELATIVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:(.+?)@)?(\w+)?((?:\+|-)\d+)").expect("valid regex"));

pub(crate) struct Relative<'a> {
    pub branch_label: Option<&'a str>,
    pub symbol: Option<&'a str>,
    pub relative: &'a str,
    pub steps: i64,
}

pub(crate) fn match_relative(target: &str) -> Option<Relative<'_>> {
    // The pattern needs a sign; most targets (`head`, ids) have none, and
    // compiling it was most of the time resolving them took.
    if !target.contains(['+', '-']) {
        return None;
    }
    let c = RELATIVE.captures(target)?;
    let relative = c.get(3)?.as_str();
    Some(Relative {
        branch_label: c.get(1).map(|m| m.as_str()),
        symbol: c.get(2).map(|m| m.as_str()),
        relative,
        steps: py_int(relative).unwrap_or(0),
    })
}

/// The errors `_parse_downgrade_target` raises from the target's text and
/// the current heads alone: a relative target without a symbol that goes
/// up (`+1`), or goes down from no current revision (`-1` on an empty
/// database). Alembic raises them before it first touches its revision map,
/// so the host checks them before it asks for the map: with a revision
/// directory that cannot be loaded, this is the error the user sees.
pub(crate) fn early_downgrade_error(target: &str, currents: &[String]) -> Option<RevisionError> {
    let m = match_relative(target)?;
    let fails =
        m.symbol.is_none() && (m.steps >= 0 || (m.branch_label.is_none() && currents.is_empty()));
    fails.then(|| {
        RevisionError::Other(format!(
            "Relative revision {} didn't produce {} migrations",
            m.relative,
            m.steps.unsigned_abs()
        ))
    })
}

/// Python's `int(str)`: surrounding whitespace, a sign, digits with single
/// underscores between them. Values beyond `i64` saturate; they only ever
/// mean "too far".
pub(crate) fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(10)? as i64;
        value = value.saturating_mul(10).saturating_add(d);
    }
    Some(if neg { -value } else { value })
}

fn resolution(message: String, argument: &str) -> RevisionError {
    RevisionError::Resolution {
        message,
        argument: argument.to_string(),
    }
}

impl RevisionMap {
    fn ids_of(&self, nodes: &[usize]) -> Vec<String> {
        nodes.iter().map(|&i| self.id(i).to_string()).collect()
    }

    /// `_resolve_revision_number`: symbolic names to revision ids, plus the
    /// branch label split off at the first `@`.
    pub fn resolve_revision_number(
        &self,
        id: &RevArg,
    ) -> Result<(Vec<String>, Option<String>), RevisionError> {
        let (branch_label, id): (Option<String>, RevArg) = match id {
            RevArg::Str(s) if s.contains('@') => {
                let (label, rest) = s.split_once('@').expect("contains @");
                (Some(label.to_string()), RevArg::Str(rest.to_string()))
            }
            other => (None, other.clone()),
        };
        let label = branch_label.as_deref();
        match &id {
            RevArg::Str(s) if s == "heads" => {
                if let Some(label) = label.filter(|l| !l.is_empty()) {
                    let heads =
                        self.filter_for_lineage(self.heads(), &RevArg::str(label), false)?;
                    Ok((self.ids_of(&heads), branch_label))
                } else {
                    Ok((self.ids_of(self.real_heads()), branch_label))
                }
            }
            RevArg::Str(s) if s == "head" => {
                let head = self.get_current_head(label)?;
                Ok((
                    head.map(|h| self.id(h).to_string()).into_iter().collect(),
                    branch_label,
                ))
            }
            RevArg::Str(s) if s == "base" => Ok((Vec::new(), branch_label)),
            RevArg::None => Ok((Vec::new(), branch_label)),
            RevArg::Str(s) => Ok((vec![s.clone()], branch_label)),
            RevArg::Tuple(t) => Ok((t.clone(), branch_label)),
        }
    }

    /// `get_current_head`: the single (versioned) head, optionally on a branch.
    pub fn get_current_head(
        &self,
        branch_label: Option<&str>,
    ) -> Result<Option<usize>, RevisionError> {
        let heads: Vec<usize> = match branch_label.filter(|l| !l.is_empty()) {
            Some(label) => self.filter_for_lineage(self.heads(), &RevArg::str(label), false)?,
            None => self.heads().to_vec(),
        };
        if heads.len() > 1 {
            return Err(RevisionError::MultipleHeads {
                heads: self.ids_of(&heads),
                argument: match branch_label.filter(|l| !l.is_empty()) {
                    Some(l) => format!("{l}@head"),
                    None => "head".to_string(),
                },
            });
        }
        Ok(heads.first().copied())
    }

    /// `get_revisions`: every revision an identifier (or several) denotes.
    pub fn get_revisions(&self, id: &RevArg) -> Result<Vec<Target>, RevisionError> {
        if let RevArg::Tuple(items) = id {
            let mut out = Vec::new();
            for item in items {
                out.extend(self.get_revisions(&RevArg::Str(item.clone()))?);
            }
            return Ok(out);
        }
        let (resolved, branch_label) = self.resolve_revision_number(id)?;
        let label = branch_label.as_deref();
        if resolved.len() == 1
            && let Some(n) = py_int(&resolved[0]).filter(|n| *n < 0)
        {
            // `label@-n`: walk down from the heads of that branch.
            let mut heads = Vec::new();
            for h in self.get_revisions(&RevArg::str("heads"))? {
                let Target::Rev(i) = h else { continue };
                if label.is_none_or(|l| self.nodes[i].branch_labels.contains(l)) {
                    heads.push(i);
                }
            }
            return heads
                .into_iter()
                .map(|h| self.walk(Target::Rev(h), n, None, true))
                .collect();
        }
        resolved
            .iter()
            .map(|r| {
                Ok(match self.revision_for_ident(Some(r), label)? {
                    Some(i) => Target::Rev(i),
                    None => Target::Null,
                })
            })
            .collect()
    }

    /// `get_revision`: exactly one revision (or none, for `base`).
    pub fn get_revision(&self, id: &RevArg) -> Result<Option<usize>, RevisionError> {
        let (resolved, branch_label) = self.resolve_revision_number(id)?;
        if resolved.len() > 1 {
            return Err(RevisionError::MultipleHeads {
                heads: resolved,
                argument: id.to_string(),
            });
        }
        self.revision_for_ident(
            resolved.first().map(String::as_str),
            branch_label.as_deref(),
        )
    }

    pub(crate) fn resolve_branch_rev(&self, branch_label: &str) -> Result<usize, RevisionError> {
        self.resolve_branch(branch_label)
    }

    fn resolve_branch(&self, branch_label: &str) -> Result<usize, RevisionError> {
        if let Some(i) = self.lookup(branch_label) {
            return Ok(i);
        }
        match self.revision_for_ident(Some(branch_label), None) {
            Ok(Some(i)) => Ok(i),
            Ok(None) => unreachable!("a string identifier never resolves to None"),
            Err(RevisionError::Resolution { .. }) => Err(resolution(
                format!("No such branch: '{branch_label}'"),
                branch_label,
            )),
            Err(e) => Err(e),
        }
    }

    /// `_revision_for_ident`: an exact key, else a unique prefix of a key
    /// longer than three characters; `None` stands for Alembic's `()` key.
    pub fn revision_for_ident(
        &self,
        resolved_id: Option<&str>,
        check_branch: Option<&str>,
    ) -> Result<Option<usize>, RevisionError> {
        let check_branch = check_branch.filter(|b| !b.is_empty());
        let branch_rev = match check_branch {
            Some(b) => Some(self.resolve_branch(b)?),
            None => None,
        };
        let Some(ident) = resolved_id else {
            return Ok(None);
        };
        let revision = match self.lookup(ident) {
            Some(i) => i,
            // Alembic: `assert resolved_id` before the partial lookup.
            None if ident.is_empty() => return Err(RevisionError::Crash("AssertionError".into())),
            None => {
                let mut revs: Vec<&str> = self
                    .keys
                    .keys()
                    .filter(|k| k.chars().count() > 3 && k.starts_with(ident))
                    .map(String::as_str)
                    .collect();
                if branch_rev.is_some() {
                    let branch = check_branch.expect("branch_rev implies check_branch");
                    let owned: Vec<String> = revs.iter().map(|r| r.to_string()).collect();
                    let kept = self.filter_ids_for_lineage(&owned, &RevArg::str(branch))?;
                    revs.retain(|r| kept.iter().any(|k| k == r));
                }
                match revs.as_slice() {
                    [] => {
                        let hint = if ident.chars().count() < 4 {
                            "; please ensure at least four characters are present for partial revision identifier matches"
                        } else {
                            ""
                        };
                        return Err(resolution(
                            format!("No such revision or branch '{ident}'{hint}"),
                            ident,
                        ));
                    }
                    [one] => self.lookup(one).expect("a key"),
                    many => {
                        let shown: Vec<String> =
                            many.iter().take(3).map(|r| format!("'{r}'")).collect();
                        return Err(resolution(
                            format!(
                                "Multiple revisions start with '{ident}': {}...",
                                shown.join(", ")
                            ),
                            ident,
                        ));
                    }
                }
            }
        };
        if let (Some(branch), Some(b)) = (check_branch, branch_rev)
            && !self.shares_lineage(revision, &[self.id(b).to_string()], false)?
        {
            return Err(resolution(
                format!(
                    "Revision {} is not a member of branch '{branch}'",
                    self.id(revision)
                ),
                ident,
            ));
        }
        Ok(Some(revision))
    }

    /// `filter_for_lineage` over revisions: those on the same line of
    /// descent as what `check_against` names.
    pub fn filter_for_lineage(
        &self,
        targets: &[usize],
        check_against: &RevArg,
        include_dependencies: bool,
    ) -> Result<Vec<usize>, RevisionError> {
        let shares = self.lineage_shares(check_against)?;
        let mut out = Vec::new();
        for &t in targets {
            if self.shares_lineage(t, &shares, include_dependencies)? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// `filter_for_lineage` over revision ids, which Alembic resolves only
    /// when there is something to compare with.
    pub fn filter_ids_for_lineage(
        &self,
        targets: &[String],
        check_against: &RevArg,
    ) -> Result<Vec<String>, RevisionError> {
        let shares = self.lineage_shares(check_against)?;
        if shares.is_empty() {
            return Ok(targets.to_vec());
        }
        let mut out = Vec::new();
        for t in targets {
            let node = self
                .revision_for_ident(Some(t), None)?
                .expect("a string identifier resolves to a revision");
            if self.shares_lineage(node, &shares, false)? {
                out.push(t.clone());
            }
        }
        Ok(out)
    }

    fn lineage_shares(&self, check_against: &RevArg) -> Result<Vec<String>, RevisionError> {
        let (ids, branch_label) = self.resolve_revision_number(check_against)?;
        let mut shares = Vec::new();
        if let Some(l) = branch_label.filter(|l| !l.is_empty()) {
            shares.push(l);
        }
        shares.extend(ids);
        Ok(shares)
    }

    /// `_shares_lineage`: is any of `test_against` an ancestor or descendant
    /// of `target` (or `target` itself)?
    pub(crate) fn shares_lineage(
        &self,
        target: usize,
        test_against: &[String],
        include_dependencies: bool,
    ) -> Result<bool, RevisionError> {
        if test_against.is_empty() {
            return Ok(true);
        }
        let mut tests = Vec::with_capacity(test_against.len());
        for t in test_against {
            if let Some(i) = self.revision_for_ident(Some(t), None)? {
                tests.push(i);
            }
        }
        let (down, up) = if include_dependencies {
            (Edges::NormalizedDown, Edges::AllNext)
        } else {
            (Edges::Down, Edges::Next)
        };
        Ok(self
            .iterate_related(up, &[target])
            .into_iter()
            .chain(self.iterate_related(down, &[target]))
            .any(|n| tests.contains(&n)))
    }

    /// `_walk`: `steps` up (positive) or down (negative) from `start`;
    /// `Target::Null` as a start means "below the bases" going up and "the
    /// heads" going down. Overwalking gives `Null` when `no_overwalk`.
    pub(crate) fn walk(
        &self,
        start: Target,
        steps: i64,
        branch_label: Option<&str>,
        no_overwalk: bool,
    ) -> Result<Target, RevisionError> {
        let mut initial = start;
        for _ in 0..steps.unsigned_abs() {
            let children: Vec<Target> = if steps > 0 {
                let from = match initial {
                    Target::Null => self.ids_of(self.bases()),
                    Target::Rev(i) => self.ids_of(&self.nodes[i].nextrev),
                    Target::Base => {
                        return Err(RevisionError::Other("Walked too far".into()));
                    }
                };
                let walk_up = self.get_revisions(&RevArg::Tuple(from))?;
                match branch_label.filter(|l| !l.is_empty()) {
                    Some(label) => {
                        let revs: Vec<usize> = walk_up.iter().filter_map(|t| t.rev()).collect();
                        self.filter_for_lineage(&revs, &RevArg::str(label), false)?
                            .into_iter()
                            .map(Target::Rev)
                            .collect()
                    }
                    None => walk_up,
                }
            } else {
                match initial {
                    Target::Base => Vec::new(),
                    Target::Null => {
                        self.get_revisions(&RevArg::Tuple(self.ids_of(self.heads())))?
                    }
                    Target::Rev(i) => {
                        let down = RevArg::from_ids(&self.nodes[i].rev.down_revision);
                        let c = self.get_revisions(&down)?;
                        if c.is_empty() { vec![Target::Base] } else { c }
                    }
                }
            };
            match children.as_slice() {
                [] => return Ok(if no_overwalk { Target::Null } else { initial }),
                [one] => initial = *one,
                _ => return Err(RevisionError::Other("Ambiguous walk".into())),
            }
        }
        Ok(initial)
    }

    fn get_revision_on_branch(
        &self,
        symbol: &str,
        branch_label: Option<&str>,
    ) -> Result<Target, RevisionError> {
        let id = match branch_label {
            None => RevArg::str(symbol),
            Some(l) => RevArg::Str(format!("{l}@{symbol}")),
        };
        Ok(match self.get_revision(&id)? {
            Some(i) => Target::Rev(i),
            None => Target::Null,
        })
    }

    /// `_parse_downgrade_target`: `(branch_label, target)`; `Null` means base.
    pub(crate) fn parse_downgrade_target(
        &self,
        current: &RevArg,
        target: &RevArg,
        assert_relative_length: bool,
    ) -> Result<(Option<String>, Target), RevisionError> {
        let target = match target {
            RevArg::None => return Ok((None, Target::Null)),
            RevArg::Str(s) => s.as_str(),
            RevArg::Tuple(_) => {
                return Err(RevisionError::Other(
                    "Expected downgrade target in string form".into(),
                ));
            }
        };
        if let Some(e) = early_downgrade_error(target, &current_ids(current)) {
            return Err(e);
        }
        if let Some(m) = match_relative(target) {
            let mut branch_label = m.branch_label.map(str::to_string);
            if m.steps >= 0 {
                let symbol = m.symbol.expect("early_downgrade_error: a symbol");
                let start = self.get_revision_on_branch(symbol, None)?;
                let rev = self.walk(
                    start,
                    m.steps,
                    branch_label.as_deref(),
                    assert_relative_length,
                )?;
                if rev == Target::Null {
                    return Err(RevisionError::Other("Walked too far".into()));
                }
                return Ok((branch_label, rev));
            }
            let relative_revision = m.symbol.is_none();
            let symbol: String = match m.symbol {
                Some(s) => s.to_string(),
                None => {
                    let currents = current_ids(current);
                    if branch_label.is_some() && *current == RevArg::None {
                        return Err(RevisionError::Crash(
                            "TypeError: 'NoneType' object is not iterable".into(),
                        ));
                    }
                    if let Some(label) = branch_label.as_deref() {
                        let mut list =
                            self.filter_ids_for_lineage(&currents, &RevArg::str(label))?;
                        if list.is_empty() {
                            let all_current = self.get_all_current(&currents)?;
                            let filtered =
                                self.filter_for_lineage(&all_current, &RevArg::str(label), false)?;
                            list = self.ids_of(&filtered);
                        }
                        if list.len() != 1 {
                            return Err(RevisionError::Crash("AssertionError".into()));
                        }
                        list.remove(0)
                    } else {
                        let first = currents
                            .first()
                            .expect("early_downgrade_error: a current revision");
                        // Duplicate rows count once (Alembic: `len(set(...))`).
                        if currents.iter().any(|c| c != first) {
                            super::warn(
                                "downgrade -1 from multiple heads is ambiguous; \
                                 this usage will be disallowed in a future release."
                                    .into(),
                            );
                        }
                        let first = first.clone();
                        branch_label = Some(first.clone());
                        first
                    }
                }
            };
            let start = self.get_revision_on_branch(&symbol, branch_label.as_deref())?;
            let rev = self.walk(start, m.steps, None, assert_relative_length)?;
            if rev == Target::Null {
                return Err(RevisionError::Other(if relative_revision {
                    format!(
                        "Relative revision {} didn't produce {} migrations",
                        m.relative,
                        m.steps.unsigned_abs()
                    )
                } else {
                    "Walked too far".into()
                }));
            }
            return Ok((branch_label, rev));
        }
        let (label, symbol) = match target.rfind('@') {
            Some(p) => (&target[..p], &target[p + 1..]),
            None => ("", target),
        };
        let branch_label = (!label.is_empty()).then(|| label.to_string());
        let rev = match self.get_revision(&RevArg::str(symbol))? {
            Some(i) => Target::Rev(i),
            None => Target::Null,
        };
        Ok((branch_label, rev))
    }

    /// `_parse_upgrade_target`: the revisions an upgrade aims at.
    pub(crate) fn parse_upgrade_target(
        &self,
        current: &RevArg,
        target: &RevArg,
        assert_relative_length: bool,
    ) -> Result<Vec<Target>, RevisionError> {
        let m = match target {
            RevArg::Str(s) => match_relative(s),
            _ => None,
        };
        let Some(m) = m else {
            return self.get_revisions(target);
        };
        let label = m.branch_label;
        if m.steps > 0 {
            let Some(symbol) = m.symbol else {
                let currents = current_ids(current);
                // Alembic walks from the *strings* of the database state, so an
                // unlabelled start resolves like any identifier (even "base").
                let start_revs: Vec<Target> = match label {
                    None if currents.is_empty() => vec![Target::Null],
                    None if currents.len() > 1 => currents.iter().map(|_| Target::Null).collect(),
                    None => vec![
                        match self.get_revision(&RevArg::str(currents[0].clone()))? {
                            Some(i) => Target::Rev(i),
                            None => Target::Null,
                        },
                    ],
                    Some(label) => {
                        let revs: Vec<usize> = if currents.is_empty() {
                            Vec::new()
                        } else {
                            self.get_revisions(&RevArg::Tuple(currents.clone()))?
                                .iter()
                                .filter_map(|t| t.rev())
                                .collect()
                        };
                        let on_branch =
                            self.filter_for_lineage(&revs, &RevArg::str(label), false)?;
                        if !on_branch.is_empty() {
                            on_branch.into_iter().map(Target::Rev).collect()
                        } else {
                            // Not on that branch yet: start from the tips of
                            // what is applied on it, or from base.
                            let ancestors = self.iterate_related(Edges::NormalizedDown, &revs);
                            let active =
                                self.filter_for_lineage(&ancestors, &RevArg::str(label), false)?;
                            let mut below = std::collections::HashSet::new();
                            for &a in &active {
                                below.extend(self.nodes[a].normalized_down());
                            }
                            let tips: Vec<Target> = active
                                .into_iter()
                                .filter(|a| !below.contains(a))
                                .map(Target::Rev)
                                .collect();
                            if tips.is_empty() {
                                vec![Target::Null]
                            } else {
                                tips
                            }
                        }
                    }
                };
                if start_revs.len() > 1 {
                    return Err(RevisionError::Other(
                        "Ambiguous upgrade from multiple current revisions".into(),
                    ));
                }
                let rev = self.walk(start_revs[0], m.steps, label, assert_relative_length)?;
                if rev == Target::Null {
                    return Err(RevisionError::Other(format!(
                        "Relative revision {} didn't produce {} migrations",
                        m.relative,
                        m.steps.unsigned_abs()
                    )));
                }
                return Ok(vec![rev]);
            };
            let start = self.get_revision_on_branch(symbol, None)?;
            return Ok(vec![self.walk(
                start,
                m.steps,
                label,
                assert_relative_length,
            )?]);
        }
        let Some(symbol) = m.symbol else {
            return Err(RevisionError::Other(format!(
                "Relative revision {} didn't produce {} migrations",
                m.steps,
                m.steps.unsigned_abs()
            )));
        };
        let start = self.get_revision_on_branch(symbol, label)?;
        Ok(vec![self.walk(
            start,
            m.steps,
            None,
            assert_relative_length,
        )?])
    }

    /// `_get_all_current`: the database's heads expanded through
    /// `depends_on`, reduced to the tips of each branch.
    pub fn get_all_current(&self, ids: &[String]) -> Result<Vec<usize>, RevisionError> {
        let top: Vec<usize> = self
            .get_revisions(&RevArg::Tuple(ids.to_vec()))?
            .into_iter()
            .filter_map(Target::rev)
            .collect();
        let mut in_set = vec![false; self.nodes.len()];
        let mut all = Vec::with_capacity(top.len());
        for a in top
            .iter()
            .copied()
            .chain(self.iterate_related(Edges::NormalizedDown, &top))
        {
            if !std::mem::replace(&mut in_set[a], true) {
                all.push(a);
            }
        }
        // Alembic asks, per member, whether any of its descendants is a
        // member too; that is quadratic on a long history (`current` at
        // 10,000 revisions). One memoised walk answers it for every node.
        let below = self.has_member_below(&in_set);
        Ok(all.into_iter().filter(|&r| !below[r]).collect())
    }

    /// For each node, whether a proper descendant (through `nextrev`) is
    /// marked in `members`. Computed bottom-up with an explicit stack, so
    /// a 10,000-revision chain neither recurses nor revisits.
    fn has_member_below(&self, members: &[bool]) -> Vec<bool> {
        const UNKNOWN: u8 = 0;
        const VISITING: u8 = 1;
        const DONE: u8 = 2;
        let n = self.nodes.len();
        let mut state = vec![UNKNOWN; n];
        let mut below = vec![false; n];
        for root in 0..n {
            if state[root] != UNKNOWN {
                continue;
            }
            let mut stack = vec![root];
            while let Some(&r) = stack.last() {
                match state[r] {
                    UNKNOWN => {
                        state[r] = VISITING;
                        for &c in &self.nodes[r].nextrev {
                            if state[c] == UNKNOWN {
                                stack.push(c);
                            }
                        }
                    }
                    VISITING => {
                        below[r] = self.nodes[r]
                            .nextrev
                            .iter()
                            .any(|&c| c != r && (members[c] || below[c]));
                        state[r] = DONE;
                        stack.pop();
                    }
                    _ => {
                        stack.pop();
                    }
                }
            }
        }
        below
    }
}

fn current_ids(current: &RevArg) -> Vec<String> {
    match current {
        RevArg::None => Vec::new(),
        RevArg::Str(s) => vec![s.clone()],
        RevArg::Tuple(t) => t.clone(),
    }
}
