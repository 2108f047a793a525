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


"""The assertion x mutant matrix of the canonical regression test.

The canonical test is run once against real nova and once per mutant of
:mod:`nova_resize_checks.mutants`, with *soft* assertions: every
``self.assert*`` call written in the test file records its failure (keyed
by the call's place in the file) and lets the test go on, so that every
assertion is evaluated under every mutant.  Assertions made inside nova's
helpers (``_boot_and_check_allocations``, the ``_wait_for_*`` helpers)
stay hard: if they fail, the scenario itself broke.

From the runs, for each assertion of the test: the mutants it catches, and
the mutants *only* it catches (the ones a version of the test without that
assertion would let through).  An assertion that no mutant needs is
redundant; the matrix says why (which other assertions catch its mutants,
or the documented reason in :data:`DOCUMENTED`).

The runs happen in a child process (``python -m
nova_resize_checks.matrix --output FILE``): importing nova's test
framework patches the process.  The result is cached on disk per nova,
placement and package version, canonical test and mutant set, so that
:func:`catchers` can answer a verdict ("mutant X survives; only <assertion>
catches it") without running nova again.
"""

import argparse
import ast
import builtins
import concurrent.futures
import dataclasses
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
import traceback
import typing

from nova_resize_checks import assertions as assertions_mod
from nova_resize_checks import canonical
from nova_resize_checks import children
from nova_resize_checks import env
from nova_resize_checks import frameworks
from nova_resize_checks import json_child
from nova_resize_checks import mutants
from nova_resize_checks.runs import results

REAL = results.REAL   # one definition: the run layer's
DEFAULT_TIMEOUT = 600.0
_FORMAT = 1

# Why an assertion that no mutant needs is there all the same, keyed by its
# code with whitespace collapsed (see Assertion.code).
DOCUMENTED = {
    "self.assertEqual('error', migration['status'])": (
        'cannot fail once reached: _wait_for_migration_status returns only '
        'a migration whose status is one of those asked for (it fails the '
        'test itself otherwise), so this documents the wait rather than '
        'checking anything'),
    "self.assertEqual( {}, self._get_allocations_by_server_uuid("
    "migration_uuid))": (
        'implied by the others in this scenario: the only providers are '
        'host1 and host2, so anything the migration consumer holds shows '
        'in their usages, which the destination-usage and source-usage '
        'assertions pin exactly; it names the leaking consumer when one of '
        'them fails, and would catch a leak on a third provider (a sharing '
        'provider, say) that this scenario does not have'),
}


class MatrixError(env.EnvironmentProblem):
    """The matrix could not be computed; says why."""


@dataclasses.dataclass(frozen=True)
class Assertion:
    """One ``self.assert*`` call written in the canonical test."""
    function: str      # the test method or helper it is in
    method: str        # assertEqual, assertFlavorMatchesUsage, ...
    line: int
    end_line: int
    code: str          # its source, whitespace collapsed

    @property
    def key(self):
        return 'L%d' % self.line

    def label(self, width=60):
        code = self.code
        if len(code) > width:
            code = code[:width - 3] + '...'
        return '%s %s' % (self.key, code)

    def to_dict(self):
        return dict(dataclasses.asdict(self), key=self.key)


def _collapse(text):
    return ' '.join(text.split())


def find_assertions(source):
    """Every ``self.assert*`` call of the test file, in source order.

    Calls nested in another assertion's arguments are part of that one.
    An unparsable source gives an empty list.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = []

    def visit(node, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if (isinstance(node, ast.Call) and
                isinstance(node.func, ast.Attribute) and
                isinstance(node.func.value, ast.Name) and
                node.func.value.id == 'self' and
                node.func.attr.startswith('assert')):
            segment = ast.get_source_segment(source, node) or ''
            found.append(Assertion(
                function=function or '', method=node.func.attr,
                line=node.lineno,
                end_line=getattr(node, 'end_lineno', node.lineno),
                code=_collapse(segment)))
            return
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    found.sort(key=lambda a: (a.line, a.end_line))
    return found


class SoftAssertions(object):
    """Record, instead of raise, failures of the test file's assertions.

    Installed on one test case instance: each ``assert*`` method the test
    file calls is shadowed by a wrapper that, when called from a line of
    the test file that is one of ``assertions``, runs the real method and
    records whatever it raises (an AssertionError, or a KeyError from a
    helper that found nothing) under that assertion's key, then returns
    None.  Calls from anywhere else (nova's helpers) are untouched.
    """

    def __init__(self, case, filename, assertions):
        self.filename = os.path.realpath(filename)
        self.assertions = list(assertions)
        self.failures = {}       # assertion key -> first message
        self.reached = set()     # assertion keys evaluated
        for name in sorted({a.method for a in self.assertions}):
            real = getattr(case, name, None)
            if callable(real):
                setattr(case, name, self._wrap(real))

    def _at(self, line):
        inside = [a for a in self.assertions
                  if a.line <= line <= a.end_line]
        if not inside:
            return None
        return min(inside, key=lambda a: a.end_line - a.line)

    def _wrap(self, real):
        def soft(*args, **kwargs):
            frame = sys._getframe(1)
            assertion = None
            if os.path.realpath(frame.f_code.co_filename) == self.filename:
                assertion = self._at(frame.f_lineno)
            del frame
            if assertion is None:
                return real(*args, **kwargs)
            self.reached.add(assertion.key)
            try:
                return real(*args, **kwargs)
            except Exception as exc:
                message = assertions_mod.first_line(
                    '%s: %s' % (type(exc).__name__, exc), 500)
                self.failures.setdefault(assertion.key, message)
                return None
        return soft


def _load_module(path, name='_nova_resize_checks_matrix_canonical'):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _test_class(module, method=assertions_mod.TEST_METHOD):
    for value in vars(module).values():
        if isinstance(value, type) and hasattr(value, method) and \
                value.__module__ == module.__name__:
            return value
    raise MatrixError('no test class with a %s method in the canonical '
                      'test' % method)


def measure(test_class, filename, source, variants,
            method=assertions_mod.TEST_METHOD, progress=None):
    """Run ``test_class.method`` once per variant, in this process.

    Nova's test framework must be importable (this runs nova).  Returns
    ``{variant: {'failed': {key: message}, 'reached': [keys], 'error':
    text, 'seconds': float}}``; ``error`` is set when the test failed or
    errored outside the soft assertions (the scenario broke).
    """
    import testtools

    found = find_assertions(source)
    runs = {}
    for variant in variants:
        case = test_class(method)
        soft = SoftAssertions(case, filename, found)
        result = testtools.TestResult()
        start = time.monotonic()
        if variant == REAL:
            case.run(result)
        else:
            with mutants.MutantFixture(variant):
                case.run(result)
        problems = [text for _, text in result.errors + result.failures]
        runs[variant] = {
            'failed': dict(soft.failures),
            'reached': sorted(soft.reached),
            'error': '\n'.join(problems)[-4000:],
            'seconds': round(time.monotonic() - start, 3),
        }
        if progress:
            progress(variant, runs[variant])
    return runs


@dataclasses.dataclass
class Matrix:
    assertions: typing.List[Assertion]
    runs: typing.Dict[str, dict]
    versions: typing.Dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def mutants(self):
        return [v for v in self.runs if v != REAL]

    def caught(self, mutant):
        """Keys of the assertions that failed under ``mutant``."""
        return set(self.runs[mutant]['failed'])

    def catches(self, assertion):
        return [m for m in self.mutants
                if assertion.key in self.runs[m]['failed']]

    def only(self, assertion):
        """Mutants that this assertion, and no other, catches."""
        return [m for m in self.mutants
                if self.caught(m) == {assertion.key}]

    def uncaught(self):
        """Mutants no assertion catches (and the scenario did not break)."""
        return [m for m in self.mutants
                if not self.caught(m) and not self.runs[m]['error']]

    def broken(self):
        """Variants whose scenario broke outside the soft assertions."""
        return [v for v, run in self.runs.items()
                if run['error'] and not run['failed']]

    def redundant_reason(self, assertion):
        """Why no mutant needs ``assertion``; None when one does."""
        if self.only(assertion):
            return None
        caught = self.catches(assertion)
        documented = DOCUMENTED.get(assertion.code)
        if caught:
            by_key = {a.key: a for a in self.assertions}
            parts = []
            for mutant in caught:
                others = sorted(self.caught(mutant) - {assertion.key},
                                key=lambda k: by_key[k].line
                                if k in by_key else 0)
                parts.append('%s also by %s' % (mutant, ', '.join(others)))
            reason = ('every mutant it catches is caught by another '
                      'assertion too (%s)' % '; '.join(parts))
        else:
            reason = 'no mutant makes it fail'
        if documented:
            reason += '; ' + documented
        return reason

    def run_order(self):
        """Mutants, fewest catching assertions first (ties: set order)."""
        names = list(mutants.MUTANTS)
        return sorted(self.mutants, key=lambda m: (
            len(self.caught(m)) or len(self.assertions) + 1,
            names.index(m) if m in names else len(names)))

    def to_dict(self):
        rows = []
        for assertion in self.assertions:
            rows.append(dict(
                assertion.to_dict(),
                catches=self.catches(assertion),
                only=self.only(assertion),
                real_failure=self.runs.get(REAL, {}).get(
                    'failed', {}).get(assertion.key),
                redundant=self.redundant_reason(assertion)))
        return {
            'format': _FORMAT,
            'versions': self.versions,
            'assertions': rows,
            'mutants': {m: {'caught_by': sorted(
                self.caught(m), key=lambda k: int(k[1:])),
                'seconds': self.runs[m]['seconds'],
                'error': self.runs[m]['error'] if not self.caught(m)
                else ''} for m in self.mutants},
            'real': self.runs.get(REAL),
            'uncaught': self.uncaught(),
            'run_order': self.run_order(),
        }

    def to_cache(self):
        return {'format': _FORMAT, 'versions': self.versions,
                'assertions': [dataclasses.asdict(a)
                               for a in self.assertions],
                'runs': self.runs}

    @classmethod
    def from_cache(cls, data):
        if data.get('format') != _FORMAT:
            raise ValueError('matrix cache format %r' % data.get('format'))
        return cls([Assertion(**a) for a in data['assertions']],
                   _ordered(data['runs']), data.get('versions', {}))


def _ordered(runs):
    """Runs in the order of the mutant set (real first), others after."""
    order = [REAL] + list(mutants.MUTANTS)
    return dict(sorted(runs.items(), key=lambda item: (
        order.index(item[0]) if item[0] in order else len(order),
        item[0])))


def build(source, runs, versions=None):
    return Matrix(find_assertions(source), _ordered(runs), versions or {})


def cache_key(source=None, variants=None):
    """Content key: versions, canonical test, mutants and this module."""
    digest = hashlib.sha256()
    parts = [json.dumps(dict(env.versions(),
                             concurrency=env.concurrency()), sort_keys=True),
             source if source is not None else canonical.read_test(),
             json.dumps(list(variants or mutants.MUTANTS))]
    for module in (mutants, sys.modules[__name__]):
        with open(module.__file__, 'rb') as f:
            parts.append(f.read().decode('utf-8', 'replace'))
    for part in parts:
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()


def cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'nova-resize-checks', 'matrix')


def _cache_path(key, directory=None):
    return os.path.join(directory or cache_dir(), key + '.json')


def cached(source=None, directory=None):
    """The cached matrix for the installed versions, or None."""
    try:
        with open(_cache_path(cache_key(source), directory)) as f:
            return Matrix.from_cache(json.load(f))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(key, matrix, directory=None):
    directory = directory or cache_dir()
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix='.tmp')
    with os.fdopen(fd, 'w') as f:
        json.dump(matrix.to_cache(), f, sort_keys=True)
    os.replace(tmp, _cache_path(key, directory))


def _run_child(path, variants, timeout, python, progress=None):
    """One child process running ``variants``; returns its runs."""
    args = ['--test', path]
    for variant in variants:
        args += ['--variant', variant]

    def done(variant, seconds):
        if progress:
            progress('done', version='matrix', variant=variant,
                     outcome='measured', seconds=seconds)
    document = json_child.run('nova_resize_checks.matrix', args, timeout,
                              python, MatrixError, 'the matrix child',
                              'the matrix runs', on_progress=done)
    if 'matrix_error' in document:
        raise MatrixError(document['matrix_error'])
    return document


def compute(timeout=DEFAULT_TIMEOUT, use_cache=True, python=None, jobs=1,
            directory=None, progress=None):
    """The matrix for the installed nova: from cache, else run children.

    The variants (real nova and every mutant) are shared among ``jobs``
    child processes that run side by side.  ``directory``: where the
    result is cached (default :func:`cache_dir`).  ``progress(event,
    **kw)`` hears a ``plan`` and a ``done`` per variant measured, as from
    :class:`runs.pool.Pool`.  Raises EnvironmentProblem when nova cannot
    run here and MatrixError when the runs did not finish.
    """
    source = canonical.read_test()
    key = cache_key(source)
    if not use_cache:
        return _compute(source, key, timeout, python, jobs, None, progress)
    found = cached(source, directory)
    if found is not None:
        return found
    # One work unit: a second invocation on the same cache waits for the
    # one measuring this matrix, then reads it from the cache.
    from nova_resize_checks.runs import cache as cache_mod

    lock = cache_mod.Lock(_cache_path(key, directory)[:-5] + '.lock',
                          children.cancelled)
    try:
        found = cached(source, directory)
        if found is not None:
            return found
        return _compute(source, key, timeout, python, jobs, directory,
                        progress, store=True)
    finally:
        lock.release()


def _compute(source, key, timeout, python, jobs, directory, progress,
             store=False):
    path = canonical.test_path()
    variants = [REAL] + list(mutants.MUTANTS)
    jobs = max(1, min(jobs or 1, len(variants)))
    shares = [variants[index::jobs] for index in range(jobs)]
    if progress:
        progress('plan', total=len(variants), cached=0, what='matrix')
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        documents = list(pool.map(
            lambda share: _run_child(path, share, timeout, python,
                                     progress), shares))
    runs = {}
    for document in documents:
        runs.update(document['runs'])
    matrix = build(source, runs, documents[0]['versions'])
    real = matrix.runs.get(REAL, {})
    if real.get('failed') or real.get('error'):
        raise MatrixError(
            'the canonical test does not pass against the installed nova, '
            'so the matrix means nothing: %s' % (
                '; '.join('%s: %s' % item for item in
                          sorted(real.get('failed', {}).items())) or
                assertions_mod.first_line(real.get('error'), 500)))
    if store and not children.cancelled():
        try:
            _store(key, matrix, directory)
        except OSError:
            pass
    return matrix


def catchers(survivors, matrix=None, source=None):
    """For a verdict: the canonical assertions that catch each survivor.

    ``survivors``: mutant names a proposed version passed against.  Uses
    ``matrix``, else the cached matrix of the installed versions (None is
    returned when there is none: compute() it first).  Returns ``{mutant:
    [Assertion, ...]}`` in source order; a survivor that only one
    assertion catches maps to that one assertion.
    """
    if matrix is None:
        matrix = cached(source)
        if matrix is None:
            return None
    by_key = {a.key: a for a in matrix.assertions}
    answer = {}
    for mutant in survivors:
        if mutant not in matrix.runs:
            answer[mutant] = []
            continue
        answer[mutant] = sorted((by_key[k] for k in matrix.caught(mutant)
                                 if k in by_key), key=lambda a: a.line)
    return answer


def describe_survivors(survivors, matrix=None, source=None):
    """One sentence per survivor, for a ``weakens`` reason; or None."""
    found = catchers(survivors, matrix, source)
    if found is None:
        return None
    sentences = []
    for mutant in survivors:
        caught_by = found.get(mutant) or []
        if not caught_by:
            sentences.append('mutant %s survives' % mutant)
            continue
        sentences.append('mutant %s survives; in the canonical test it is '
                         'caught only by %s' % (mutant, ' and '.join(
                             '%s `%s`' % (a.key, a.code)
                             for a in caught_by)))
    return '; '.join(sentences)


# Calls a changed assertion may make without possibly changing what the
# rest of the test sees: placement and API reads, and pure builtins.
_READ_ONLY_CALLS = frozenset((
    'self._get_provider_usages', 'self._get_allocations_by_server_uuid',
    'self._get_provider_uuid_by_host', 'self.get_migration_uuid_for_instance',
    'self._resources_from_flavor', 'self._get_all_rp_uuids_in_a_tree',
    'len', 'dict', 'set', 'list', 'tuple', 'sorted', 'str', 'int', 'sum',
    'min', 'max', 'abs', 'bool'))


# Assertions that only compare the values they are given (assertRaises
# and assertThat, say, may call what they are given).
_READ_ONLY_ASSERTIONS = frozenset((
    'assertEqual', 'assertNotEqual', 'assertIn', 'assertNotIn', 'assertIs',
    'assertIsNot', 'assertIsNone', 'assertIsNotNone', 'assertTrue',
    'assertFalse', 'assertGreater', 'assertGreaterEqual', 'assertLess',
    'assertLessEqual', 'assertDictEqual', 'assertListEqual',
    'assertSetEqual', 'assertTupleEqual', 'assertSequenceEqual',
    'assertCountEqual', 'assertItemsEqual', 'assertAlmostEqual',
    'assertNotAlmostEqual', 'assertIsInstance', 'assertNotIsInstance',
    'assertRegex', 'assertNotRegex', 'assertFlavorMatchesAllocation',
    'assertFlavorMatchesUsage', 'assertRequestMatchesUsage'))


_dotted = assertions_mod.dotted


def _assertion_call(stmt):
    """The self.assert* call a statement consists of, or None."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = _dotted(stmt.value.func)
        if name.startswith('self.assert'):
            return stmt.value
    return None


def _side_effect_free(expression, assertion=None):
    """True when evaluating ``expression`` only reads.

    Calls other than placement/API reads and pure builtins are refused,
    except the ``assertion`` call itself (whose arguments must still only
    read), as are lambdas and assignment expressions.
    """
    for node in ast.walk(expression):
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await,
                             ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Call) and node is not assertion and (
                _dotted(node.func) not in _READ_ONLY_CALLS or node.keywords
                or any(isinstance(a, ast.Starred) for a in node.args)):
            # (``sorted(x, key=d.update)``: a "pure" builtin given a
            # function calls it.  Reads take no keywords.)
            return False
    return True


# Calls an added statement may make and still be known not to raise: the
# placement and API reads of nova's test helpers (what they are asked for
# exists under every mutant: the providers, the server, its migration).
_NON_RAISING_READS = frozenset(
    c for c in _READ_ONLY_CALLS if c.startswith('self.'))
# Keys every server the API returns and every provider's usages hold,
# whatever nova did (not ``fault``: only a server in ERROR has one).
_STABLE_KEYS = frozenset((
    'id', 'name', 'status', 'flavor', 'OS-EXT-SRV-ATTR:host',
    'OS-EXT-STS:vm_state', 'OS-EXT-STS:task_state', 'VCPU', 'MEMORY_MB',
    'DISK_GB'))
# Expressions whose evaluation cannot raise or hang on the values a test
# holds: names, literals, ``self.<attribute>``, truth and equality.
# (Not ``and``/``or``: they give one of their operands, so the type of
# what they make can change with the values, round 7.)
_NON_RAISING_NODES = (
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple)
# Assertions that, given such values, fail or pass and do nothing else:
# not a regular expression (its time depends on the text, round 7), nor
# one that hashes, subtracts or calls what it is given.
_NON_RAISING_ASSERTIONS = frozenset((
    'assertEqual', 'assertNotEqual', 'assertIs', 'assertIsNot',
    'assertIsNone', 'assertIsNotNone', 'assertTrue', 'assertFalse',
    'assertIn', 'assertNotIn', 'assertDictEqual', 'assertListEqual',
    'assertTupleEqual', 'assertFlavorMatchesAllocation',
    'assertFlavorMatchesUsage'))


def _cannot_raise(stmt, assertion=None):
    """True when an added statement can only bind a value or fail.

    :func:`still_caught` reasons that a kept assertion is still reached
    under a mutant, so an added statement before it must not end the run
    another way: ``1 // (usage == {...})`` raises ZeroDivisionError under
    exactly the mutants that change ``usage`` (an error, which catches no
    mutant; round 6).  Subscripts, arithmetic, ordering comparisons and
    builtins can raise; only what :data:`_NON_RAISING_NODES` lists,
    subscripts by :data:`_STABLE_KEYS`, and placement reads of such
    arguments (and their ``len``) are allowed.  ``assertion``: the
    statement's assertion call, whose own failure is what it is for.
    """
    value = assertion if assertion is not None else getattr(
        stmt, 'value', None)
    if value is None or (assertion is not None and (
            not isinstance(assertion.func, ast.Attribute) or
            assertion.func.attr not in _NON_RAISING_ASSERTIONS)):
        return False
    todo = list(value.args) + [k.value for k in value.keywords] \
        if assertion is not None else [value]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Call) and _dotted(node.func) == 'len' and \
                len(node.args) == 1 and isinstance(node.args[0], ast.Call):
            # The size of what a read returns (a dict, whatever nova did).
            todo.append(node.args[0])
        elif isinstance(node, ast.Call):
            if _dotted(node.func) not in _NON_RAISING_READS or \
                    node.keywords:
                return False
            todo.extend(node.args)
        elif isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and
                    node.value.id == 'self'):
                return False
        elif isinstance(node, ast.Subscript):
            if not (isinstance(node.value, ast.Name) and isinstance(
                    node.slice, ast.Constant) and
                    node.slice.value in _STABLE_KEYS):
                return False
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.Not):
                return False
            todo.append(node.operand)
        elif isinstance(node, (ast.Dict, ast.Set)):
            # Keys and members are hashed: only literals are known to be
            # hashable whatever nova did.
            keys = node.keys if isinstance(node, ast.Dict) else node.elts
            if not all(isinstance(k, ast.Constant) for k in keys):
                return False
            todo.extend(getattr(node, 'values', ()))
        elif isinstance(node, ast.Compare):
            if not all(isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot))
                       for op in node.ops):
                return False
            todo.extend([node.left] + node.comparators)
        elif isinstance(node, _NON_RAISING_NODES):
            todo.extend(ast.iter_child_nodes(node))
        else:
            return False
    return True


@dataclasses.dataclass
class _Statement:
    """An assertion or read-only assignment, outside the skeleton."""
    stmt: ast.stmt
    scope: tuple       # path of the enclosing function
    position: tuple    # (block path, skeleton statements before it)
    order: int         # source order among these statements
    dump: str
    assigns: typing.Optional[str]
    reads: frozenset
    read_only: bool
    cannot_raise: bool
    matched: typing.Optional['_Statement'] = None


def _names_read(node):
    return frozenset(n.id for n in ast.walk(node)
                     if isinstance(n, ast.Name) and
                     isinstance(n.ctx, ast.Load) and n.id != 'self')


# Names a read-only assignment may never bind: the test case itself and
# the builtins every statement may call (``self = <a mock>`` would turn
# every later assertion into a call that cannot fail).
_NEVER_REBOUND = frozenset(('self', 'cls')) | frozenset(dir(builtins))


def _read_only_assignment(stmt, module_names=frozenset()):
    """The name a ``name = <read-only expression>`` statement binds.

    The expression must compute a value (a read, a literal, a comparison)
    or copy a local one, not alias an object: an attribute path, or a
    module-level name, ``self`` or a builtin, may reach anything, a mock
    included.  The name bound must not be one of :data:`_NEVER_REBOUND`.
    """
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], ast.Name)):
        return None
    value = stmt.value
    if stmt.targets[0].id in _NEVER_REBOUND or \
            isinstance(value, ast.Attribute) or (
                isinstance(value, ast.Name) and (
                    value.id in _NEVER_REBOUND or
                    value.id in module_names)):
        return None
    return stmt.targets[0].id if _side_effect_free(value) else None


def _module_names(tree):
    """Names a module binds at its top level (imports, defs, classes)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split('.')[0]
                         for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                               ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets
                         if isinstance(target, ast.Name))
    return frozenset(names)


def _function_locals(function, keywords):
    """Parameters and names a function binds, in order (for renaming).

    Parameters some call passes by keyword keep their name, as do names
    declared global or nonlocal.
    """
    names = []
    arguments = function.args
    for arg in (arguments.posonlyargs + arguments.args +
                ([arguments.vararg] if arguments.vararg else []) +
                arguments.kwonlyargs +
                ([arguments.kwarg] if arguments.kwarg else [])):
        if arg.arg != 'self' and arg.arg not in keywords and \
                arg.arg not in names:
            names.append(arg.arg)
    fixed = set()
    for node in ast.walk(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            fixed.update(node.names)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(
                node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
    return [n for n in names if n not in fixed]


def _normalize(tree, reserved):
    """Rename what a consistent rename may change, by structure.

    Each function's parameters and local names become ``_v0``, ``_v1``...
    in order of appearance; with ``reserved`` (names nova's test framework
    defines or uses), the test class's own private helper methods become
    ``_m0``, ``_m1``... in definition order, where no string names them
    and neither name is reserved.  Two versions that differ only by such
    renames then have the same dump.
    """
    keywords = {kw.arg for node in ast.walk(tree)
                if isinstance(node, ast.Call) for kw in node.keywords
                if kw.arg}
    for function in [n for n in ast.walk(tree)
                     if isinstance(n, (ast.FunctionDef,
                                       ast.AsyncFunctionDef))]:
        mapping = {name: '_v%d' % index for index, name in
                   enumerate(_function_locals(function, keywords))}
        for arg in ast.walk(function.args):
            if isinstance(arg, ast.arg) and arg.arg in mapping:
                arg.arg = mapping[arg.arg]
        for statement in function.body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and node.id in mapping:
                    node.id = mapping[node.id]
    if not reserved:
        return
    strings = {node.value for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and
               isinstance(node.value, str)}
    for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
        methods = [n for n in cls.body
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and n.name.startswith('_') and
                   not n.name.startswith('__') and
                   n.name not in reserved and n.name not in strings]
        mapping = {m.name: '_m%d' % index
                   for index, m in enumerate(methods)}
        for method in methods:
            method.name = mapping[method.name]
        for node in ast.walk(cls):
            if (isinstance(node, ast.Attribute) and
                    isinstance(node.value, ast.Name) and
                    node.value.id == 'self' and node.attr in mapping):
                node.attr = mapping[node.attr]


def _skeleton(source, rename=False, reserved=frozenset()):
    """(dump of the code without its movable statements, [_Statement]).

    Movable statements are ``self.assert*`` calls and assignments of a
    read-only expression to a name; the rest (the skeleton) is what drives
    nova.  Docstrings are dropped.  None for an unparsable source.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if rename:
        _normalize(tree, reserved)
    found = []
    skeleton_reads = []     # (scope, names) read by skeleton statements
    module_names = _module_names(tree)

    def strip(body, path, scope, in_function):
        kept = []
        for stmt in body:
            if isinstance(stmt, ast.Expr) and isinstance(
                    stmt.value, ast.Constant) and isinstance(
                    stmt.value.value, str):
                continue
            call = _assertion_call(stmt)
            # Class and module attributes configure nova's test framework
            # (compute_driver, say): never movable.
            assigns = _read_only_assignment(stmt, module_names) \
                if in_function else None
            if call is not None or assigns is not None:
                found.append(_Statement(
                    stmt=stmt, scope=scope, position=(path, len(kept)),
                    order=len(found),
                    dump=ast.dump(stmt, include_attributes=False),
                    assigns=assigns, reads=_names_read(stmt),
                    read_only=assigns is not None or (
                        call.func.attr in _READ_ONLY_ASSERTIONS and
                        _side_effect_free(call, assertion=call)),
                    cannot_raise=_cannot_raise(stmt, call)))
                continue
            inner, function = scope, in_function
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                                 ast.ClassDef)):
                inner = path + ((len(kept), stmt.name),)
                function = not isinstance(stmt, ast.ClassDef)
            own = [stmt]
            for field in ('body', 'orelse', 'finalbody'):
                sub = getattr(stmt, field, None)
                if isinstance(sub, list) and sub and \
                        isinstance(sub[0], ast.stmt):
                    setattr(stmt, field, strip(
                        sub, path + ((len(kept), field),), inner,
                        function) or [ast.Pass()])
            for index, handler in enumerate(getattr(stmt, 'handlers', [])):
                handler.body = strip(handler.body, path + (
                    (len(kept), 'handler%d' % index),), inner,
                    function) or [ast.Pass()]
            for node in own:
                skeleton_reads.append((scope, _names_read(node)))
            kept.append(stmt)
        return kept

    tree.body = strip(tree.body, (), (), False)
    # A compound statement's reads include its (stripped) body's; that
    # only makes the check below stricter.
    return ast.dump(tree, include_attributes=False), found, skeleton_reads


def _assignments(statements, scope, name):
    return [s for s in statements if s.scope == scope and s.assigns == name]


def _stable(statement, base, proposed, seen=frozenset()):
    """Does ``statement`` (kept) see the same values as in the canonical?

    Every name it reads is bound by the same read-only assignments, before
    it, in both versions (or by none: then the skeleton, which is equal,
    binds it).
    """
    twin = statement.matched
    for name in statement.reads:
        if name in seen:
            return False
        mine = _assignments(base, statement.scope, name)
        theirs = _assignments(proposed, statement.scope, name)
        if not mine and not theirs:
            continue
        if len(mine) != 1 or len(theirs) != 1 or \
                mine[0].matched is not theirs[0]:
            return False
        if not (mine[0].order < statement.order and
                theirs[0].order < twin.order):
            return False
        if not _stable(mine[0], base, proposed, seen | {name}):
            return False
    return True


def _kept_assertions(base, proposed):
    """Lines of canonical assertions kept unchanged, seeing the same values.

    Empty when the versions differ in more than read-only statements.
    """
    if base is None or proposed is None or base[0] != proposed[0]:
        return set()
    base_statements, proposed_statements = base[1], proposed[1]
    free = list(proposed_statements)
    for statement in base_statements:
        for other in free:
            if (other.scope, other.position, other.dump) == (
                    statement.scope, statement.position, statement.dump):
                statement.matched, other.matched = other, statement
                free.remove(other)
                break
    # What was removed or added must not change what nova or later
    # statements see.
    for statement in base_statements + proposed_statements:
        if statement.matched is None and not statement.read_only:
            return set()
    # What was added must not end the run before a kept assertion.
    if any(s.matched is None and not s.cannot_raise
           for s in proposed_statements):
        return set()
    # Names the skeleton reads must be bound as in the canonical.
    for scope, names in base[2]:
        for name in names:
            mine = _assignments(base_statements, scope, name)
            theirs = _assignments(proposed_statements, scope, name)
            if len(mine) != len(theirs) or any(
                    m.matched is not t for m, t in zip(mine, theirs)):
                return set()
    return {s.stmt.lineno for s in base_statements
            if s.matched is not None and s.assigns is None and
            _stable(s, base_statements, proposed_statements)}


def still_caught(proposed_source, matrix, canonical_source=None,
                 helper_names=frozenset()):
    """Mutants a proposed *test-only* version is known to still catch.

    For a version whose code is the canonical test's except for
    assertions and read-only assignments (a name bound to an expression
    that only reads placement or the API), a mutant is still caught when
    one of the canonical assertions that catch it (in ``matrix``) is kept
    unchanged at the same place, sees the same values, and every
    statement that was changed, added, moved or removed only reads: the
    test then runs as the canonical one does up to that assertion under
    the mutant and fails there at the latest.  Returns ``{mutant:
    Assertion}`` (the unchanged assertion that still catches it); ``{}``
    when nothing can be said and every mutant must be run.  Not for
    versions that also patch nova.

    Consistent renames of parameters and local names are seen through;
    so are renames of the test class's private helper methods when
    ``helper_names`` (the names nova's test framework defines or uses,
    e.g. ``review.findings.nova_helper_names()``) is given, so that a
    rename cannot silently override one of nova's hooks.
    """
    if canonical_source is None:
        canonical_source = canonical.read_test()
    # A rename onto a name the test framework defines or looks up
    # (testtools' ``_report_failure``, round 8) overrides it: never seen
    # through.
    if helper_names:
        helper_names = frozenset(helper_names) | frameworks.testcase_names()
    # Names as written first (a deletion shifts the renamed ones), then
    # with consistent renames seen through; either way is sound alone.
    kept = set()
    for rename in (False, True):
        kept |= _kept_assertions(
            _skeleton(canonical_source, rename, helper_names),
            _skeleton(proposed_source, rename, helper_names))
    by_line = {a.line: a for a in matrix.assertions}
    answer = {}
    for mutant in matrix.mutants:
        if matrix.runs[mutant]['error']:
            continue
        for key in sorted(matrix.caught(mutant), key=lambda k: int(k[1:])):
            line = int(key[1:])
            if line in kept and line in by_line:
                answer[mutant] = by_line[line]
                break
    return answer


def main(argv=None):
    """Child-process entry point; writes a JSON document to --output."""
    parser = argparse.ArgumentParser(prog='nova_resize_checks.matrix')
    parser.add_argument('--test', required=True)
    parser.add_argument('--output', required=True)
    parser.add_argument('--variant', action='append')
    args = parser.parse_args(argv)
    document = {'versions': env.versions()}
    try:
        env.check_environment()
        # nova decides between eventlet and native threads here, before
        # anything imports nova.virt or nova's fixtures.
        import nova.tests.functional  # noqa: F401

        from nova_resize_checks import fixtures as nrc_fixtures

        nrc_fixtures.install_process_wide()
        with open(args.test) as f:
            source = f.read()
        module = _load_module(args.test)
        variants = args.variant or [REAL] + list(mutants.MUTANTS)
        document['runs'] = measure(
            _test_class(module), args.test, source, variants,
            progress=lambda variant, run: json_child.progress_line(
                variant, run['seconds']))
    except env.EnvironmentProblem as exc:
        document['environment_error'] = str(exc)
    except Exception:
        document['matrix_error'] = traceback.format_exc()[-4000:]
    json_child.write(args.output, document)
    return 0


if __name__ == '__main__':
    sys.exit(main())
