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
