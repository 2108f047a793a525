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


"""The matrix's runs, in the child process that imports nova.

``python -m nova_resize_checks.matrix_child --test FILE --output FILE
[--variant NAME ...]`` runs the canonical test once per variant (real nova
and the mutants) with :class:`SoftAssertions`, and writes what each
assertion saw as one JSON document (:mod:`~nova_resize_checks.json_child`).
:mod:`nova_resize_checks.matrix` starts it and builds the matrix from it.
"""

import argparse
import importlib.util
import os
import sys
import time
import traceback

from nova_resize_checks import assertions as assertions_mod
from nova_resize_checks import env
from nova_resize_checks import json_child
from nova_resize_checks import matrix
from nova_resize_checks import mutants


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
    raise matrix.MatrixError('no test class with a %s method in the '
                             'canonical test' % method)


def measure(test_class, filename, source, variants,
            method=assertions_mod.TEST_METHOD, progress=None):
    """Run ``test_class.method`` once per variant, in this process.

    Nova's test framework must be importable (this runs nova).  Returns
    ``{variant: {'failed': {key: message}, 'reached': [keys], 'error':
    text, 'seconds': float}}``; ``error`` is set when the test failed or
    errored outside the soft assertions (the scenario broke).
    """
    import testtools

    found = matrix.find_assertions(source)
    runs = {}
    for variant in variants:
        case = test_class(method)
        soft = SoftAssertions(case, filename, found)
        result = testtools.TestResult()
        start = time.monotonic()
        if variant == matrix.REAL:
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


def main(argv=None):
    """Child-process entry point; writes a JSON document to --output."""
    parser = argparse.ArgumentParser(prog='nova_resize_checks.matrix_child')
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
        variants = args.variant or [matrix.REAL] + list(mutants.MUTANTS)
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
