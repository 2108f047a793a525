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


"""Child-process test runner: run test modules against (mutated) nova.

``python -m nova_resize_checks.child [--variant real|MUTANT ...]
[--case MODULE=VARIANT,... ...] [--path DIR] [--overlay MODULE=FILE ...]
--output RESULTS.jsonl [TEST ...]``

Used by the benchmark and the review meta-check to run a test file the
package does not control (upstream's, or a review's version of it) in a
fresh process.  It applies the wheel fix process-wide, serves nova modules
named by ``--overlay`` from the given files instead of the installed ones
(the installed nova is never written), then for each variant in turn loads
the named tests anew and runs them, with the variant's mutant applied as a
fixture for that run only.  Nova is imported once for all variants.

Each finished variant appends one JSON line to the output file as soon as
it is known, so a killed child loses only the variant it was running::

    {"case": 0, "started": "real"}
    {"case": 0, "variant": "real", "tests": [{"id", "status", "seconds",
                                              "traceback"}], "seconds": 3.1}

Statuses: ``pass``, ``fail`` (an assertion failed), ``error`` (anything
else, import errors included), ``timeout`` (nova's OS_TEST_TIMEOUT fired)
and ``skip``.  A first line ``{"environment_error": ...}`` or
``{"versions": ...}`` describes the environment.
"""

import argparse
import contextlib
import importlib.abc
import importlib.util
import json
import os
import sys
import time
import traceback
import unittest

import fixtures
import testtools

from nova_resize_checks import env

REAL = 'real'
_TIMEOUT_MARKERS = ('fixtures._fixtures.timeout.TimeoutException',
                    'TimeoutException')


class _OverlayFinder(importlib.abc.MetaPathFinder):
    """Serve some modules from overlay files instead of site-packages."""

    def __init__(self, overlay):
        self.overlay = dict(overlay)

    def find_spec(self, fullname, path=None, target=None):
        filename = self.overlay.get(fullname)
        if filename is None:
            return None
        return importlib.util.spec_from_file_location(fullname, filename)


def install_overlay(overlay):
    """overlay: {module name: file}; must run before nova is imported."""
    if overlay:
        sys.meta_path.insert(0, _OverlayFinder(overlay))


class _Recorder(testtools.TestResult):
    def __init__(self):
        super(_Recorder, self).__init__()
        self.records = []
        self._started = {}

    def startTest(self, test):
        super(_Recorder, self).startTest(test)
        self._started[test.id()] = time.monotonic()

    def _record(self, test, status, err=None, details=None, text=''):
        if err is not None:
            text = ''.join(traceback.format_exception(*err))
        elif details:
            # testtools passes the traceback as a detail next to captured
            # logs; keep the traceback only (logs can be megabytes).
            content = details.get('traceback') or details.get('reason')
            if content is not None:
                text = content.as_text()
            else:
                text = '\n'.join(sorted(details))
        if status == 'error' and any(m in text for m in _TIMEOUT_MARKERS):
            status = 'timeout'
        self.records.append({
            'id': test.id(), 'status': status, 'traceback': text,
            'seconds': round(time.monotonic() - self._started.get(
                test.id(), time.monotonic()), 3)})

    def addSuccess(self, test, details=None):
        super(_Recorder, self).addSuccess(test, details=details)
        self._record(test, 'pass')

    def addFailure(self, test, err=None, details=None):
        super(_Recorder, self).addFailure(test, err, details=details)
        self._record(test, 'fail', err, details)

    def addError(self, test, err=None, details=None):
        super(_Recorder, self).addError(test, err, details=details)
        self._record(test, 'error', err, details)

    def addSkip(self, test, reason=None, details=None):
        super(_Recorder, self).addSkip(test, reason, details=details)
        self._record(test, 'skip', text='skipped: %s' % reason)

    def addExpectedFailure(self, test, err=None, details=None):
        super(_Recorder, self).addExpectedFailure(test, err,
                                                  details=details)
        self._record(test, 'error', err, details)

    def addUnexpectedSuccess(self, test, details=None):
        super(_Recorder, self).addUnexpectedSuccess(test, details=details)
        self._record(test, 'error', text='unexpected success')


def _error_record(names, exc):
    return {'id': ' '.join(names), 'status': 'error', 'seconds': 0.0,
            'traceback': ''.join(traceback.format_exception(
                type(exc), exc, exc.__traceback__))}


def _load(names):
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in names:
        suite.addTests(loader.loadTestsFromName(name))
    return suite


def prepare(paths=(), overlay=None, sandbox_dir=None):
    """Set the process up; raises EnvironmentProblem.

    With ``sandbox_dir`` the audit hook of :mod:`sandbox` is installed once
    nova's test framework is imported: from then on the process may not
    start processes, connect to the network or write outside that
    directory.
    """
    for path in paths:
        sys.path.insert(0, os.path.abspath(path))
    install_overlay(overlay or {})
    env.check_environment()
    from nova_resize_checks import fixtures as nrc_fixtures
    from nova_resize_checks import virt

    nrc_fixtures.install_process_wide()
    virt.register()
    if sandbox_dir:
        # Imported before the hook: importing them is nova's business.
        from nova.tests.functional import integrated_helpers  # noqa: F401
        from nova_resize_checks import sandbox

        sandbox.install_audit_hook(sandbox_dir)


def run_variant(names, variant=REAL, timeout=None):
    """Run the named tests once under ``variant``; return the result.

    ``timeout`` (seconds) arms an alarm that raises TimeoutException in the
    running test; the parent kills the whole process group as a backstop.
    """
    from nova_resize_checks import mutants

    start = time.monotonic()
    records = []
    try:
        # Test files may have been written after the directory was first
        # scanned (serve mode).
        importlib.invalidate_caches()
        suite = _load(names)
    except Exception as exc:
        records.append(_error_record(names, exc))
    else:
        recorder = _Recorder()
        if timeout:
            from nova_resize_checks import sandbox

            # CPU time for this run: twice the wall-clock bound.
            sandbox.cpu_budget(2 * timeout)
        with contextlib.ExitStack() as stack:
            if timeout:
                stack.enter_context(fixtures.Timeout(int(timeout),
                                                     gentle=True))
            if variant != REAL:
                stack.enter_context(mutants.MutantFixture(variant))
            suite.run(recorder)
        records = recorder.records
        if not records:
            # A module with no tests must not pass as "nothing failed".
            records.append({'id': ' '.join(names), 'status': 'error',
                            'seconds': 0.0,
                            'traceback': 'no tests were found in %s'
                                         % ', '.join(names)})
    return {'variant': variant, 'tests': records,
            'seconds': round(time.monotonic() - start, 3)}


def _start(paths, overlay, emit, sandbox_dir=None):
    """Prepare the process; emit the first line.  False: cannot run."""
    try:
        prepare(paths, overlay, sandbox_dir)
    except env.EnvironmentProblem as exc:
        emit({'environment_error': str(exc)})
        return False
    emit({'versions': env.versions()})
    return True


def run_case(index, names, variants, emit, timeout=None,
             stop_on_real_failure=False):
    """Run one case under each variant, emitting a line per step."""
    skip_reason = None
    for variant in variants:
        if skip_reason:
            emit({'case': index, 'variant': variant,
                  'skipped': skip_reason})
            continue
        emit({'case': index, 'started': variant})
        line = run_variant(names, variant, timeout)
        line['case'] = index
        emit(line)
        if (stop_on_real_failure and variant == REAL and
                any(t['status'] != 'pass' for t in line['tests'])):
            skip_reason = ('not run: the version does not pass against '
                           'real nova, so no mutant can change its verdict')


def run_cases(cases, paths=(), overlay=None, emit=None, timeout=None,
              stop_on_real_failure=False, sandbox_dir=None):
    """Run each (test names, variants) case in turn, nova imported once.

    ``emit(dict)`` receives each line as soon as it is known; every line of
    a case carries ``case`` (its index).  Returns the list of lines.
    """
    lines = []

    def _emit(line):
        lines.append(line)
        if emit is not None:
            emit(line)

    if not _start(paths, overlay, _emit, sandbox_dir):
        return lines
    for index, (names, variants) in enumerate(cases):
        run_case(index, names, variants, _emit, timeout,
                 stop_on_real_failure)
    return lines


def run(names, variants=(REAL,), paths=(), overlay=None, emit=None,
        timeout=None, stop_on_real_failure=False):
    """Run the named tests under every variant (one case)."""
    return run_cases([(names, list(variants))], paths, overlay, emit,
                     timeout, stop_on_real_failure)


def serve(stream, paths=(), overlay=None, emit=None, timeout=None,
          stop_on_real_failure=False, sandbox_dir=None):
    """Run cases read as JSON lines from ``stream`` until it ends.

    Each request is ``{"case": N, "names": [...], "variants": [...]}``;
    after its results the child emits ``{"case": N, "finished": true}``.
    This keeps one child (and one nova import) busy for many cases.
    """
    def _emit(line):
        if emit is not None:
            emit(line)

    if not _start(paths, overlay, _emit, sandbox_dir):
        return
    for raw in stream:
        try:
            request = json.loads(raw)
            index = int(request['case'])
            names = [str(n) for n in request['names']]
            variants = [str(v) for v in request['variants']]
            # A request may carry its own bound (the parent derives it
            # after the child started).
            case_timeout = float(request.get('timeout') or timeout or 0)
        except (ValueError, KeyError, TypeError):
            continue
        run_case(index, names, variants, _emit, case_timeout or None,
                 stop_on_real_failure)
        _emit({'case': index, 'finished': True})


def _parse_overlay(items):
    overlay = {}
    for item in items:
        module, _, filename = item.partition('=')
        overlay[module] = filename
    return overlay


def _parse_case(spec):
    """'module=real,bug-1825537' -> (['module'], ['real', 'bug-1825537'])."""
    module, _, variants = spec.partition('=')
    return [module], [v for v in variants.split(',') if v] or [REAL]


def main(argv=None):
    parser = argparse.ArgumentParser(prog='nova_resize_checks.child')
    parser.add_argument('--variant', action='append', default=[])
    parser.add_argument('--case', action='append', default=[],
                        help='MODULE=VARIANT[,VARIANT...]; repeatable')
    parser.add_argument('--path', action='append', default=[])
    parser.add_argument('--overlay', action='append', default=[])
    parser.add_argument('--output', required=True)
    parser.add_argument('--timeout', type=float)
    parser.add_argument('--stop-on-real-failure', action='store_true')
    parser.add_argument('--serve', action='store_true',
                        help='read cases as JSON lines from stdin')
    parser.add_argument('--sandbox', metavar='DIR',
                        help='install the audit hook; DIR is writable')
    parser.add_argument('tests', nargs='*')
    args = parser.parse_args(argv)
    if args.serve:
        with open(args.output, 'a') as out:
            def emit_line(line):
                out.write(json.dumps(line, sort_keys=True) + '\n')
                out.flush()
            serve(sys.stdin, args.path, _parse_overlay(args.overlay),
                  emit_line, args.timeout, args.stop_on_real_failure,
                  args.sandbox)
        return 0
    cases = [_parse_case(spec) for spec in args.case]
    if args.tests:
        cases.append((args.tests, args.variant or [REAL]))
    if not cases:
        parser.error('name tests or give --case')
    with open(args.output, 'a') as out:
        def emit(line):
            out.write(json.dumps(line, sort_keys=True) + '\n')
            out.flush()
            os.fsync(out.fileno())
        run_cases(cases, args.path, _parse_overlay(args.overlay), emit,
                  args.timeout, args.stop_on_real_failure, args.sandbox)
    return 0


if __name__ == '__main__':
    sys.exit(main())
