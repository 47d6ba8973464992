#!/usr/bin/env python3
"""The code's shape, checked (issue 22); run by `make lint`.

1. No import cycle between the files of `relay/src`: every `crate::a::b`
   or `super::x` a file names is an arrow to the file that defines it.
2. No stream, consumer, bucket or JetStream API name spelled outside
   `relay/src/topology.rs`.
3. No `Result<_, String>` in non-test code.

Prints what it finds and exits 1; prints a one-line summary and exits 0
when the tree is clean. Test code (`#[cfg(test)] mod tests` at the bottom
of a file, `tests/`, `benches/`) is not checked for 2 and 3.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELAY = ROOT / "relay" / "src"
TOPOLOGY = RELAY / "topology.rs"


def module_of(path: Path) -> tuple:
    """`relay/src/router/mod.rs` -> ('router',); lib.rs -> ()."""
    parts = list(path.relative_to(RELAY).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments_and_tests(text: str) -> str:
    """The code without `//` comments and without the test module at the end."""
    cut = re.search(r"^#\[cfg\(test\)\]\s*\n(\s*#\[[^\n]*\n)*\s*mod \w+", text, re.M)
    if cut:
        text = text[: cut.start()]
    return re.sub(r"//[^\n]*", "", text)


def production_code(text: str) -> str:
    return strip_comments_and_tests(text)


def import_graph() -> dict:
    files = sorted(RELAY.rglob("*.rs"))
    modules = {module_of(f): f for f in files}
    graph = {f: set() for f in files}

    def resolve(path: tuple):
        """The file defining the longest prefix of `path` (an item inside a
        module resolves to the module's file)."""
        for n in range(len(path), 0, -1):
            if path[:n] in modules:
                return modules[path[:n]]
        return None

    for f in files:
        me = module_of(f)
        code = strip_comments_and_tests(f.read_text())
        # `use crate::{a, b::c}` groups: expand one level.
        for group in re.finditer(r"\bcrate::\{([^}]*)\}", code):
            for item in group.group(1).split(","):
                name = item.strip().split("::")[0].split(" ")[0]
                if name and name[0].islower() and name != "self":
                    target = resolve((name,))
                    if target and target != f:
                        graph[f].add(target)
                elif name in ("Error", "Result"):
                    graph[f].add(modules[("error",)])
        for m in re.finditer(r"\bcrate((?:::[a-z_][a-z0-9_]*)+)", code):
            path = tuple(m.group(1).split("::")[1:])
            target = resolve(path)
            if target and target != f:
                graph[f].add(target)
        for m in re.finditer(r"\bcrate::(Error|Result)\b", code):
            graph[f].add(modules[("error",)])
        # super:: relative to the module (a mod.rs is its folder's module).
        for m in re.finditer(r"\bsuper((?:::[a-z_][a-z0-9_]*)*)(?:::\{([^}]*)\})?", code):
            base = me[:-1]
            rest = tuple(p for p in m.group(1).split("::") if p)
            targets = [base + rest]
            if m.group(2):
                for item in m.group(2).split(","):
                    name = item.strip().split("::")[0]
                    if name and name[0].islower():
                        targets.append(base + rest + (name,))
            for path in targets:
                target = resolve(path) if path else modules.get(())
                if target and target != f:
                    graph[f].add(target)
    # lib.rs only declares modules; its arrows are not imports.
    graph[RELAY / "lib.rs"] = set()
    return graph


def cycles(graph: dict) -> list:
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


# Names of streams, consumers, buckets and JetStream API subjects: only
# topology.rs spells them.
NAME_PATTERNS = [
    # streams and KV buckets (and a bucket's stream, `KV_<bucket>`)
    r'"(INBOUND|OUTBOUND|DLQ|MEDIA|EDGE_[A-Z_]*|RATE_LIMITS|KV_[A-Z_]*|OBJ_[A-Z_]*)"',
    r'"WHARF_(NUMBERS|ALERTS|SESSIONS|ROUTER_LEASES|MEDIA|[A-Z_]*(BUCKET|LEASES|LIMITS))"',
    # JetStream and KV API subjects
    r'"\$(JS|KV|O)\.[^"]*"',
    # durable consumers, lease keys, dead-letter origins (not a metric
    # label value `=> "sender"` nor the `wharf sender` subcommand)
    r'(?<!=> )(?<!&\[)"(router-p[^"]*|dlq-indexer|media-fetcher|sender|routers)"',
    # subjects
    r'"wa\.(in|out|dlq|events|media)\.[^"]*"',
]


def source_files():
    for sub in ("relay/src", "admin/src", "src", "entities/src", "migrations/src"):
        base = ROOT / sub
        if base.exists():
            yield from sorted(base.rglob("*.rs"))


def name_literals() -> list:
    found = []
    for f in source_files():
        if f == TOPOLOGY:
            continue
        code = production_code(f.read_text())
        for pattern in NAME_PATTERNS:
            for m in re.finditer(pattern, code):
                line = code[: m.start()].count("\n") + 1
                found.append(f"{f.relative_to(ROOT)}:{line}: {m.group(0)}")
    return found


def string_results() -> list:
    found = []
    pattern = re.compile(r"Result<[^;{]*?,\s*String\s*>", re.S)
    for f in source_files():
        code = production_code(f.read_text())
        for m in pattern.finditer(code):
            line = code[: m.start()].count("\n") + 1
            found.append(f"{f.relative_to(ROOT)}:{line}: {' '.join(m.group(0).split())}")
    return found


def main() -> int:
    failed = False
    graph = import_graph()
    arrows = sum(len(v) for v in graph.values())
    for comp in cycles(graph):
        failed = True
        names = sorted(str(f.relative_to(RELAY)) for f in comp)
        print("import cycle between: " + ", ".join(names))
        for f in comp:
            for w in sorted(graph[f] & set(comp)):
                print(f"    {f.relative_to(RELAY)} -> {w.relative_to(RELAY)}")
    for hit in name_literals():
        failed = True
        print(f"name spelled outside topology.rs: {hit}")
    for hit in string_results():
        failed = True
        print(f"Result<_, String> in non-test code: {hit}")
    if failed:
        return 1
    print(
        f"structure: {len(graph)} files in relay/src, {arrows} arrows, no cycle; "
        "no topology name outside topology.rs; no Result<_, String>"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
