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


"""A run of one version: ``python -m nova_resize_checks.runs.worker``.

The pool starts one worker per version, confined (see
:mod:`~nova_resize_checks.runs.confinement`), and never gives it a second
version: whatever a version's code does to this process dies with it.

The worker leaves uid 0 of its user namespace, imports nova (the test
package first, so that nova decides between eventlet and native threads
before anything imports ``nova.virt``), applies this package's fix-ups,
loads the seccomp filter and the reporter
(:mod:`~nova_resize_checks.runs.guard`), and only then imports the
version's test module.  It runs the module once per variant (real nova,
or a mutant applied as a fixture for that run) and reports on its
original stdout in the subunit protocol of
:mod:`~nova_resize_checks.runs.protocol`; fd 1 then points at stderr, so
stray prints cannot mix with the results.
"""

import argparse
import contextlib
import importlib.abc
import importlib.util
import os
import sys
import time
import traceback
import unittest

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


def _recorder_class():
    import testtools

    class Recorder(testtools.TestResult):
        def __init__(self):
            super(Recorder, self).__init__()
            self.records = []
            self._started = {}

        def startTest(self, test):
            super(Recorder, self).startTest(test)
            self._started[test.id()] = time.monotonic()

        def _record(self, test, status, err=None, details=None, text=''):
            if err is not None:
                text = ''.join(traceback.format_exception(*err))
            elif details:
                # The traceback only: captured logs can be megabytes.
                content = details.get('traceback') or details.get('reason')
                text = content.as_text() if content is not None else (
                    '\n'.join(sorted(details)))
            if status == 'error' and any(m in text
                                         for m in _TIMEOUT_MARKERS):
                status = 'timeout'
            self.records.append({'id': test.id(), 'status': status,
                                 'traceback': text})

        def addSuccess(self, test, details=None):
            super(Recorder, self).addSuccess(test, details=details)
            self._record(test, 'pass')

        def addFailure(self, test, err=None, details=None):
            super(Recorder, self).addFailure(test, err, details=details)
            self._record(test, 'fail', err, details)

        def addError(self, test, err=None, details=None):
            super(Recorder, self).addError(test, err, details=details)
            self._record(test, 'error', err, details)

        def addSkip(self, test, reason=None, details=None):
            super(Recorder, self).addSkip(test, reason, details=details)
            self._record(test, 'skip', text='skipped: %s' % reason)

        def addExpectedFailure(self, test, err=None, details=None):
            super(Recorder, self).addExpectedFailure(test, err,
                                                     details=details)
            self._record(test, 'error', err, details)

        def addUnexpectedSuccess(self, test, details=None):
            super(Recorder, self).addUnexpectedSuccess(test,
                                                       details=details)
            self._record(test, 'error', text='unexpected success')

    return Recorder


def prepare(overlay):
    """Import nova and apply this package's fix-ups.

    Raises EnvironmentProblem.
    """
    if overlay:
        sys.meta_path.insert(0, _OverlayFinder(overlay))
    from nova_resize_checks import env

    env.check_environment()
    # nova decides how to patch (eventlet or native threads) here, before
    # anything below imports nova.virt.
    import nova.tests.functional  # noqa: F401
    from nova.tests.functional import integrated_helpers  # noqa: F401

    from nova_resize_checks import fixtures as nrc_fixtures
    from nova_resize_checks import mutants  # noqa: F401
    from nova_resize_checks import virt

    nrc_fixtures.install_process_wide()
    virt.register()


def run_variant(module, variant, timeout, recorder_class):
    """Run the test module once under ``variant``; returns its records."""
    import fixtures

    from nova_resize_checks import mutants

    try:
        importlib.invalidate_caches()
        suite = unittest.TestLoader().loadTestsFromName(module)
    except BaseException as exc:
        return [{'id': module, 'status': 'error',
                 'traceback': ''.join(traceback.format_exception(
                     type(exc), exc, exc.__traceback__))}]
    recorder = recorder_class()
    with contextlib.ExitStack() as stack:
        if timeout:
            stack.enter_context(fixtures.Timeout(int(timeout), gentle=True))
        if variant != REAL:
            stack.enter_context(mutants.MutantFixture(variant))
        suite.run(recorder)
    if not recorder.records:
        # A module with no tests must not pass as "nothing failed".
        return [{'id': module, 'status': 'error',
                 'traceback': 'no tests were found in %s' % module}]
    return recorder.records


def main(argv=None):
    parser = argparse.ArgumentParser(prog='nova_resize_checks.runs.worker')
    parser.add_argument('--dir', required=True,
                        help='directory holding the test module')
    parser.add_argument('--module', required=True)
    parser.add_argument('--variant', action='append', default=[])
    parser.add_argument('--overlay', action='append', default=[],
                        metavar='MODULE=FILE')
    parser.add_argument('--timeout', type=float, default=0)
    parser.add_argument('--stop-on-real-failure', action='store_true')
    parser.add_argument('--stop-at-survivor', action='store_true')
    parser.add_argument('--unconfined', action='store_true',
                        help='no identity change, no seccomp filter')
    args = parser.parse_args(argv)

    # The results go on the original stdout; fd 1 becomes stderr.
    out = os.fdopen(os.dup(1), 'wb')
    os.dup2(2, 1)
    from nova_resize_checks.runs import guard
    from nova_resize_checks.runs import protocol

    writer = protocol.Writer(out)
    if not args.unconfined:
        guard.drop_identity()
    from nova_resize_checks import env

    overlay = dict(item.partition('=')[::2] for item in args.overlay)
    sys.path.insert(0, os.path.abspath(args.dir))
    try:
        prepare(overlay)
    except env.EnvironmentProblem as exc:
        writer.environment(error=str(exc))
        return 0
    recorder_class = _recorder_class()
    writer.environment(versions=env.versions())
    attempts = []

    def report(text):
        attempts.append(text)
        writer.attempt(text)

    if not args.unconfined:
        guard.load_filter()
        guard.install_reporter(report)
    for variant in args.variant or [REAL]:
        writer.variant_started(variant)
        start = time.monotonic()
        records = run_variant(args.module, variant, args.timeout,
                              recorder_class)
        for record in records:
            writer.test(variant, record)
        writer.variant_done(variant, time.monotonic() - start)
        if attempts:
            # Refused already: nothing another variant does can matter.
            break
        if args.stop_on_real_failure and variant == REAL and any(
                r['status'] != 'pass' for r in records):
            break
        if args.stop_at_survivor and variant != REAL and records and all(
                r['status'] == 'pass' for r in records):
            break
    out.flush()
    # Do not run nova's or the version's exit handlers: the results are
    # out, and nothing after them may change them.
    os._exit(0)


if __name__ == '__main__':
    sys.exit(main())
