/*-------------------------------------------------------------------------
 *
 * graph.c
 *	  Ordering: a directed graph over numbered nodes, sorted topologically
 *	  with Kahn's algorithm.  Among nodes that are ready at the same time
 *	  the lowest number goes first, so callers that number their nodes in
 *	  a stable order get a stable plan.  A cycle is reported as the list
 *	  of nodes along it.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/graph.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/binaryheap.h"

#include "pgmg.h"

struct PgmgGraph
{
	int			nnodes;
	List	  **succ;			/* per node: int list of successors */
	List	  **pred;			/* per node: int list of predecessors */
};

static int	compare_ints(Datum a, Datum b, void *arg);

/*
 * pgmg_graph_create
 *		An empty graph of nnodes nodes, in CurrentMemoryContext.
 */
PgmgGraph *
pgmg_graph_create(int nnodes)
{
	PgmgGraph  *g = palloc(sizeof(PgmgGraph));

	g->nnodes = nnodes;
	g->succ = palloc0(sizeof(List *) * Max(nnodes, 1));
	g->pred = palloc0(sizeof(List *) * Max(nnodes, 1));
	return g;
}

/*
 * pgmg_graph_add_edge
 *		"before" must come before "after".  Self edges are ignored;
 *		duplicates are harmless.
 */
void
pgmg_graph_add_edge(PgmgGraph *graph, int before, int after)
{
	if (before == after)
		return;
	graph->succ[before] = lappend_int(graph->succ[before], after);
	graph->pred[after] = lappend_int(graph->pred[after], before);
}

/*
 * pgmg_graph_predecessors
 *		The nodes that must come before node (int list; may repeat).
 */
List *
pgmg_graph_predecessors(PgmgGraph *graph, int node)
{
	return graph->pred[node];
}

/* min-heap on node numbers */
static int
compare_ints(Datum a, Datum b, void *arg)
{
	int			x = DatumGetInt32(a);
	int			y = DatumGetInt32(b);

	return (x < y) ? 1 : (x > y) ? -1 : 0;
}

/*
 * pgmg_graph_sort
 *		Topological order of all nodes, as a palloc'd array of node numbers.
 *
 * Returns NULL when the graph has a cycle, and sets *cycle to the nodes of
 * one cycle (int list, in edge order, first node repeated at the end).
 */
int *
pgmg_graph_sort(PgmgGraph *graph, List **cycle)
{
	int			n = graph->nnodes;
	int		   *indegree = palloc0(sizeof(int) * Max(n, 1));
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	int			done = 0;
	binaryheap *ready = binaryheap_allocate(Max(n, 1), compare_ints, NULL);
	int			i;
	ListCell   *lc;

	*cycle = NIL;
	for (i = 0; i < n; i++)
		foreach(lc, graph->succ[i])
			indegree[lfirst_int(lc)]++;
	for (i = 0; i < n; i++)
		if (indegree[i] == 0)
			binaryheap_add_unordered(ready, Int32GetDatum(i));
	binaryheap_build(ready);

	while (!binaryheap_empty(ready))
	{
		int			node = DatumGetInt32(binaryheap_remove_first(ready));

		order[done++] = node;
		foreach(lc, graph->succ[node])
		{
			int			next = lfirst_int(lc);

			if (--indegree[next] == 0)
				binaryheap_add(ready, Int32GetDatum(next));
		}
	}

	if (done == n)
		return order;

	/*
	 * Every node left has a predecessor that is also left.  Walk from one of
	 * them to a remaining predecessor, again and again, until a node
	 * repeats.  The walk runs against the edges, so the cycle is the walk
	 * from the repeated node on, reversed.
	 */
	{
		int		   *pos = palloc(sizeof(int) * n);
		int		   *walk = palloc(sizeof(int) * (n + 1));
		int			len = 0;
		int			node = -1;

		for (i = 0; i < n; i++)
		{
			pos[i] = -1;
			if (node < 0 && indegree[i] > 0)
				node = i;
		}
		while (pos[node] < 0)
		{
			pos[node] = len;
			walk[len++] = node;
			foreach(lc, graph->pred[node])
			{
				if (indegree[lfirst_int(lc)] > 0)
				{
					node = lfirst_int(lc);
					break;
				}
			}
		}
		for (i = len - 1; i >= pos[node]; i--)
			*cycle = lappend_int(*cycle, walk[i]);
		*cycle = lappend_int(*cycle, walk[len - 1]);
	}
	return NULL;
}
