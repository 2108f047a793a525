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

``python -m nova_resize_checks.child [--mutant NAME] [--path DIR]
--output RESULT.json TEST [TEST ...]``

Used by the benchmark and the review meta-check to run a test file the
package does not control (upstream's, or a review's version of it) in a
fresh process: it applies the wheel fix and the mutant process-wide, runs
the named tests and writes one JSON document with each test's status,
duration and traceback.  Statuses: ``pass``, ``fail`` (an assertion
failed), ``error`` (anything else raised, including import errors) and
``skip`` (reported separately; callers treat it as not passing).
"""

import argparse
import json
import os
import sys
import time
import unittest

import testtools

from nova_resize_checks import env


class _Recorder(testtools.TestResult):
    def __init__(self):
        super(_Recorder, self).__init__()
        self.records = []
        self._started = {}

    def startTest(self, test):
        super(_Recorder, self).startTest(test)
        self._started[test.id()] = time.monotonic()

    def _record(self, test, status, err=None, details=None):
        text = ''
        if err is not None:
            text = self._exc_info_to_unicode(err, test)
        elif details:
            text = '\n'.join('%s: %s' % (name, content.as_text())
                             for name, content in details.items())
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
        self.records.append({'id': test.id(), 'status': 'skip',
                             'traceback': str(reason), 'seconds': 0.0})

    def addExpectedFailure(self, test, err=None, details=None):
        super(_Recorder, self).addExpectedFailure(test, err,
                                                  details=details)
        self._record(test, 'error', err, details)

    def addUnexpectedSuccess(self, test, details=None):
        super(_Recorder, self).addUnexpectedSuccess(test, details=details)
        self._record(test, 'error', details=details)


def _load(names):
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in names:
        suite.addTests(loader.loadTestsFromName(name))
    return suite


def run(names, mutant=None, paths=()):
    """Run tests in this process and return the result document."""
    document = {'versions': env.versions(), 'mutant': mutant, 'tests': []}
    start = time.monotonic()
    try:
        for path in paths:
            sys.path.insert(0, os.path.abspath(path))
        env.check_environment()
        from nova_resize_checks import fixtures as nrc_fixtures
        from nova_resize_checks import mutants
        from nova_resize_checks import virt

        nrc_fixtures.install_process_wide()
        virt.register()
        if mutant:
            mutants.install_process_wide(mutant)
        suite = _load(names)
    except env.EnvironmentProblem as exc:
        document['environment_error'] = str(exc)
        return document
    except Exception as exc:
        # Import errors of the test module land here: the test cannot run.
        import traceback

        document['tests'].append({
            'id': ' '.join(names), 'status': 'error', 'seconds': 0.0,
            'traceback': ''.join(traceback.format_exception(
                type(exc), exc, exc.__traceback__))})
        document['seconds'] = round(time.monotonic() - start, 3)
        return document
    recorder = _Recorder()
    suite.run(recorder)
    document['tests'] = recorder.records
    # A module that loads no tests must not pass as "nothing failed".
    if not recorder.records:
        document['tests'].append({
            'id': ' '.join(names), 'status': 'error', 'seconds': 0.0,
            'traceback': 'no tests were found in %s' % ', '.join(names)})
    document['seconds'] = round(time.monotonic() - start, 3)
    return document


def main(argv=None):
    parser = argparse.ArgumentParser(prog='nova_resize_checks.child')
    parser.add_argument('--mutant')
    parser.add_argument('--path', action='append', default=[])
    parser.add_argument('--output', required=True)
    parser.add_argument('tests', nargs='+')
    args = parser.parse_args(argv)
    document = run(args.tests, args.mutant, args.path)
    tmp = args.output + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(document, f, indent=1, sort_keys=True)
    os.replace(tmp, args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
