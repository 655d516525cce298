import fs from 'node:fs';

/**
 * node dist/bench/heap-compare.js <early.heapsnapshot> <late.heapsnapshot> [rows]
 *
 * Compares two V8 heap snapshots of one process (the soak takes them with SOAK_HEAP_SNAPSHOTS): per
 * constructor, the objects' count, their own (shallow) size and their retained size, early and
 * late, sorted by how much the retained size grew. A leak shows as a constructor whose count and
 * retained size keep growing; warm-up as growth that stops.
 *
 * Retained sizes come from the dominator tree (Cooper, Harvey and Kennedy's iterative algorithm,
 * over the snapshot's strong edges, from its root). A constructor's retained size sums its objects
 * whose immediate dominator is of another constructor, so a chain of one class (a linked list, a
 * map's nested tables) is not counted once per link.
 */

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  count: number;
  selfSize: number;
  retainedSize: number;
}

export function summarise(file: string): { total: number; groups: Map<string, Group> } {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const { meta } = data.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const typeOf = meta.node_fields.indexOf('type');
  const nameOf = meta.node_fields.indexOf('name');
  const selfOf = meta.node_fields.indexOf('self_size');
  const edgeCountOf = meta.node_fields.indexOf('edge_count');
  const edgeTypeOf = meta.edge_fields.indexOf('type');
  const edgeToOf = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const weak = meta.edge_types[0].indexOf('weak');
  const n = data.nodes.length / nodeFields;

  // Strong successors (CSR) and predecessors.
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i += 1) {
    firstEdge[i] = e;
    e += data.nodes[i * nodeFields + edgeCountOf]! * edgeFields;
    firstEdge[i + 1] = e;
  }
  const predCount = new Uint32Array(n + 1);
  for (let i = 0; i < n; i += 1) {
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += edgeFields) {
      if (data.edges[e + edgeTypeOf] === weak) continue;
      const to = data.edges[e + edgeToOf]! / nodeFields + 1;
      predCount[to] = predCount[to]! + 1;
    }
  }
  for (let i = 0; i < n; i += 1) predCount[i + 1] = predCount[i + 1]! + predCount[i]!;
  const preds = new Uint32Array(predCount[n]!);
  const fill = predCount.slice(0, n);
  for (let i = 0; i < n; i += 1) {
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += edgeFields) {
      if (data.edges[e + edgeTypeOf] === weak) continue;
      preds[fill[data.edges[e + edgeToOf]! / nodeFields]!++] = i;
    }
  }

  // Postorder from the root (node 0), iteratively.
  const order = new Int32Array(n).fill(-1); // postorder number
  const postorder = new Uint32Array(n);
  let visited = 0;
  const seen = new Uint8Array(n);
  const stack = new Uint32Array(n);
  const cursor = new Uint32Array(n);
  let top = 0;
  stack[top++] = 0;
  seen[0] = 1;
  cursor[0] = firstEdge[0]!;
  while (top > 0) {
    const node = stack[top - 1]!;
    let pushed = false;
    while (cursor[node]! < firstEdge[node + 1]!) {
      const e = cursor[node]!;
      cursor[node] = e + edgeFields;
      if (data.edges[e + edgeTypeOf] === weak) continue;
      const to = data.edges[e + edgeToOf]! / nodeFields;
      if (seen[to]) continue;
      seen[to] = 1;
      cursor[to] = firstEdge[to]!;
      stack[top++] = to;
      pushed = true;
      break;
    }
    if (!pushed) {
      top -= 1;
      order[node] = visited;
      postorder[visited++] = node;
    }
  }

  // Immediate dominators.
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = visited - 2; k >= 0; k -= 1) {
      const node = postorder[k]!;
      let dom = -1;
      for (let p = predCount[node]!; p < predCount[node + 1]!; p += 1) {
        const pred = preds[p]!;
        if (idom[pred] === -1 || order[pred] === -1) continue;
        dom = dom === -1 ? pred : intersect(pred, dom);
      }
      if (dom !== -1 && idom[node] !== dom) {
        idom[node] = dom;
        changed = true;
      }
    }
  }

  const retained = new Float64Array(n);
  for (let i = 0; i < n; i += 1) retained[i] = data.nodes[i * nodeFields + selfOf]!;
  for (let k = 0; k < visited - 1; k += 1) {
    const node = postorder[k]!;
    const dominator = idom[node]!;
    retained[dominator] = retained[dominator]! + retained[node]!;
  }

  const keyOf = (i: number): string => {
    const type = nodeTypes[data.nodes[i * nodeFields + typeOf]!]!;
    const name = data.strings[data.nodes[i * nodeFields + nameOf]!] ?? '';
    if (type === 'object' || type === 'closure' || type === 'native') return `${type === 'object' ? '' : `${type} `}${name.slice(0, 60)}`;
    return `(${type})`;
  };
  const keys: string[] = new Array<string>(n);
  for (let i = 0; i < n; i += 1) keys[i] = keyOf(i);
  const groups = new Map<string, Group>();
  let total = 0;
  for (let i = 1; i < n; i += 1) {
    if (order[i] === -1) continue; // unreachable: what the next GC frees
    const self = data.nodes[i * nodeFields + selfOf]!;
    total += self;
    const group = groups.get(keys[i]!) ?? { count: 0, selfSize: 0, retainedSize: 0 };
    group.count += 1;
    group.selfSize += self;
    if (keys[idom[i]!] !== keys[i]) group.retainedSize += retained[i]!;
    groups.set(keys[i]!, group);
  }
  return { total, groups };
}

function main(): void {
  const [early, late, rowsArg] = process.argv.slice(2);
  if (!early || !late) {
    process.stderr.write('usage: node dist/bench/heap-compare.js <early.heapsnapshot> <late.heapsnapshot> [rows]\n');
    process.exitCode = 2;
    return;
  }
  const a = summarise(early);
  const b = summarise(late);
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
  process.stdout.write(`live heap: ${kb(a.total)} -> ${kb(b.total)} (${(((b.total - a.total) / a.total) * 100).toFixed(1)} %)\n`);
  const names = new Set([...a.groups.keys(), ...b.groups.keys()]);
  const rows = [...names].map((name) => {
    const x = a.groups.get(name) ?? { count: 0, selfSize: 0, retainedSize: 0 };
    const y = b.groups.get(name) ?? { count: 0, selfSize: 0, retainedSize: 0 };
    return { name, x, y, grew: y.retainedSize - x.retainedSize };
  });
  rows.sort((p, q) => q.grew - p.grew);
  process.stdout.write('constructor | count early -> late | shallow early -> late | retained early -> late (growth)\n');
  for (const row of rows.slice(0, Number(rowsArg ?? 25))) {
    process.stdout.write(
      `${row.name} | ${row.x.count} -> ${row.y.count} | ${kb(row.x.selfSize)} -> ${kb(row.y.selfSize)} | ${kb(row.x.retainedSize)} -> ${kb(row.y.retainedSize)} (${row.grew >= 0 ? '+' : ''}${kb(row.grew)})\n`,
    );
  }
}

if (require.main === module) main();
