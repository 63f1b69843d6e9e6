//! In-memory planning on the reference project `aproj` (see
//! `alembic-features.md` §0), checked against the captured Alembic runs.

use crate::revision::{RevArg, Revision, RevisionError, RevisionMap, Target};

fn rev(id: &str, down: &[&str], deps: &[&str], labels: &[&str]) -> Revision {
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
    Revision {
        revision: id.into(),
        down_revision: v(down),
        dependencies: v(deps),
        branch_labels: v(labels),
    }
}

/// aproj after the merge and the `depends_on` revision, in file-name order.
fn aproj() -> RevisionMap {
    RevisionMap::new(vec![
        rev("109ec7d132bf", &["3cac04ae8714"], &[], &[]),
        rev("1975ea83b712", &[], &[], &[]),
        rev("27c6a30d7c24", &["1975ea83b712"], &[], &[]),
        rev("3cac04ae8714", &[], &[], &["networking"]),
        rev("53fffde5ad5", &["ae1027a6acf", "27c6a30d7c24"], &[], &[]),
        rev("9c5a1b2d3e4f", &["109ec7d132bf"], &["53fffde5ad5"], &[]),
        rev("ae1027a6acf", &["1975ea83b712"], &[], &[]),
    ])
    .unwrap()
}

fn ids(m: &RevisionMap, nodes: &[usize]) -> Vec<String> {
    nodes.iter().map(|&n| m.id(n).to_string()).collect()
}

fn targets(m: &RevisionMap, t: &[Target]) -> Vec<String> {
    t.iter()
        .map(|t| match t {
            Target::Rev(n) => m.id(*n).to_string(),
            Target::Base => "base".into(),
            Target::Null => "None".into(),
        })
        .collect()
}

#[test]
fn heads_and_effective_heads() {
    let m = aproj();
    assert_eq!(ids(&m, m.heads()), ["53fffde5ad5", "9c5a1b2d3e4f"]);
    assert_eq!(ids(&m, m.real_heads()), ["9c5a1b2d3e4f"]);
    assert_eq!(ids(&m, m.bases()), ["1975ea83b712", "3cac04ae8714"]);
}

#[test]
fn labels_spread_along_the_branch() {
    let m = aproj();
    let n = m.lookup("109ec7d132bf").unwrap();
    assert!(m.node(n).branch_labels.contains("networking"));
    let n = m.lookup("1975ea83b712").unwrap();
    assert!(m.node(n).branch_labels.is_empty());
}

#[test]
fn identifiers_resolve_like_alembic() {
    let m = aproj();
    let get = |s: &str| m.get_revisions(&RevArg::str(s)).map(|t| targets(&m, &t));
    assert_eq!(get("netw").unwrap(), ["3cac04ae8714"]);
    assert_eq!(get("19").unwrap(), ["1975ea83b712"]);
    assert_eq!(get("networking@head").unwrap(), ["9c5a1b2d3e4f"]);
    assert_eq!(get("base").unwrap(), Vec::<String>::new());
    assert_eq!(get("heads").unwrap(), ["9c5a1b2d3e4f"]);
    assert!(matches!(
        get("head"),
        Ok(_) | Err(RevisionError::MultipleHeads { .. })
    ));
    match get("1") {
        Err(RevisionError::Resolution { message, argument }) => {
            assert_eq!(argument, "1");
            assert_eq!(
                message,
                "Multiple revisions start with '1': '109ec7d132bf', '1975ea83b712'..."
            );
        }
        other => panic!("{other:?}"),
    }
    match get("networking@1975ea83b712") {
        Err(RevisionError::Resolution { message, .. }) => {
            assert_eq!(
                message,
                "Revision 1975ea83b712 is not a member of branch 'networking'"
            )
        }
        other => panic!("{other:?}"),
    }
    match get("nosuch@3cac") {
        Err(RevisionError::Resolution { message, .. }) => {
            assert_eq!(message, "No such branch: 'nosuch'")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn upgrade_from_empty_runs_everything_once_in_dependency_order() {
    let m = aproj();
    let plan = ids(&m, &m.upgrade_plan("heads", &[]).unwrap());
    assert_eq!(plan.len(), 7);
    let pos = |r: &str| plan.iter().position(|p| p == r).unwrap();
    assert!(pos("53fffde5ad5") < pos("9c5a1b2d3e4f"));
    assert!(pos("1975ea83b712") < pos("ae1027a6acf"));
}

#[test]
fn downgrade_of_the_accounts_line_takes_the_dependent_first() {
    let m = aproj();
    let plan = ids(
        &m,
        &m.downgrade_plan("1975ea83b712", &["9c5a1b2d3e4f".into()])
            .unwrap(),
    );
    assert_eq!(plan[0], "9c5a1b2d3e4f");
    assert!(plan.contains(&"53fffde5ad5".to_string()));
    assert!(!plan.contains(&"1975ea83b712".to_string()));
}

#[test]
fn relative_targets() {
    let lin = RevisionMap::new(vec![
        rev("aaaa1111", &[], &[], &[]),
        rev("bbbb2222", &["aaaa1111"], &[], &[]),
        rev("cccc3333", &["bbbb2222"], &[], &[]),
        rev("dddd4444", &["cccc3333"], &[], &[]),
    ])
    .unwrap();
    assert_eq!(
        ids(&lin, &lin.upgrade_plan("+2", &["aaaa1111".into()]).unwrap()),
        ["bbbb2222", "cccc3333"]
    );
    assert_eq!(
        ids(
            &lin,
            &lin.downgrade_plan("-1", &["dddd4444".into()]).unwrap()
        ),
        ["dddd4444"]
    );
    match lin.upgrade_plan("+9", &["aaaa1111".into()]) {
        Err(RevisionError::Other(m)) => {
            assert_eq!(m, "Relative revision +9 didn't produce 9 migrations")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ids(&lin, &lin.upgrade_plan("base+3", &[]).unwrap()),
        ["aaaa1111", "bbbb2222", "cccc3333"]
    );
}

#[test]
fn broken_graphs_are_reported() {
    use crate::revision::MapError;
    let cyc = RevisionMap::new(vec![
        rev("a1", &["b1"], &[], &[]),
        rev("b1", &["a1"], &[], &[]),
    ]);
    assert!(matches!(cyc, Err(MapError::Cycle { .. })));
    let missing = RevisionMap::new(vec![rev("a1", &["zz"], &[], &[])]).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "Revision zz referenced from a1 is not present"
    );
    let selfloop = RevisionMap::new(vec![rev("aa11", &["aa11"], &[], &[])]).unwrap_err();
    assert_eq!(
        selfloop.to_string(),
        "Self-loop is detected in revisions (aa11)"
    );
}

#[test]
fn stamp_steps_follow_alembic() {
    let m = aproj();
    let id = |s: &str| m.lookup(s).unwrap();
    // New branch from an empty table.
    let steps = m.stamp_plan(&["ae1027a6acf".into()], &[]).unwrap();
    assert_eq!(steps.len(), 1);
    assert!(steps[0].is_upgrade && steps[0].branch_move && steps[0].to == Some(id("ae1027a6acf")));
    // Along the lineage: one update, even across the merge.
    let steps = m
        .stamp_plan(&["53fffde5ad5".into()], &["ae1027a6acf".into()])
        .unwrap();
    assert_eq!(steps[0].from, vec![id("ae1027a6acf")]);
    assert!(steps[0].is_upgrade && !steps[0].branch_move);
    // Back to base deletes the row.
    let steps = m
        .stamp_plan(&["base".into()], &["ae1027a6acf".into()])
        .unwrap();
    assert_eq!(steps[0].to, None);
    // Already there: nothing to do.
    assert!(
        m.stamp_plan(&["ae1027a6acf".into()], &["ae1027a6acf".into()])
            .unwrap()
            .is_empty()
    );
}

/// `downgrade alpha@-1` on an empty version table: Alembic's planner gets
/// `()` for the heads and fails its `assert len(symbol_list) == 1` (found
/// by scripts/fuzz-env.py; alembic-rs said `TypeError`, the crash of `None`).
#[test]
fn branch_relative_downgrade_from_no_heads_is_the_assertion() {
    let m = RevisionMap::new(vec![
        rev("aaaa1111", &[], &[], &[]),
        rev("bbbb2222", &["aaaa1111"], &[], &["alpha"]),
    ])
    .unwrap();
    match m.downgrade_plan("alpha@-1", &[]) {
        Err(RevisionError::Crash(m)) => assert_eq!(m, "AssertionError"),
        other => panic!("{other:?}"),
    }
}

/// `depends_on = ""` names nothing (invenio-accounts' 037afe10e9ff), but
/// Alembic keeps the empty string, so a base revision carrying it is not a
/// "real" base (`dependencies is None` fails) and the map reports a
/// dependency cycle over it and its descendants.
#[test]
fn empty_depends_on_names_nothing_but_unmakes_a_real_base() {
    use crate::revision::MapError;
    let m = RevisionMap::new(vec![
        rev("a1", &[], &[], &[]),
        rev("b1", &["a1"], &[""], &[]),
    ])
    .unwrap();
    assert_eq!(ids(&m, m.real_bases()), ["a1"]);
    let root = RevisionMap::new(vec![
        rev("a1", &[], &[""], &[]),
        rev("b1", &["a1"], &[], &[]),
        rev("c1", &[], &[], &["other"]),
    ])
    .unwrap_err();
    assert_eq!(
        root.to_string(),
        "Dependency cycle is detected in revisions (a1, b1)"
    );
    assert!(matches!(root, MapError::Cycle { .. }));
}
