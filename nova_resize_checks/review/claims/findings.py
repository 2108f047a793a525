# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Check a review's claims that can be checked without running anything.

:func:`check_claims` looks for

* names (backticked in prose, or used by proposed code) that exist neither
  in the reference sources nor in nova's test helpers
  (:data:`~model.UNKNOWN_NAME`);
* things called unused, or asked to be removed, that the reference test
  uses (:data:`~model.USED_NOT_UNUSED`);
* quoted numbered lines, and "line N" references, that match that line of
  none of the reference sources (:data:`~model.LINE_MISMATCH`);
* proposed code whose placement assertions cannot all hold
  (:data:`~model.CONTRADICTION`).

Claims that could not become a change are reported by
:func:`nova_resize_checks.review.claims.extract.extract`.
Nothing here imports nova: :func:`nova_helper_names` reads nova's helper
modules with :mod:`ast`.
"""

import ast
import builtins
import functools
import importlib.util
import keyword
import os
import re
import sys
import unittest

import testtools

from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import words
from nova_resize_checks.review import model
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import quotes

# Nova modules whose names a test of this kind may use, relative to the
# nova package directory.
HELPER_MODULES = (
    'tests/functional/integrated_helpers.py',
    'test.py',
    'tests/functional/api/client.py',
    'virt/fake.py',
)
_CLIENT_ATTRS = ('api', 'admin_api')
# "In line 13, the import of `x` ..." / "Line 13 imports `x`".
_LEADING_LINE_RE = re.compile(
    r'[\W\d]*(?:[A-Z][\w ]{0,40}:\s+)?(?:(?:in|on|at)\s+)?line\s+'
    r'(\d{1,6})\b', re.I)
_MAX_REPORTED = 8
# At most this many distinct names are checked for use (each costs a walk
# over the reference trees).
_MAX_NAMES = 200
_FILE_NAME_RE = re.compile(
    r'\.(?:py|pyc|txt|cfg|ini|json|ya?ml|rst|md|sh|conf|log|html)$')
# Commit ids ("f4bb672106") and constants, resource classes or environment
# variables (``PCPU``, ``OS_NOVA_DISABLE_EVENTLET_PATCHING``) named in prose
# are not claims about the test's code.
_NOT_A_CODE_NAME_RE = re.compile(r'^(?:(?=[0-9a-f]*\d)[0-9a-f]{7,40}|'
                                 r'[A-Z][A-Z0-9_]*)$')


def nova_package_dir():
    """The installed nova package directory, found without importing it."""
    try:
        spec = importlib.util.find_spec('nova')
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def nova_helper_names(nova_dir=None, findings=None):
    """Names defined or used as attributes by nova's test helpers.

    Reads :data:`HELPER_MODULES` under ``nova_dir`` (default: the installed
    nova) with :mod:`ast`.  Gives a frozenset: class and function names,
    class and module attributes, ``self.X`` attributes set or read, and the
    modules' own names.  When nothing can be read the set is empty and, if
    ``findings`` is a list, a finding saying so is appended to it.
    """
    if nova_dir is None:
        nova_dir = nova_package_dir()
    if nova_dir is None:
        names, problems = frozenset(), ['nova is not installed']
    else:
        names, problems = _helper_names(str(nova_dir))
    if findings is not None and not names:
        findings.append(model.Finding(
            model.UNKNOWN_NAME,
            'nova helper names unavailable (%s); names are checked against '
            'the reference sources only' % '; '.join(problems)))
    return names


@functools.lru_cache(maxsize=8)
def _helper_names(nova_dir):
    names = set()
    problems = []
    for rel in HELPER_MODULES:
        path = os.path.join(nova_dir, rel)
        try:
            with open(path, 'rb') as f:
                tree = ast.parse(f.read(), path)
        except (OSError, SyntaxError, ValueError) as e:
            problems.append('%s: %s' % (rel, e))
            continue
        names.add(os.path.splitext(os.path.basename(rel))[0])
        names.update(_defined_names(tree))
    return frozenset(names), tuple(problems)


def _defined_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    names.update(_assigned(stmt))
        elif isinstance(node, ast.Attribute) and isinstance(
                node.value, ast.Name) and node.value.id in ('self', 'cls'):
            names.add(node.attr)
    for stmt in tree.body:
        names.update(_assigned(stmt))
    return names


def _bound_names(tree):
    """Names code binds: defs, classes, assignments, ``self.X = ...``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(
                node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(
                node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split('.')[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _assigned(stmt):
    targets = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    out = []
    for t in targets:
        for node in ast.walk(t):
            if isinstance(node, ast.Name):
                out.append(node.id)
    return out


@functools.lru_cache(maxsize=1)
def testcase_names():
    """Attribute names of unittest's and testtools' TestCase classes."""
    return frozenset(dir(unittest.TestCase)) | frozenset(
        dir(testtools.TestCase))


_BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | \
    frozenset(('self', 'cls', '__name__', '__file__'))


class _References(object):
    """The reference sources, read once."""

    def __init__(self, reference_sources):
        self.sources = {}
        for name, src in (reference_sources or {}).items():
            if isinstance(src, str):
                self.sources[name] = src
        self.lines = {n: s.split('\n') for n, s in self.sources.items()}
        self.tokens = set()
        for src in self.sources.values():
            self.tokens.update(re.findall(r'[A-Za-z_]\w*', src))
        self.trees = {}
        for name, src in self.sources.items():
            try:
                self.trees[name] = ast.parse(src)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass

    def ordered(self):
        """Names, 'test' first."""
        return sorted(self.sources, key=lambda n: (n != 'test', n))


@functools.lru_cache(maxsize=16)
def _references(items):
    """_References for (name, source) pairs, built once per distinct set."""
    return _References(dict(items))


def check_claims(parsed, changes, reference_sources, helper_names):
    """Findings about ``parsed``'s claims and ``changes``' code."""
    refs = _references(tuple(sorted(
        (name, src) for name, src in (reference_sources or {}).items()
        if isinstance(src, str))))
    helper_names = frozenset(helper_names or ())
    findings = []
    if not helper_names:
        findings.append(model.Finding(
            model.UNKNOWN_NAME,
            'no nova helper names given; names are checked against the '
            'reference sources only'))
    defined = set()
    for change in changes:
        code = _proposed_code(change)
        tree = texts.parse_python(code) if code.strip() else None
        if tree is not None:
            defined.update(_bound_names(tree))
        if change.kind == model.RENAME:
            defined.add(change.new)
    known = (refs.tokens | helper_names | testcase_names() |
             _BUILTIN_NAMES | defined)
    sentences = list(prose.iter_sentences(parsed))
    findings.extend(_prose_names(sentences, known))
    findings.extend(_code_names(changes, refs, helper_names, known))
    findings.extend(_unused_claims(sentences, changes, refs, helper_names))
    findings.extend(_line_mismatches(parsed, sentences, changes, refs))
    findings.extend(_contradictions(changes))
    return extract.cap_findings(findings)


def _proposed_code(change):
    if change.kind in (model.TEST_FULL, model.TEST_SNIPPET):
        return change.code
    if change.kind == model.TEST_DIFF:
        return diffs.new_side(change.code)
    if change.kind == model.LINE_CHANGE:
        return change.code or ''
    return ''


def _nova_module_exists(dotted, known):
    """Whether ``nova.a.b`` is a module (or a known name in one)."""
    base = nova_package_dir()
    if base is None:
        return True
    parts = dotted.split('.')[1:]
    for cut in range(len(parts), -1, -1):
        path = os.path.join(base, *parts[:cut])
        if os.path.isdir(path) or os.path.isfile(path + '.py'):
            return all(p in known for p in parts[cut:])
    return False


# "the test never calls `X`", "it does not use `Y`": mentions, not claims.
NEGATED = re.compile(r"\b(?:never|not|no|nor|neither|without|n't|absent|"
                     r"avoids?)\b", re.I)


@functools.lru_cache(maxsize=1)
def _nova_source_names():
    """Names defined in nova's compute manager (reviews of nova name them)."""
    base = nova_package_dir()
    names = set()
    if base is None:
        return frozenset()
    path = os.path.join(base, 'compute', 'manager.py')
    try:
        with open(path) as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute):
            # self.x, exception.AllocationDeleteFailed, ...
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return frozenset(names)


def _name_known(name, known):
    if name.startswith('nova.') or name == 'nova':
        return _nova_module_exists(name, known)
    top = name.split('.')[0]
    last = name.split('.')[-1]
    if top in sys.stdlib_module_names or hasattr(builtins, top):
        return True
    return last in known or last in _nova_source_names()


def _hint(name, known):
    last = name.split('.')[-1]
    for guess in ('_' + last, last.lstrip('_')):
        if guess != last and guess in known:
            return ' (did you mean `%s`?)' % guess
    return ''


def _rename_targets(masked):
    """Code span indexes naming a rename's proposed new names."""
    m = re.search(r'renam\w*', masked, re.I)
    if not m:
        return set()
    to = re.search(r'\b(?:to|as|into)\b', masked[m.end():], re.I)
    if not to:
        return set()
    rest = masked[m.end() + to.end():]
    return {int(x) for x in re.findall(prose.PH, rest)}


def _prose_names(sentences, known):
    findings = []
    seen = set()
    for sentence in sentences:
        if NEGATED.search(sentence.masked):
            continue
        skip = _rename_targets(sentence.masked)
        for x in re.findall(prose.PH, sentence.masked):
            index = int(x)
            if index in skip:
                continue
            name = prose.name_of(sentence.codes[index])
            if not name or name in seen or _FILE_NAME_RE.search(name) or \
                    _NOT_A_CODE_NAME_RE.match(name):
                continue
            seen.add(name)
            if not _name_known(name, known):
                findings.append(model.Finding(
                    model.UNKNOWN_NAME,
                    '`%s` exists neither in the test nor in nova\'s test '
                    'helpers%s' % (sentence.codes[index].strip(),
                                   _hint(name, known)),
                    model.Span(sentence.line, sentence.end_line)))
    return findings


def _code_names(changes, refs, helper_names, known):
    findings = []
    seen = set()
    for change in changes:
        code = _proposed_code(change)
        if not code.strip():
            continue
        tree = texts.parse_python(code)
        if tree is None:
            unknown = _regex_unknown(change, code, known)
        else:
            unknown = _ast_unknown(tree, refs, helper_names, known)
        for name in unknown:
            if name in seen:
                continue
            seen.add(name)
            findings.append(model.Finding(
                model.UNKNOWN_NAME,
                'proposed code uses `%s`, which exists neither in the test '
                'nor in nova\'s test helpers%s' % (name, _hint(name, known)),
                change.span))
    return findings


def _regex_unknown(change, code, known):
    if change.kind == model.TEST_DIFF:
        code = '\n'.join(ln[1:] for ln in change.code.split('\n')
                         if ln.startswith('+') and
                         not ln.startswith('+++ '))
    out = []
    for m in re.finditer(r'\bself\.(?:(?:api|admin_api)\.)?([A-Za-z_]\w*)',
                         code):
        if m.group(1) not in known:
            out.append('self.' + m.group(0)[5:])
    return out


def _ast_unknown(tree, refs, helper_names, known):
    local = _bound_names(tree)
    ok = known | local
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(
                node.ctx, ast.Load):
            base = node.value
            if isinstance(base, ast.Name) and base.id == 'self':
                if node.attr not in ok:
                    out.append((node.lineno, 'self.' + node.attr))
            elif (isinstance(base, ast.Attribute) and
                  isinstance(base.value, ast.Name) and
                  base.value.id == 'self' and base.attr in _CLIENT_ATTRS):
                if node.attr not in ok:
                    out.append((node.lineno,
                                'self.%s.%s' % (base.attr, node.attr)))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in ok:
                out.append((node.lineno, node.id))
    return [name for _, name in sorted(out)]


def _usage(name, refs, helper_names):
    """``(reference name, line, how)`` of the first use of ``name``."""
    for ref in refs.ordered():
        tree = refs.trees.get(ref)
        if tree is None:
            continue
        uses = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == name and \
                    isinstance(node.ctx, ast.Load):
                uses.append((node.lineno, 'read'))
            elif isinstance(node, ast.Attribute) and node.attr == name and \
                    isinstance(node.ctx, ast.Load):
                uses.append((node.lineno, 'read'))
            elif isinstance(node, ast.ClassDef):
                if node.name == name and any(
                        isinstance(s, ast.FunctionDef) and
                        s.name.startswith('test') for s in node.body):
                    uses.append((node.lineno, 'run by the test runner'))
                for stmt in node.body:
                    if name in _assigned(stmt) and name in helper_names:
                        uses.append((stmt.lineno,
                                     "read by nova's test base classes"))
                    elif (isinstance(stmt, (ast.FunctionDef,
                                            ast.AsyncFunctionDef)) and
                            stmt.name == name and (
                                name in helper_names or
                                name.startswith('test'))):
                        uses.append((stmt.lineno,
                                     'called by the test framework'))
        if uses:
            line, how = min(uses)
            return ref, line, how
    return None


def _unused_claims(sentences, changes, refs, helper_names):
    claims = []
    for sentence in sentences:
        for index in words.unused_names(sentence.masked):
            name = prose.name_of(sentence.codes[index])
            if name and '.' not in name:
                claims.append((name, model.Span(sentence.line,
                                                sentence.end_line),
                               'called unused'))
    # Asking to remove a name the test only calls (``assertIn``) asks to
    # remove the call; only a name the test binds can be "used".
    bound = set()
    for tree in refs.trees.values():
        bound |= _bound_names(tree)
    for change in changes:
        if (change.kind == model.REMOVE and change.old and not change.line
                and not change.unit and prose.name_of(change.old) in
                bound):
            claims.append((change.old, change.span, 'to be removed'))
    findings = []
    seen = set()
    for name, span, how in claims:
        if name in seen or len(seen) >= _MAX_NAMES:
            continue
        seen.add(name)
        use = _usage(name, refs, helper_names)
        if use is None:
            continue
        ref, line, what = use
        text = refs.lines[ref][line - 1].strip() if line <= len(
            refs.lines[ref]) else ''
        findings.append(model.Finding(
            model.USED_NOT_UNUSED,
            '`%s` is %s, but the %s source uses it (line %d, %s: %s)' %
            (name, how, ref, line, what, text), span))
    return findings


def _norm_line(text):
    return ' '.join(text.split())


def _line_matches(text, lines, number):
    if number < 1 or number > len(lines):
        return False
    want = _norm_line(text)
    have = _norm_line(lines[number - 1])
    if want == have:
        return True
    # Reviews often glue a ':' or a closing quote onto a quoted line.
    trimmed = want.rstrip(':"\'`').rstrip()
    return bool(trimmed) and trimmed in (have, have.rstrip(':'))


def _known_line(text, number):
    """Whether line ``number`` of a known upstream version is ``text``."""
    want = _norm_line(text)
    candidates = {want, want.rstrip(':"\'`').rstrip()}
    digests = {quotes.line_digest(c) for c in candidates if c}
    return any(1 <= number <= len(lines) and lines[number - 1] in digests
               for lines in known_versions.LINE_DIGESTS.values())


def _mismatch_finding(bad, span):
    detail = '; '.join('line %d is not `%s`' % (n, t.strip()[:60])
                       for n, t in bad[:3])
    more = ' (+%d more)' % (len(bad) - 3) if len(bad) > 3 else ''
    numbers = ', '.join(str(n) for n, _ in bad[:_MAX_REPORTED])
    if len(bad) > _MAX_REPORTED:
        numbers += ', ...'
    return model.Finding(
        model.LINE_MISMATCH,
        '%d quoted line(s) (%s) match that line of no reference source: '
        '%s%s' % (len(bad), numbers, detail, more), span)


def _line_mismatches(parsed, sentences, changes, refs):
    """Line numbers a review gives that no version it may have read has.

    Three sources: numbered listings that quote code, "change line N"
    claims and sentences opening with "Line N".
    """
    if not refs.lines:
        return []
    # Quoted lines are judged against the version the user says was
    # reviewed (--reviewed) alone; without one, against every version
    # this tool knows.
    quoted = ({'reviewed': refs.lines['reviewed']}
              if 'reviewed' in refs.lines else refs.lines)
    known = (lambda text, number: False) if 'reviewed' in refs.lines \
        else _known_line
    return (_listing_mismatches(parsed, changes, quoted, known) +
            _line_change_mismatches(changes, quoted) +
            _sentence_mismatches(sentences, quoted))


def _listing_mismatches(parsed, changes, quoted, known):
    """Numbered listings (not proposals) whose lines are nowhere there."""
    findings = []
    # Review lines holding a proposal (those listings are not quotes).
    proposed = set()
    for span in {c.span for c in changes
                 if c.kind not in (model.RENAME, model.REMOVE)}:
        proposed.update(range(span.start, span.end + 1))
    inline_bad = []
    inline_spans = []
    for block in parsed.blocks:
        if block.kind != 'listing' or not block.numbers or any(
                n in proposed
                for n in range(block.span.start, block.span.end + 1)):
            continue
        bad = [(number, text) for number, text in zip(
            block.numbers, block.text.split('\n')) if text.strip() and
            not any(_line_matches(text, lines, number)
                    for lines in quoted.values()) and
            not known(text, number)]
        if not bad:
            continue
        if block.info == 'inline':
            # Line-by-line descriptions: one finding for all of them.
            inline_bad.extend(bad)
            inline_spans.append(block.span)
            continue
        findings.append(_mismatch_finding(bad, block.span))
    if inline_bad:
        findings.append(_mismatch_finding(
            inline_bad, model.Span(inline_spans[0].start,
                                   inline_spans[-1].end)))
    return findings


def _line_change_mismatches(changes, quoted):
    """"Change line N" claims whose line no version has (as quoted)."""
    findings = []
    for change in changes:
        if change.kind != model.LINE_CHANGE:
            continue
        n = change.line
        if not any(1 <= n <= len(lines) for lines in quoted.values()):
            findings.append(model.Finding(
                model.LINE_MISMATCH,
                'line %d is beyond the end of every reference source' % n,
                change.span))
        elif change.old and not any(
                _line_matches(change.old, lines, n)
                for lines in quoted.values()):
            findings.append(model.Finding(
                model.LINE_MISMATCH,
                'line %d of no reference source reads `%s`' %
                (n, change.old.strip()), change.span))
    return findings


def _sentence_mismatches(sentences, quoted):
    """"Line N: `name` ..." where no version's line N mentions the name."""
    findings = []
    for sentence in sentences:
        m = _LEADING_LINE_RE.match(sentence.masked)
        if not m:
            continue
        n = int(m.group(1))
        names = [prose.name_of(sentence.codes[int(x)])
                 for x in re.findall(prose.PH, sentence.masked)]
        names = [x.split('.')[-1] for x in names if x]
        if names and not any(1 <= n <= len(lines) and any(
                re.search(r'\b%s\b' % re.escape(x), lines[n - 1])
                for x in names) for lines in quoted.values()):
            findings.append(model.Finding(
                model.LINE_MISMATCH,
                'line %d of no reference source mentions %s' %
                (n, ', '.join('`%s`' % x for x in names)),
                model.Span(sentence.line, sentence.end_line)))
    return findings


def _contradictions(changes):
    findings = []
    for change in changes:
        if change.kind not in (model.TEST_FULL, model.TEST_SNIPPET,
                               model.TEST_DIFF):
            continue
        code = _proposed_code(change)
        listing = getattr(change, 'line', 0)
        first = listing if listing > 0 else 1
        where = ('numbered as in the review\'s listing' if listing > 0
                 else 'counted in the proposed code')
        for message in contradictions_in(code, first):
            findings.append(model.Finding(
                model.CONTRADICTION,
                '%s (lines %s)' % (message, where), change.span))
    return findings


def contradictions_in(code, first_line=1):
    """Messages for placement assertions in ``code`` that cannot all hold.

    Looks, per function (or over the whole text when it does not parse),
    for: one consumer's allocation asserted against two providers or with
    two flavors on one provider; a provider asserted to have no usage and
    also an allocation or a flavor's usage; a consumer asserted to have no
    allocations and also an allocation.
    """
    tree = texts.parse_python(code)
    if tree is not None:
        groups = []
        top = []
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                groups.extend(s.body for s in node.body if isinstance(
                    s, (ast.FunctionDef, ast.AsyncFunctionDef)))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                groups.append(node.body)
            else:
                top.append(node)
        if top:
            groups.append(top)
        messages = []
        for body in groups:
            messages.extend(_analyse(_facts_from_statements(body),
                                     first_line))
        return messages
    return _analyse(_facts_from_text(code), first_line)


_WATCHED = ('assertFlavorMatchesAllocation', 'assertFlavorMatchesUsage',
            'assertEqual', 'assertDictEqual')


def _facts_from_statements(body):
    """Placement facts ``(kind, args, lineno)`` asserted by statements."""
    env = {}
    facts = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name):
                env[node.targets[0].id] = node.value
            elif isinstance(node, ast.Call):
                fact = _fact(node, env)
                if fact:
                    facts.append(fact)
    return facts


def _facts_from_text(code):
    """Like :func:`_facts_from_statements` for code that does not parse."""
    env = {}
    facts = []
    for m in re.finditer(r'\b([A-Za-z_]\w*)\s*=\s*(?=[{\w])', code):
        expr = _balanced(code, m.end())
        node = _parse_expr(expr)
        if node is not None:
            env[m.group(1)] = node
    for m in re.finditer(r'\bself\.(%s)\s*\(' % '|'.join(_WATCHED), code):
        expr = _balanced(code, m.start())
        node = _parse_expr(expr)
        if isinstance(node, ast.Call):
            fact = _fact(node, env)
            if fact:
                facts.append(fact)
    return facts


def _balanced(code, start, limit=2000):
    """The expression starting at ``start``: up to its closing bracket."""
    depth = 0
    quote = None
    end = min(len(code), start + limit)
    i = start
    while i < end:
        c = code[i]
        if quote:
            if c == '\\':
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in '\'"':
            quote = c
        elif c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth <= 0:
                return code[start:i + 1]
        elif c == '\n' and depth == 0:
            return code[start:i]
        i += 1
    return code[start:end]


def _parse_expr(text):
    try:
        return ast.parse(' '.join(text.split()), mode='eval').body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _resolve(node, env, depth=0):
    while isinstance(node, ast.Name) and node.id in env and depth < 5:
        node = env[node.id]
        depth += 1
    return node


def _is_zero_usage(node, env):
    node = _resolve(node, env)
    return (isinstance(node, ast.Dict) and node.values and all(
        isinstance(v, ast.Constant) and v.value == 0 for v in node.values))


def _usage_provider(node, env):
    node = _resolve(node, env)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == '_get_provider_usages' and node.args):
        return ast.unparse(node.args[0])
    return None


def _allocations_consumer(node, env):
    node = _resolve(node, env)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == '_get_allocations_by_server_uuid' and
            node.args):
        return ast.unparse(node.args[0])
    return None


def _arg(call, index, keyword_name):
    if len(call.args) > index:
        return call.args[index]
    for kw in call.keywords:
        if kw.arg == keyword_name:
            return kw.value
    return None


def _fact(call, env):
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    line = getattr(call, 'lineno', 0)
    if func.attr == 'assertFlavorMatchesAllocation':
        flavor = _arg(call, 0, 'flavor')
        consumer = _arg(call, 1, 'consumer_uuid')
        provider = _arg(call, 2, 'root_rp_uuid')
        if flavor is None or consumer is None or provider is None:
            return None
        return ('alloc', (ast.unparse(flavor), ast.unparse(consumer),
                          ast.unparse(provider)), line)
    if func.attr == 'assertFlavorMatchesUsage' and call.args:
        provider = ast.unparse(call.args[0])
        flavors = tuple(ast.unparse(a) for a in call.args[1:])
        if flavors:
            return ('usage', (provider, flavors), line)
        return ('no_usage', (provider,), line)
    if func.attr in ('assertEqual', 'assertDictEqual') and \
            len(call.args) >= 2:
        a, b = call.args[0], call.args[1]
        for zero, other in ((a, b), (b, a)):
            if _is_zero_usage(zero, env):
                provider = _usage_provider(other, env)
                if provider:
                    return ('no_usage', (provider,), line)
            empty = _resolve(zero, env)
            if isinstance(empty, ast.Dict) and not empty.keys:
                consumer = _allocations_consumer(other, env)
                if consumer:
                    return ('no_alloc', (consumer,), line)
    return None


def _analyse(facts, first_line=1):
    messages = []
    facts = [(k, a, line + first_line - 1) for k, a, line in facts]
    allocs = [f for f in facts if f[0] == 'alloc']
    by_consumer = {}
    for _, (flavor, consumer, provider), line in allocs:
        by_consumer.setdefault(consumer, []).append((provider, flavor, line))
    for consumer, items in by_consumer.items():
        providers = sorted({p for p, _, _ in items})
        if len(providers) > 1:
            messages.append(
                'the allocation of consumer %s is asserted against '
                'different providers (%s); assertFlavorMatchesAllocation '
                'requires all of it in one provider tree' %
                (consumer, ', '.join(providers)))
        for provider in providers:
            flavors = sorted({f for p, f, _ in items if p == provider})
            if len(flavors) > 1:
                messages.append(
                    'consumer %s is asserted to hold both %s on %s' %
                    (consumer, ' and '.join(flavors), provider))
    empty_providers = {f[1][0]: f[2] for f in facts if f[0] == 'no_usage'}
    for provider in sorted(empty_providers):
        held = [line for _, (fl, c, p), line in allocs if p == provider]
        held += [f[2] for f in facts if f[0] == 'usage' and
                 f[1][0] == provider]
        if held:
            messages.append(
                'provider %s is asserted to have no usage (line %d) and '
                'also to hold an allocation (line %d)' %
                (provider, empty_providers[provider], min(held)))
    usages = {}
    for f in facts:
        if f[0] == 'usage':
            usages.setdefault(f[1][0], set()).add(f[1][1])
    for provider, flavor_sets in sorted(usages.items()):
        if len(flavor_sets) > 1:
            messages.append(
                'provider %s is asserted to have different usages (%s)' %
                (provider, ' vs '.join(', '.join(s) for s in
                                       sorted(flavor_sets))))
    empty_consumers = {f[1][0] for f in facts if f[0] == 'no_alloc'}
    for consumer in sorted(empty_consumers & set(by_consumer)):
        messages.append(
            'consumer %s is asserted to have no allocations and also to '
            'hold an allocation' % consumer)
    return messages
