#!/usr/bin/env python3
"""Statically derive the `vllm serve` flag set from vLLM source (no import).

Usage: extract_flags.py SRC_ROOT   (SRC_ROOT contains the `vllm/` package)
Prints one line per flag:  FLAG<TAB>attrs  where attrs are comma separated:
  alias-of=--x   (single-dash alias registered in the same add_argument call)
  no-variant     (this is the --no-X created by argparse.BooleanOptionalAction)
  deprecated     (deprecated=True kwarg, Deprecated* action, or help/docstring
                  text containing "deprecat")
  cond           (the add_argument call sits inside an `if` block)
  positional     (positional argument, e.g. model_tag)
  suppressed     (help=argparse.SUPPRESS)

Derivation rules (mirrors vllm/engine/arg_utils.py get_kwargs/_compute_kwargs):
  * literal add_argument("--a", "-b", ...) -> flags --a, -b
  * add_argument("--x", **K["field"]) with K = get_kwargs(Cls): flag --x; if the
    dataclass field's top-level type union contains `bool` -> BooleanOptionalAction
    -> also --no-x (except `bool | str | None` in versions whose get_kwargs has
    the nargs='?' special case), unless K["field"]["action"] is reassigned.
  * for key, value in K.items(): add_argument(f"--{key.replace('_','-')}", **value)
    -> one flag per dataclass field of Cls (incl. dataclass bases).
"""
import ast
import os
import re
import sys
from collections import defaultdict

ROOT = sys.argv[1]
VLLM = os.path.join(ROOT, "vllm")

# ---------------------------------------------------------------- indexing
modules = {}  # path -> ast
for dp, dn, fn in os.walk(VLLM):
    for f in fn:
        if f.endswith(".py"):
            p = os.path.join(dp, f)
            rel = os.path.relpath(p, VLLM)
            if not (rel.startswith(("config", "engine", "entrypoints", "utils", "scripts", "lora", "platforms"))
                    or "dataclass" in open(p, encoding="utf-8", errors="ignore").read()):
                continue
            try:
                with open(p, encoding="utf-8") as fh:
                    modules[p] = ast.parse(fh.read())
            except Exception:
                pass

classes = defaultdict(list)  # name -> [(path, ClassDef)]
aliases = {}  # module-level Name -> expr
constants = {}  # module-level Name -> str constant
for p, tree in modules.items():
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name].append((p, node))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            aliases.setdefault(node.targets[0].id, node.value)
            s = const_str = None
            try:
                s = ast.literal_eval(node.value)
            except Exception:
                pass
            if isinstance(s, str):
                constants.setdefault(node.targets[0].id, s)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            aliases.setdefault(node.target.id, node.value)
        elif type(node).__name__ == "TypeAlias":  # py3.12 `type X = ...`
            aliases.setdefault(node.name.id, node.value)


def pick_class(name):
    cands = classes.get(name, [])
    if not cands:
        return None
    # prefer config packages / arg_utils / cli_args
    def rank(c):
        p = c[0]
        if "/vllm/config" in p:
            return 0
        if "cli_args" in p or "arg_utils" in p:
            return 1
        return 2
    return sorted(cands, key=rank)[0]


def str_of(node):
    """Best-effort string value of a help= expression."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str_of(v) if not isinstance(v, ast.FormattedValue) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp):
        return str_of(node.left) + str_of(node.right)
    if isinstance(node, ast.Name):
        return constants.get(node.id, "")
    if isinstance(node, ast.Call):
        return " ".join(str_of(a) for a in node.args)
    return ""


def union_members(expr, depth=0):
    """Top-level members of a type annotation union (aliases resolved)."""
    if depth > 8 or expr is None:
        return []
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            expr = ast.parse(expr.value, mode="eval").body
        except Exception:
            return []
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return union_members(expr.left, depth + 1) + union_members(expr.right, depth + 1)
    if isinstance(expr, ast.Subscript):
        base = expr.value
        bname = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        sl = expr.slice
        if isinstance(sl, ast.Index):  # py<3.9 ast
            sl = sl.value
        if bname in ("Optional",):
            return union_members(sl, depth + 1) + ["None"]
        if bname == "Union":
            elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
            out = []
            for e in elts:
                out += union_members(e, depth + 1)
            return out
        if bname in ("Annotated", "SkipValidation", "Required", "NotRequired", "Final"):
            elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
            return union_members(elts[0], depth + 1)
        return [bname]
    if isinstance(expr, ast.Name):
        if expr.id in ("bool", "str", "int", "float", "None"):
            return [expr.id]
        if expr.id in aliases and depth < 8:
            val = aliases[expr.id]
            # only follow typing-looking aliases
            if isinstance(val, (ast.BinOp, ast.Subscript, ast.Name, ast.Constant)):
                r = union_members(val, depth + 1)
                if r:
                    return r
        return [expr.id]
    if isinstance(expr, ast.Constant) and expr.value is None:
        return ["None"]
    if isinstance(expr, ast.Attribute):
        return [expr.attr]
    return ["?"]


def class_fields(cname, seen=None):
    """Ordered dataclass fields: name -> (annotation, docstring)."""
    seen = seen or set()
    if cname in seen:
        return {}
    seen.add(cname)
    c = pick_class(cname)
    if not c:
        return {}
    _, cd = c
    out = {}
    for b in cd.bases:
        bn = b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)
        if bn and bn not in ("object",):
            out.update(class_fields(bn, seen))
    body = cd.body
    for i, st in enumerate(body):
        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            ann_s = ast.unparse(st.annotation) if hasattr(ast, "unparse") else ""
            if "ClassVar" in ann_s or "InitVar" in ann_s:
                continue
            doc = ""
            if i + 1 < len(body) and isinstance(body[i + 1], ast.Expr) and isinstance(getattr(body[i + 1], "value", None), ast.Constant) and isinstance(body[i + 1].value.value, str):
                doc = body[i + 1].value.value
            v = st.value
            if isinstance(v, ast.Call) and any(k.arg == "deprecated" for k in v.keywords):
                doc = doc + " [pydantic Field(deprecated=...)] deprecated"
            out[st.target.id] = (st.annotation, doc)
    return out


# ------------------------------------------------------------ get_kwargs rules
arg_utils_p = os.path.join(VLLM, "engine", "arg_utils.py")
arg_utils_src = open(arg_utils_p, encoding="utf-8").read()
HAS_BOOL_STR_SPECIAL = "type_hints == {bool, str, type(None)}" in arg_utils_src


def field_is_boa(ann):
    mem = set(union_members(ann))
    if "bool" not in mem:
        return False
    if HAS_BOOL_STR_SPECIAL and mem == {"bool", "str", "None"}:
        return False
    return True


# ------------------------------------------------------------- collection
flags = {}  # flag -> set(attrs)


def add(flag, *attrs):
    flags.setdefault(flag, set()).update(a for a in attrs if a)


def is_boa(node):
    return (isinstance(node, ast.Attribute) and node.attr == "BooleanOptionalAction") or (
        isinstance(node, ast.Name) and node.id == "BooleanOptionalAction")


def collect_kw_mods(func_nodes):
    """NAME["field"]["key"] = value  and  del NAME["field"]."""
    mods = defaultdict(dict)
    dels = defaultdict(set)
    for fn in func_nodes:
        for n in ast.walk(fn):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Subscript)
                            and isinstance(t.value.value, ast.Name)):
                        try:
                            field = ast.literal_eval(t.value.slice if not isinstance(t.value.slice, ast.Index) else t.value.slice.value)
                            key = ast.literal_eval(t.slice if not isinstance(t.slice, ast.Index) else t.slice.value)
                        except Exception:
                            continue
                        mods[(t.value.value.id, field)][key] = n.value
            if isinstance(n, ast.Delete):
                for t in n.targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                        try:
                            field = ast.literal_eval(t.slice if not isinstance(t.slice, ast.Index) else t.slice.value)
                        except Exception:
                            continue
                        dels[t.value.id].add(field)
    return mods, dels


def kwargs_vars(fn, self_cls=None):
    """NAME = get_kwargs(Cls) assignments inside fn -> {NAME: Cls}."""
    out = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            v = n.value
            if isinstance(v, ast.Call) and getattr(v.func, "id", getattr(v.func, "attr", "")) == "get_kwargs" and v.args:
                a = v.args[0]
                cname = a.id if isinstance(a, ast.Name) else None
                if cname == "cls" and self_cls:
                    cname = self_cls
                if cname:
                    out[n.targets[0].id] = cname
    return out


def process_function(fn, receivers=None, self_cls=None, extra_mod_funcs=()):
    kv = kwargs_vars(fn, self_cls)
    mods, dels = collect_kw_mods([fn, *extra_mod_funcs])
    # map parent for `if` detection
    parents = {}
    for p in ast.walk(fn):
        for ch in ast.iter_child_nodes(p):
            parents[ch] = p

    def in_if(n):
        while n in parents:
            n = parents[n]
            if isinstance(n, ast.If):
                return True
        return False

    for n in ast.walk(fn):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add_argument"):
            continue
        if receivers is not None:
            r = n.func.value
            if not (isinstance(r, ast.Name) and r.id in receivers):
                continue
        cond = "cond" if in_if(n) else ""
        opts = [a.value for a in n.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        # for arg, type in [("--a", str), ...]: add_argument(arg, ...)
        name_args = [a for a in n.args if isinstance(a, ast.Name)]
        separate = False
        if name_args and not opts:
            separate = True
            nm = name_args[0].id
            lp = n
            while lp in parents and not isinstance(lp, ast.For):
                lp = parents[lp]
            done = False
            if isinstance(lp, ast.For) and isinstance(lp.iter, (ast.List, ast.Tuple)):
                tgt = lp.target
                pos = None
                if isinstance(tgt, ast.Name) and tgt.id == nm:
                    pos = -1
                elif isinstance(tgt, ast.Tuple):
                    for i_, e_ in enumerate(tgt.elts):
                        if isinstance(e_, ast.Name) and e_.id == nm:
                            pos = i_
                if pos is not None:
                    for el in lp.iter.elts:
                        item = el if pos == -1 else (el.elts[pos] if isinstance(el, ast.Tuple) else None)
                        if isinstance(item, ast.Constant) and isinstance(item.value, str):
                            opts.append(item.value)
                    done = True
            if not done:
                print(f"# WARN unresolved Name arg {nm} at line {n.lineno}", file=sys.stderr)
        loop_fstr = [a for a in n.args if isinstance(a, ast.JoinedStr)]
        lit = {k.arg: k.value for k in n.keywords if k.arg}
        star = [k.value for k in n.keywords if k.arg is None]
        # expand **{**K["field"], "default": None, "action": ...}
        exp = []
        for s_ in star:
            if isinstance(s_, ast.Dict):
                for dk, dv in zip(s_.keys, s_.values):
                    if dk is None:
                        exp.append(dv)
                    elif isinstance(dk, ast.Constant) and isinstance(dk.value, str):
                        lit.setdefault(dk.value, dv)
            else:
                exp.append(s_)
        star = exp
        # Resolve **K["field"]
        field_info = None
        for s in star:
            if isinstance(s, ast.Subscript) and isinstance(s.value, ast.Name) and s.value.id in kv:
                sl = s.slice.value if isinstance(s.slice, ast.Index) else s.slice
                try:
                    fname = ast.literal_eval(sl)
                except Exception:
                    continue
                cname = kv[s.value.id]
                fi = class_fields(cname).get(fname)
                field_info = (s.value.id, cname, fname, fi)
        if loop_fstr:
            # expand over fields of the kwargs dict being iterated
            loop = n
            while loop in parents and not isinstance(loop, ast.For):
                loop = parents[loop]
            itvar = None
            if isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call) and isinstance(loop.iter.func, ast.Attribute):
                itvar = getattr(loop.iter.func.value, "id", None)
            cname = kv.get(itvar)
            if not cname:
                print(f"# WARN unresolved loop at line {n.lineno}", file=sys.stderr)
                continue
            for fname, (ann, doc) in class_fields(cname).items():
                if fname in dels.get(itvar, set()):
                    continue
                m = mods.get((itvar, fname), {})
                boa = field_is_boa(ann)
                if "action" in m:
                    boa = is_boa(m["action"])
                dep = "deprecated" if ("deprecated" in m or "deprecat" in str_of(m.get("help")).lower()) else (
                    "deprecated(doc)" if "deprecat" in doc.lower().replace(fname.replace("_", " "), "") else "")
                f = "--" + fname.replace("_", "-")
                add(f, cond, dep, f"src={cname}.{fname}")
                if boa:
                    add("--no-" + fname.replace("_", "-"), "no-variant", cond, dep)
            continue
        if not opts:
            continue
        boa = False
        dep = ""
        help_s = str_of(lit.get("help"))
        if "action" in lit:
            a = lit["action"]
            boa = is_boa(a)
            an = getattr(a, "id", getattr(a, "attr", ""))
            if isinstance(an, str) and "deprecat" in an.lower():
                dep = "deprecated"
        src = ""
        if field_info:
            var, cname, fname, fi = field_info
            src = f"src={cname}.{fname}"
            m = mods.get((var, fname), {})
            if fi:
                ann, doc = fi
                if "action" not in lit:
                    boa = field_is_boa(ann)
                if "deprecat" in doc.lower():
                    dep = "deprecated(doc)"
            else:
                src += "(field-not-found)"
            if "action" in m:
                boa = is_boa(m["action"])
                an = getattr(m["action"], "id", getattr(m["action"], "attr", ""))
                if isinstance(an, str) and "deprecat" in an.lower():
                    dep = "deprecated"
            if "deprecated" in m or "deprecat" in str_of(m.get("help")).lower():
                dep = "deprecated"
        if "deprecat" in help_s.lower():
            dep = "deprecated"
        d = lit.get("deprecated")
        if isinstance(d, ast.Constant) and d.value is True:
            dep = "deprecated"
        sup = "suppressed" if (isinstance(lit.get("help"), ast.Attribute) and lit["help"].attr == "SUPPRESS") else ""
        longs = [o for o in opts if o.startswith("--")]
        primary = longs[0] if longs else opts[0]
        for o in opts:
            if not o.startswith("-"):
                add(o, "positional", cond)
                continue
            alias = f"alias-of={primary}" if (o != primary and not separate) else ""
            add(o, alias, cond, dep, sup, src if o == primary else "", "loop" if separate else "")
            if boa and o.startswith("--"):
                add("--no-" + o[2:], "no-variant", cond, dep, sup)


def funcs_named(tree, name, in_class=None):
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and (in_class is None or node.name == in_class):
            for st in node.body:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and st.name == name:
                    out.append((node.name, st))
        if in_class is None and isinstance(node, (ast.FunctionDef)) and node.name == name:
            out.append((None, node))
    return out


# 1. serve subparser (scripts.py in 0.6.x, entrypoints/cli/serve.py later)
serve_files = [os.path.join(VLLM, "scripts.py"), os.path.join(VLLM, "entrypoints", "cli", "serve.py")]
for sp in serve_files:
    if sp in modules:
        tree = modules[sp]
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef,)) and node.name in ("subparser_init", "main"):
                process_function(node, receivers={"serve_parser"})

# 2. make_arg_parser (the openai/launchers/common cli_args.py)
cli_args_files = [p for p, t in modules.items() if p.endswith("cli_args.py") and "/entrypoints/" in p
                  and any(isinstance(n, ast.FunctionDef) and n.name == "make_arg_parser" for n in t.body)]
classes_called = []
for p in cli_args_files:
    tree = modules[p]
    for n in tree.body:
        if isinstance(n, ast.FunctionDef) and n.name == "make_arg_parser":
            process_function(n)
            for c in ast.walk(n):
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "add_cli_args":
                    classes_called.append(getattr(c.func.value, "id", None))
                elif isinstance(c, ast.Call) and isinstance(c.func, ast.Name):
                    print(f"# NOTE make_arg_parser calls {c.func.id}() in {os.path.relpath(p, ROOT)}", file=sys.stderr)
print(f"# cli_args files: {[os.path.relpath(p, ROOT) for p in cli_args_files]}; add_cli_args on {classes_called}", file=sys.stderr)

# 3. X.add_cli_args for frontend classes (resolve through dataclass bases)
def mro_names(cname, acc=None):
    acc = acc if acc is not None else []
    c = pick_class(cname)
    if not c or cname in acc:
        return acc
    acc.append(cname)
    for b in c[1].bases:
        bn = b.id if isinstance(b, ast.Name) else None
        if bn:
            mro_names(bn, acc)
    return acc

for cname in classes_called:
    if cname in ("AsyncEngineArgs", "EngineArgs") or not cname:
        continue
    chain = mro_names(cname)
    all_methods = []
    for cn in chain:
        all_methods += [st for st in pick_class(cn)[1].body if isinstance(st, ast.FunctionDef)]
    for cn in chain:
        m = [st for st in pick_class(cn)[1].body if isinstance(st, ast.FunctionDef) and st.name == "add_cli_args"]
        if m:
            process_function(m[0], self_cls=cname, extra_mod_funcs=all_methods)
            break

# 4. EngineArgs / AsyncEngineArgs add_cli_args in arg_utils.py
tree = modules[arg_utils_p]
for cls_name in ("EngineArgs", "AsyncEngineArgs"):
    for _, fn in funcs_named(tree, "add_cli_args", in_class=cls_name):
        process_function(fn)

for f in sorted(flags):
    print(f + ("\t" + ",".join(sorted(flags[f])) if flags[f] else ""))
