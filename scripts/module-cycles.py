#!/usr/bin/env python3
"""Module import cycles inside a crate: each .rs file is a node; an edge A->B when A names B
through `crate::`, `super::` or `self::` paths (use lines and inline paths). Prints each
strongly connected component with more than one file."""
import os, re, sys
from collections import defaultdict

def modpath(root, f):
    rel = os.path.relpath(f, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)

def split_top(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "{": depth += 1
        if ch == "}": depth -= 1
        if ch == "," and depth == 0:
            out.append(cur); cur = ""
        else:
            cur += ch
    if cur: out.append(cur)
    return out

def expand(tree):
    """`a::{b, c::{d}}` -> [a::b, a::c::d] (lowercase segments only matter)."""
    i = tree.find("{")
    if i < 0:
        return [tree.split(" as ")[0]]
    head, body = tree[:i], tree[i + 1 : tree.rfind("}")]
    out = []
    for part in split_top(body):
        if part == "self":
            out.append(head.rstrip(":"))
        else:
            out += [head + p for p in expand(part)]
    return out

def analyze(root):
    files = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith(".rs"):
                p = os.path.join(d, f)
                files[modpath(root, p)] = p
    mods = set(files)
    def resolve(base, parts):
        # longest prefix that is a module file
        for n in range(len(parts), 0, -1):
            if tuple(parts[:n]) in mods:
                return tuple(parts[:n])
        return None
    edges = defaultdict(set)
    for m, p in files.items():
        src = open(p).read()
        # drop test modules: cycles through tests are not architecture
        src = re.split(r"#\[cfg\(test\)\]\s*mod tests\s*\{", src)[0]
        # comments name modules too, without depending on them
        src = re.sub(r"(^|\s)//.*$", r"\1", src, flags=re.M)
        here = m
        paths = re.findall(r"\b((?:crate|super|self)(?:::(?:super|[a-z_][a-z0-9_]*))+)", src)
        for tree in re.findall(r"\buse\s+((?:crate|super|self)[^;]*);", src, re.S):
            paths += expand(re.sub(r"\s+", "", tree))
        for path in paths:
            parts = path.split("::")
            if parts[0] == "crate":
                cur = []; parts = parts[1:]
            elif parts[0] == "self":
                cur = list(here); parts = parts[1:]
            else:
                cur = list(here)
                while parts and parts[0] == "super":
                    cur = cur[:-1]; parts = parts[1:]
            t = resolve(None, cur + parts)
            if t and t != m and not (t == tuple(cur) and not parts):
                # a reference to a parent module (mod.rs) through its re-exports counts too
                edges[m].add(t)
    # tarjan
    index = {}; low = {}; stack = []; on = set(); sccs = []; i = [0]
    sys.setrecursionlimit(10000)
    def strong(v):
        index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: sccs.append(comp)
    for v in list(files):
        if v not in index: strong(v)
    return sccs, edges

total = 0
for root in sys.argv[1:]:
    sccs, edges = analyze(root)
    for c in sccs:
        total += 1
        names = sorted("::".join(x) or "<root>" for x in c)
        print(f"{root}: cycle of {len(c)}: {', '.join(names)}")
if not os.environ.get("EDGES"): sys.exit(1 if total else 0)

if os.environ.get("EDGES"):
    sccs, edges = analyze(sys.argv[1])
    for c in sccs:
        cs = set(c)
        for v in sorted(c):
            print("::".join(v), "->", ", ".join(sorted("::".join(w) for w in edges[v] if w in cs)))
