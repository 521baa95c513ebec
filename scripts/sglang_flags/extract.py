#!/usr/bin/env python3
"""Statically derive `python -m sglang.launch_server`'s flag set from SGLang source (no import).

Usage: extract.py SRC_ROOT [--json]   (SRC_ROOT contains the `sglang/` package)

Prints one line per flag:  FLAG<TAB>attrs  where attrs are comma separated:
  alias-of=--x   (a further spelling registered by the same add_argument call or the same
                  dataclass field's Arg(aliases=...); --x is the first spelling)
  no-variant     (the --no-X that argparse.BooleanOptionalAction creates)
  deprecated     (a Deprecated* action, or help text containing "deprecat")
  error          (the parser accepts the flag but its action stops the launch: DeprecatedAction
                  raises up to 0.5.7, and from 0.5.18 calls parser.error when given
                  error_message=)
  suppressed     (help=argparse.SUPPRESS)
  src=field      (registered from the ServerArgs field `field` by add_cli_args_from_dataclass)
With --json: one JSON object per flag instead (flag, attrs, help, new_flag, where: the file and
line that registers it), for reading the deprecation texts.

`launch_server.py` parses with `prepare_server_args` (server_args.py), which builds one
`argparse.ArgumentParser` and calls `ServerArgs.add_cli_args(parser)`. Two forms of
registration exist across releases, sometimes both in one release:
  * literal `parser.add_argument("--a", "--b", ...)` calls inside `ServerArgs.add_cli_args`
    (every release; the only form up to 0.5.13.post1);
  * `add_cli_args_from_dataclass(parser, ServerArgs)` (0.5.14 on, `sglang/srt/arg_groups/
    arg_utils.py`): one flag per field annotated `A[T, "help"]` or `A[T, Arg(...)]`
    (`A` = typing.Annotated; the first extra that is an `Arg` or a `str` counts, `NS(...)`
    does not; a field without one, or with `Arg(no_cli=True)`, gets no flag). The flag is
    `Arg.cli_name` or `--field-name`, plus `Arg.aliases`; `Arg(action=BooleanOptionalAction)`
    adds `--no-...`. The fields are ServerArgs' own annotations (0.5.14 to 0.5.19) or, from
    0.5.20, the fields of the namespace classes listed in server_args.py's
    `_INPUT_NAMESPACES` (`sglang/srt/arg_groups/fields/*.py`, gathered by
    `collect_input_fields`) plus ServerArgs' own.
Anything this does not recognise is reported on stderr as `# WARN`, never guessed.
"""
import ast
import json
import os
import sys

ROOT = sys.argv[1]
AS_JSON = "--json" in sys.argv[2:]
SRT = os.path.join(ROOT, "sglang", "srt")
SERVER_ARGS = os.path.join(SRT, "server_args.py")


def warn(msg):
    print(f"# WARN {msg}", file=sys.stderr)


def parse(path):
    with open(path, encoding="utf-8") as fh:
        return ast.parse(fh.read(), filename=path)


def rel(path):
    return os.path.relpath(path, ROOT)


# ------------------------------------------------------------------ indexing
sa_tree = parse(SERVER_ARGS)
modules = {SERVER_ARGS: sa_tree}
arg_groups = os.path.join(SRT, "arg_groups")
if os.path.isdir(arg_groups):
    for dp, _, fn in os.walk(arg_groups):
        for f in sorted(fn):
            if f.endswith(".py"):
                p = os.path.join(dp, f)
                try:
                    modules[p] = parse(p)
                except SyntaxError as e:
                    warn(f"cannot parse {rel(p)}: {e}")

classes = {}  # name -> [(path, ClassDef)]
str_constants = {}  # (path, NAME) -> str
for p, tree in modules.items():
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes.setdefault(node.name, []).append((p, node))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                v = ast.literal_eval(node.value)
            except Exception:
                continue
            if isinstance(v, str):
                str_constants[(p, node.targets[0].id)] = v

# `from sglang.srt.x.y import Name` in server_args.py -> the file that defines Name
imported_from = {}
for node in sa_tree.body:
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sglang."):
        for a in node.names:
            imported_from[a.asname or a.name] = os.path.join(ROOT, *node.module.split(".")) + ".py"


def find_class(name):
    cands = classes.get(name, [])
    want = SERVER_ARGS if any(p == SERVER_ARGS for p, _ in cands) else imported_from.get(name)
    for p, c in cands:
        if p == want:
            return p, c
    if len(cands) == 1:
        return cands[0]
    if cands:
        warn(f"class {name} defined in several files: {[rel(p) for p, _ in cands]}; taking the first")
        return cands[0]
    return None


def server_args_class():
    for node in sa_tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "ServerArgs":
            return node
    sys.exit("no class ServerArgs in " + SERVER_ARGS)


# ------------------------------------------------------------- expressions
def str_value(node, path):
    """The str an expression evaluates to, if it is one statically; else None."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = str_value(node.left, path), str_value(node.right, path)
        return a + b if a is not None and b is not None else None
    if isinstance(node, ast.Name):
        return str_constants.get((path, node.id))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return str_value(node.func.value, path)
    return None


def name_of(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def is_suppress(node):
    return isinstance(node, ast.Attribute) and node.attr == "SUPPRESS"


# ---------------------------------------------------------------- collection
flags = {}  # flag -> {"attrs": set, "help": str, "new_flag": str|None}
registrations = {}  # flag -> number of registrations (argparse refuses a second one)


def action_raises(action_name, passed):
    """Whether the action class (defined in server_args.py or arg_groups/) stops the launch
    when the flag is used: its __call__ raises or calls parser.error, unconditionally or
    under `if self.X ...` where X is a keyword the registration passes (`error_message=`)."""
    found = find_class(action_name) if action_name in classes else None
    if not found:
        return False
    call = next((f for f in found[1].body if isinstance(f, ast.FunctionDef) and f.name == "__call__"), None)
    if call is None:
        return False

    def stops(nodes):
        for st in nodes:
            if isinstance(st, ast.If):
                attrs = {n.attr for n in ast.walk(st.test)
                         if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"}
                if stops(st.body) and (not attrs or attrs & passed):
                    return True
                if stops(st.orelse) and not attrs:
                    return True
                continue
            for n in ast.walk(st):
                if isinstance(n, ast.Raise) or (isinstance(n, ast.Call) and name_of(n.func) == "error"):
                    return True
        return False

    return stops(call.body)


def register(names, *, action=None, help_text="", suppressed=False, src=None, new_flag=None, where="",
             passed=frozenset()):
    action_name = name_of(action) if action is not None else None
    boa = action_name == "BooleanOptionalAction"
    dep = bool(action_name and "deprecat" in action_name.lower()) or "deprecat" in (help_text or "").lower()
    # Only the Deprecated* actions: others (LoRAPathAction) raise on a malformed value, not on use.
    err = bool(action_name) and "deprecat" in action_name.lower() and action_raises(action_name, passed)
    primary = next((n for n in names if n.startswith("--")), names[0])
    spelled = []
    for n in names:
        spelled.append((n, f"alias-of={primary}" if n != primary else None, False))
        if boa and n.startswith("--"):
            spelled.append(("--no-" + n[2:], None, True))
    for n, alias, no_variant in spelled:
        if not n.startswith("-"):
            warn(f"positional argument {n!r} ({where})")
            continue
        registrations[n] = registrations.get(n, 0) + 1
        if registrations[n] > 1:
            warn(f"{n} registered twice ({where}); argparse would refuse this parser")
        e = flags.setdefault(n, {"attrs": set(), "help": help_text, "new_flag": new_flag, "where": where})
        a = e["attrs"]
        if alias:
            a.add(alias)
        if no_variant:
            a.add("no-variant")
        if dep:
            a.add("deprecated")
        if err:
            a.add("error")
        if suppressed:
            a.add("suppressed")
        if src and n == primary:
            a.add(f"src={src}")


def literal_add_argument(call, path):
    names = []
    for a in call.args:
        s = str_value(a, path)
        if s is None:
            warn(f"add_argument with a non-literal name {ast.unparse(a)!r} at {rel(path)}:{call.lineno}")
        else:
            names.append(s)
    if not names:
        return
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    if any(k.arg is None for k in call.keywords):
        warn(f"add_argument(**...) at {rel(path)}:{call.lineno}: action/help not read from it")
    register(
        names,
        action=kw.get("action"),
        help_text=str_value(kw["help"], path) or "" if "help" in kw else "",
        suppressed=is_suppress(kw.get("help")),
        new_flag=str_value(kw["new_flag"], path) if "new_flag" in kw else None,
        where=f"{rel(path)}:{call.lineno}",
        passed=frozenset(k for k, v in kw.items() if not (isinstance(v, ast.Constant) and v.value is None)),
    )


# ------------------------------------------------------ dataclass-derived flags
def annotated_extras(ann):
    """Extras of a top-level Annotated[T, ...] / A[T, ...] annotation, else None."""
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return None
    if not isinstance(ann, ast.Subscript):
        return None
    if name_of(ann.value) not in ("A", "Annotated"):
        return None
    sl = ann.slice
    elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
    return elts[1:]


def class_fields(cname, seen=()):
    """[(field_name, annotation, path)] of a class, inherited fields first."""
    found = find_class(cname)
    if not found:
        warn(f"class {cname} not found")
        return []
    path, cd = found
    out = []
    for b in cd.bases:
        bn = name_of(b)
        if bn in ("object", "Struct") or (isinstance(b, ast.Attribute) and ast.unparse(b) == "msgspec.Struct"):
            continue
        if bn and bn not in seen and bn in classes:
            out += class_fields(bn, seen + (cname,))
        elif bn:
            warn(f"base {bn} of {cname} not indexed; its fields are not read")
    # A name annotated twice in one class body is one field (the class's __annotations__
    # dict keeps the first position and the last annotation), as a subclass's redeclaration is.
    merged = {n: (a, p) for n, a, p in out}
    for st in cd.body:
        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            if "ClassVar" in ast.unparse(st.annotation):
                continue
            merged[st.target.id] = (st.annotation, path)
    return [(n, a, p) for n, (a, p) in merged.items()]


def server_args_fields():
    own = [(n, a, SERVER_ARGS) for n, a, _ in class_fields("ServerArgs")]
    namespaces = None
    for node in sa_tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "_INPUT_NAMESPACES"):
            if not isinstance(node.value, (ast.List, ast.Tuple)):
                warn("_INPUT_NAMESPACES is not a literal list")
                continue
            namespaces = [name_of(e) for e in node.value.elts]
    if namespaces is None:
        return own
    if "collect_input_fields(_INPUT_NAMESPACES)" not in ast.unparse(sa_tree):
        warn("_INPUT_NAMESPACES found but not passed to collect_input_fields")
    out = []
    for ns in namespaces:
        out += class_fields(ns)
    names = [n for n, _, _ in out]
    for n in {n for n in names if names.count(n) > 1}:
        warn(f"field {n} declared by two namespaces (collect_input_fields would refuse)")
    return out + own


def dataclass_flags(call, path):
    if len(call.args) < 2 or name_of(call.args[1]) != "ServerArgs":
        warn(f"add_cli_args_from_dataclass on {ast.unparse(call)} at {rel(path)}:{call.lineno} not handled")
        return
    only = None
    for k in call.keywords:
        if k.arg == "fields":
            try:
                only = set(ast.literal_eval(k.value)) if not (isinstance(k.value, ast.Constant) and k.value.value is None) else None
            except Exception:
                warn(f"fields= of add_cli_args_from_dataclass not literal at {rel(path)}:{call.lineno}")
    for fname, ann, fpath in server_args_fields():
        if only is not None and fname not in only:
            continue
        extras = annotated_extras(ann)
        if extras is None:
            continue
        meta = None
        for e in extras:
            if isinstance(e, ast.Call) and name_of(e.func) == "Arg":
                meta = ("arg", e)
                break
            if str_value(e, fpath) is not None:
                meta = ("str", e)
                break
            if not (isinstance(e, ast.Call) and name_of(e.func) in ("NS", "Derived")):
                warn(f"field {fname}: unrecognised Annotated extra {ast.unparse(e)[:60]!r} ({rel(fpath)})")
        if meta is None:
            continue
        where = f"{rel(fpath)}:{ann.lineno} field {fname}"
        if meta[0] == "str":
            register(["--" + fname.replace("_", "-")], help_text=str_value(meta[1], fpath),
                     src=fname, where=where)
            continue
        call_ = meta[1]
        kw = {k.arg: k.value for k in call_.keywords if k.arg}
        if any(k.arg is None for k in call_.keywords):
            warn(f"Arg(**...) in {where}: not read")
        if call_.args:
            kw.setdefault("help", call_.args[0])
            if len(call_.args) > 1:
                warn(f"Arg with {len(call_.args)} positional arguments in {where}: only help read")
        no_cli = kw.get("no_cli")
        if no_cli is not None:
            if isinstance(no_cli, ast.Constant) and no_cli.value in (True, False):
                if no_cli.value:
                    continue
            else:
                warn(f"non-literal no_cli in {where}")
        cli_name = "--" + fname.replace("_", "-")
        if "cli_name" in kw and not (isinstance(kw["cli_name"], ast.Constant) and kw["cli_name"].value is None):
            s = str_value(kw["cli_name"], fpath)
            if s is None:
                warn(f"non-literal cli_name in {where}")
            else:
                cli_name = s
        aliases = []
        if "aliases" in kw and not (isinstance(kw["aliases"], ast.Constant) and kw["aliases"].value is None):
            if isinstance(kw["aliases"], (ast.List, ast.Tuple)):
                for a in kw["aliases"].elts:
                    s = str_value(a, fpath)
                    if s is None:
                        warn(f"non-literal alias in {where}")
                    else:
                        aliases.append(s)
            else:
                warn(f"non-literal aliases in {where}")
        new_flag = None
        passed = set()
        ak = kw.get("action_kwargs")
        if isinstance(ak, ast.Dict):
            for k_, v_ in zip(ak.keys, ak.values):
                if isinstance(k_, ast.Constant):
                    passed.add(k_.value)
                    if k_.value == "new_flag":
                        new_flag = str_value(v_, fpath)
        help_node = kw.get("help")
        register(
            [cli_name] + aliases,
            action=kw.get("action"),
            help_text=(str_value(help_node, fpath) or "") if help_node is not None else "",
            suppressed=is_suppress(help_node),
            src=fname,
            new_flag=new_flag,
            where=where,
            passed=frozenset(passed),
        )


# ------------------------------------------------------------------ walk
add_cli_args = None
for st in server_args_class().body:
    if isinstance(st, ast.FunctionDef) and st.name == "add_cli_args":
        add_cli_args = st
if add_cli_args is None:
    sys.exit("no ServerArgs.add_cli_args in " + SERVER_ARGS)
parser_name = add_cli_args.args.args[0].arg if add_cli_args.args.args else "parser"

for node in ast.walk(add_cli_args):
    if not isinstance(node, ast.Call):
        continue
    fname = name_of(node.func)
    if fname == "add_argument":
        recv = node.func.value if isinstance(node.func, ast.Attribute) else None
        if not (isinstance(recv, ast.Name) and recv.id == parser_name):
            warn(f"add_argument on {ast.unparse(recv) if recv else '?'} at {rel(SERVER_ARGS)}:{node.lineno} (argument group?)")
        literal_add_argument(node, SERVER_ARGS)
    elif fname == "add_cli_args_from_dataclass":
        dataclass_flags(node, SERVER_ARGS)
    elif any(isinstance(a, ast.Name) and a.id == parser_name for a in node.args) or any(
            isinstance(k.value, ast.Name) and k.value.id == parser_name for k in node.keywords):
        warn(f"{ast.unparse(node.func)}({parser_name}) at {rel(SERVER_ARGS)}:{node.lineno} may add flags; not followed")

# Same flag in two spellings (`--x-y` and `--x_y`) would be one flag to a reader.
norm = {}
for f in flags:
    norm.setdefault(f.replace("_", "-"), []).append(f)
for k, v in norm.items():
    if len(v) > 1:
        warn(f"one flag in several spellings: {v}")
for f in flags:
    if "_" in f:
        warn(f"flag with an underscore: {f}")

for f in sorted(flags):
    e = flags[f]
    if AS_JSON:
        print(json.dumps({"flag": f, "attrs": sorted(e["attrs"]), "help": e["help"], "new_flag": e["new_flag"],
                          "where": e["where"]}))
    else:
        print(f + ("\t" + ",".join(sorted(e["attrs"])) if e["attrs"] else ""))
