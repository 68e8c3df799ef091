//! Cycles in the `overrides` graph, found without recursion and in time linear
//! in the rules and links, so that a guideline of 100,000 rules in one long
//! chain of precedence is checked as fast as a short one.

/// For each of `n` nodes, whether it lies on a cycle of two nodes or more of
/// the graph whose edges `edges(v)` gives: the nodes of the strongly connected
/// components with more than one node (Tarjan's algorithm, iterative).
pub(super) fn in_cycles<I>(n: usize, edges: impl Fn(usize) -> I) -> Vec<bool>
where
    I: Iterator<Item = usize>,
{
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut in_cycle = vec![false; n];
    let mut next_index = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // Each node being visited, with the edges it has left to follow.
        let mut walk = vec![(root, edges(root))];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((v, rest)) = walk.last_mut() {
            let v = *v;
            if let Some(w) = rest.next() {
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    walk.push((w, edges(w)));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            walk.pop();
            if let Some((parent, _)) = walk.last() {
                low[*parent] = low[*parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.into_iter().for_each(|w| in_cycle[w] = true);
                }
            }
        }
    }
    in_cycle
}

#[cfg(test)]
mod tests {
    use super::in_cycles;

    fn cycles(n: usize, links: &[(usize, usize)]) -> Vec<usize> {
        let found = in_cycles(n, |v| links.iter().filter(move |(a, _)| *a == v).map(|(_, b)| *b));
        (0..n).filter(|&v| found[v]).collect()
    }

    #[test]
    fn finds_the_nodes_on_cycles_and_only_them() {
        assert_eq!(cycles(3, &[(0, 1), (1, 2)]), Vec::<usize>::new());
        assert_eq!(cycles(3, &[(0, 1), (1, 0), (1, 2)]), [0, 1]);
        assert_eq!(
            cycles(5, &[(0, 1), (1, 2), (2, 0), (3, 4), (4, 3), (2, 3)]),
            [0, 1, 2, 3, 4]
        );
        // A node pointing into a cycle is not on it.
        assert_eq!(cycles(4, &[(3, 0), (0, 1), (1, 0)]), [0, 1]);
        // A self-loop alone is not a cycle of two nodes or more.
        assert_eq!(cycles(2, &[(0, 0), (0, 1)]), Vec::<usize>::new());
    }

    #[test]
    fn a_chain_of_a_million_costs_no_recursion() {
        let n = 1_000_000;
        let found = in_cycles(n, |v| (v + 1 < n).then_some(v + 1).into_iter());
        assert!(found.iter().all(|c| !c));
        let found = in_cycles(n, |v| std::iter::once((v + 1) % n));
        assert!(found.iter().all(|c| *c));
    }
}
