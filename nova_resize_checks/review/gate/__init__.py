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


"""Static safety gate for Python code taken from a review.

:func:`check` reads code (a proposed test, a nova file of the overlay, a
snippet) with ``ast`` only: nothing is imported, compiled or run.  It
returns :class:`model.Finding` objects of kind ``UNSAFE_CODE`` for code that
reaches outside a test: processes, network, files outside a temp dir,
dynamic code (``eval``/``exec``/``compile``/``__import__``), the import
system, interpreter internals (``__globals__``, ``__subclasses__``, frames),
writes to ``os.environ``/``sys.path``, any use of ``sys.modules``.

``threading`` is allowed: nova itself uses it and a thread cannot leave the
process.

The gate is not a sandbox.  It is the first of two layers: the runner must
still run what passed in a separate process with limits (time, memory,
processes); loops such as ``while True: pass`` are that layer's business
and are not flagged here.

Rules, in short (the lists named are data in :mod:`.policy`; they are
applied by the walk, :mod:`.scanner`, by its call rules, :mod:`.calls`,
and by the judgements of module paths, :mod:`.modules`):

* Imports are allow-listed (:data:`ALLOWED_IMPORTS`: what a nova
  functional test legitimately imports); everything else is unsafe, and
  :data:`DENIED_IMPORTS` / :data:`DENIED_SEGMENTS` carve dangerous parts out
  of allowed packages (``nova.privsep``, ``processutils``, ...).  Of this
  package only :data:`ALLOWED_OWN_MODULES` may be imported (not the CLI, the
  runners or the review machinery: a test that imports them could spawn
  processes or tamper with the verdict).  Relative and ``*`` imports are
  unsafe.
* Attributes: names that lead to dangerous modules or functions
  (:data:`DANGEROUS_ATTRS`, e.g. ``x.subprocess``, ``x.system``,
  ``x.__globals__``) are unsafe on any object; attributes of the modules in
  :data:`MODULE_ATTRS_ALLOWED` (``os``, ``sys``, ``io``, ``eventlet``) must be
  on their allow-list and those in :data:`MODULE_ATTRS_DENIED` off their
  deny-list; private attributes of modules are unsafe.  Those restricted
  modules may not be used as values (aliased, passed, stored), except as
  the target of ``mock.patch.object(module, 'name')``.
* Calls: ``open`` for writing or appending is unsafe, and so is reading an
  absolute literal path outside a temp dir (a non-literal path may be read:
  it cannot be told statically); ``getattr``/``setattr``/
  ``delattr`` need a literal attribute name unless the object is ``self`` or
  ``cls`` (and the literal is checked like an attribute);
  ``eval``/``exec``/``compile``/``__import__``/``globals``/``vars``/
  ``locals``/``breakpoint``/``help`` are unsafe even as mere names; strings
  that ``mock.patch`` and friends will import must name known modules.

Decisions on input that cannot be read:

* Code that does not parse (``SyntaxError``, null bytes) gives one finding
  of kind ``INPUT_ERROR`` and is *not* unsafe: Python cannot compile it
  either, so it can never run; it will simply fail to apply or to run.
* Code that parses but cannot be checked (nesting too deep for ``ast``:
  ``RecursionError``/``MemoryError``; more than :data:`MAX_CHARS`
  characters or :data:`MAX_NODES` nodes; an internal error of the gate) is
  refused as ``UNSAFE_CODE``: the gate fails closed.
"""

import ast
import collections
import functools
import re
import textwrap

from nova_resize_checks.review.gate import policy
from nova_resize_checks.review.gate import scanner
from nova_resize_checks.review import model
from nova_resize_checks.review.read import texts


def check(source, filename='<review>', baseline=None):
    """Return the findings of the static gate for ``source``.

    :param source: Python source text.
    :param filename: used in messages only.
    :param baseline: optional original text of the same file (for a nova
        file of the overlay); findings the baseline already has (same rule,
        same code) are not reported, so only what a review adds is judged.
    :returns: list of :class:`model.Finding` (kinds ``UNSAFE_CODE`` and
        ``INPUT_ERROR``); an empty list means the code passed.
    """
    try:
        return _check(source, filename, baseline)
    except (RecursionError, MemoryError):
        return [_unsafe(filename, 0, 'code is nested too deeply to be '
                        'checked; refused')]
    except Exception as exc:  # fail closed, never crash on hostile input
        return [_unsafe(filename, 0, 'the safety check failed (%s); refused'
                        % type(exc).__name__)]


def check_proposed(version, nova_reader=None, test_filename='test.py'):
    """Check a :class:`model.ProposedVersion`: its test and its overlay.

    ``nova_reader(path)`` gives each overlaid file's original text, used as
    the baseline; without it overlay files are checked on their own (and
    nova's own imports will then be reported).
    """
    findings = check(version.test_source, test_filename)
    for path in sorted(version.nova_overlay):
        baseline = None
        if nova_reader is not None:
            try:
                baseline = nova_reader(path)
            except Exception:
                baseline = None
        findings.extend(check(version.nova_overlay[path], path, baseline))
    return findings


def is_unsafe(findings):
    """Whether any finding is ``UNSAFE_CODE``."""
    return any(f.kind == model.UNSAFE_CODE for f in findings)


def _unsafe(filename, line, message):
    return model.Finding(kind=model.UNSAFE_CODE,
                         message='%s:%d: %s' % (filename, line, message))


def _check(source, filename, baseline):
    if not isinstance(source, str):
        return [model.Finding(kind=model.INPUT_ERROR, message=(
            '%s: code is %s, not text' % (filename, type(source).__name__)))]
    if len(source) > policy.MAX_CHARS:
        return [_unsafe(filename, 0, 'code is too large to be checked (%d '
                        'characters, limit %d); refused'
                        % (len(source), policy.MAX_CHARS))]
    parsed = _parse(source)
    if isinstance(parsed, model.Finding):
        parsed.message = '%s: %s' % (filename, parsed.message)
        return [parsed]
    try:
        found = scanner.Scanner(*parsed).run()
    except scanner.Unreadable as exc:
        return [_unsafe(filename, 0, '%s; refused' % exc)]
    if baseline is not None and isinstance(baseline, str):
        found = _not_in_baseline(found, _placed(*parsed), baseline)
    out = []
    seen = set()
    for line, _rule, _detail, message in sorted(found, key=lambda f: f[0]):
        if (line, message) in seen:
            continue
        seen.add((line, message))
        out.append(_unsafe(filename, line, message))
    return out


def _not_in_baseline(found, place, baseline):
    """The findings that are the review's, not the original file's.

    A finding is the original's when the original has the same finding
    (rule and detail) on a line that reads the same, in a function of the
    same name (or, for a line outside any function, such as a fragment's,
    on a line that reads the same anywhere); as many times as the original
    has it.  Counting findings alone let an overlay move the original's
    construct into a helper of its own and keep the count (round 10).
    """
    by_function, by_text = (collections.Counter(keys)
                            for keys in _baseline_findings(baseline))
    kept = []
    for finding in found:
        text, function = place(finding[0])
        if function is not None:
            counter, key = by_function, (finding[1], finding[2], text,
                                         function)
        else:
            counter, key = by_text, (finding[1], finding[2], text)
        if counter[key] > 0:
            counter[key] -= 1
        else:
            kept.append(finding)
    return kept


def _placed(source, tree):
    """``place(line)``: (its text, whitespace folded; its function's name).

    The function is the innermost ``def`` whose lines hold the line, or
    None outside every function.
    """
    lines = source.split('\n')
    spans = sorted(((node.lineno, node.end_lineno, node.name)
                    for node in ast.walk(tree)
                    if isinstance(node, (ast.FunctionDef,
                                         ast.AsyncFunctionDef))),
                   key=lambda span: span[1] - span[0])

    def place(line):
        text = ' '.join(lines[line - 1].split()) \
            if 0 < line <= len(lines) else ''
        for first, last, name in spans:
            if first <= line <= last:
                return text, name
        return text, None
    return place


@functools.lru_cache(maxsize=8)
def _baseline_findings(baseline):
    """Keys of every finding of an original file, once per text.

    ``(with_function, by_text)``: (rule, detail, line text, function) and
    (rule, detail, line text) per finding, as :func:`_not_in_baseline`
    compares them.  The same nova file is the baseline of many checks
    (every overlay of a review, every quoted fragment): it is scanned once.
    """
    base = _parse(baseline)
    if isinstance(base, model.Finding):
        return (), ()
    try:
        found = scanner.Scanner(*base).run()
    except (scanner.Unreadable, RecursionError, MemoryError):
        return (), ()
    place = _placed(*base)
    with_function, by_text = [], []
    for line, rule, detail, _msg in found:
        text, function = place(line)
        with_function.append((rule, detail, text, function))
        by_text.append((rule, detail, text))
    return tuple(with_function), tuple(by_text)


def _parse(source):
    """Parse; ``(text, tree)`` or an INPUT_ERROR finding.

    Code that does not parse cannot compile either.  A snippet indented as
    a whole (a method body copied from a class) is dedented first, as the
    edit stage does.
    """
    try:
        return source, ast.parse(source)
    except SyntaxError as exc:
        dedented = textwrap.dedent(source)
        if isinstance(exc, IndentationError) and dedented != source:
            try:
                return dedented, ast.parse(dedented)
            except SyntaxError:
                pass
        where = 'line %s: ' % exc.lineno if exc.lineno else ''
        return model.Finding(kind=model.INPUT_ERROR, message=(
            'code does not parse (%s%s); it cannot run, so it is not judged '
            'unsafe' % (where, exc.msg)))
    except ValueError as exc:   # null bytes on older Pythons
        return model.Finding(kind=model.INPUT_ERROR, message=(
            'code does not parse (%s); it cannot run, so it is not judged '
            'unsafe' % exc))


def pieces(code):
    """The parts of ``code`` that parse, each on its own.

    All of it when it parses; else its runs of lines between blank lines
    that dedent to code that parses (module-level imports above an
    indented method, say), so that what a fragment would run is judged
    although the fragment as a whole does not parse.
    """
    if not code.strip():
        return []
    whole = _completed(code)
    if whole is None and _MARKED_LINE.search(code):
        # A listing with line numbers or +/- markers in front ("  +
        # with open(...)"): what it shows, without them.
        whole = _completed(_MARKED_LINE.sub('', code))
    if whole is not None:
        return [whole]
    pieces, run = [], []
    for line in code.split('\n') + ['']:
        if line.strip():
            run.append(line)
            continue
        if run and line == '' and run[-1].strip():
            piece = _completed(textwrap.dedent('\n'.join(run)) + '\n')
            if piece is not None:
                pieces.append(piece)
                run = []
    # What is left did not parse in any cut: try it whole, dedented.
    rest = _completed(textwrap.dedent('\n'.join(run)))
    if rest is not None and rest.strip():
        pieces.append(rest)
    return pieces


# A line number or a diff marker in front of a line of code.
_MARKED_LINE = re.compile(
    r'^[ \t]{0,4}(?:\d{1,6}|[+-])(?=[ \t]|$)', re.M)
# A fragment that continues a compound statement ("except Exception:" and
# its body, quoted from nova's finish_resize) parses under a stand-in head.
_CONTINUATIONS = (
    (re.compile(r'^\s*except\b'), 'try:\n    pass\n'),
    (re.compile(r'^\s*(?:else|finally)\s*:'),
     'try:\n    pass\nexcept Exception:\n    pass\n'),
    (re.compile(r'^\s*elif\b'), 'if True:\n    pass\n'),
)


def _completed(code):
    """``code`` as parseable text (dedented, maybe under a stand-in head).

    None when it does not parse either way.
    """
    if texts.parse_python(code) is not None:
        return code
    text = textwrap.dedent(code)
    for regex, head in _CONTINUATIONS:
        if regex.match(text) and texts.parse_python(
                head + text, dedent=False) is not None:
            return head + text
    return None
