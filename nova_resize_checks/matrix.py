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

The runs happen in a child process
(:mod:`nova_resize_checks.matrix_child`): importing nova's test framework
patches the process.  The result is cached on disk per nova, placement
and package version, canonical test and mutant set, so that
:func:`catchers` can answer a verdict ("mutant X survives; only <assertion>
catches it") without running nova again.
"""

import ast
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import tempfile
import typing

from nova_resize_checks import assertions as assertions_mod
from nova_resize_checks import canonical
from nova_resize_checks import children
from nova_resize_checks import env
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
    """Content key: versions, canonical test, mutants and the measuring.

    The measuring is this module and :mod:`~nova_resize_checks.matrix_child`
    (read as files: importing the child would import nothing of nova, but
    it is the child's text that decides what a run records).
    """
    digest = hashlib.sha256()
    parts = [json.dumps(dict(env.versions(),
                             concurrency=env.concurrency()), sort_keys=True),
             source if source is not None else canonical.read_test(),
             json.dumps(list(variants or mutants.MUTANTS))]
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (mutants.__file__, __file__,
                 os.path.join(here, 'matrix_child.py')):
        with open(path, 'rb') as f:
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
    document = json_child.run('nova_resize_checks.matrix_child', args, timeout,
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
