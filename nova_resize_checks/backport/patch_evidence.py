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


"""The evidence on one copy of the tree: its static verdict and scenario.

The scenario runs with the copy first on the child's ``PYTHONPATH``, so
its ``nova`` package replaces the installed one while nova's dependencies
stay those installed, or with another environment's interpreter through
the release matrix's scenario script.  When it cannot run, the report
says why.  :func:`_combined` makes one verdict of the two.
"""

import json
import os
import subprocess
import tempfile

from nova_resize_checks.backport import patch_input
from nova_resize_checks.backport import release
from nova_resize_checks.backport import static
from nova_resize_checks.backport import versions
from nova_resize_checks import env
from nova_resize_checks import outcome
from nova_resize_checks import reproduce

_DYNAMIC = {outcome.FIXED: static.FIXED, outcome.AFFECTED: static.AFFECTED,
            outcome.UNEXPECTED: static.UNKNOWN}


def _static(tree):
    """Static verdict of a temporary copy, paths relative to the copy."""
    try:
        result = static.classify_tree(tree).to_dict()
    except static.StaticCheckError as exc:
        return {'verdict': static.UNKNOWN,
                'error': str(exc).replace(tree + os.sep, '')}
    result['path'] = os.path.relpath(result['path'], tree)
    result['detail'] = result['detail'].replace(tree + os.sep, '')
    return result


def _legacy_script():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'legacy_scenario.py')


def _child_env(tree):
    environ = dict(os.environ)
    environ['PYTHONPATH'] = os.pathsep.join(
        [tree] + ([environ['PYTHONPATH']] if environ.get('PYTHONPATH')
                  else []))
    return environ


def interpreter_nova(python):
    """The nova version installed for another interpreter, or None."""
    try:
        proc = subprocess.run([python, _legacy_script(), '--versions'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=120,
                              check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise patch_input.PatchInputError(
            '--python %s: cannot run it: %s' % (python, exc))
    try:
        return json.loads(proc.stdout.decode('utf-8', 'replace'))['nova']
    except (ValueError, KeyError):
        raise patch_input.PatchInputError(
            '--python %s: cannot tell its nova version: %s' % (
                python, proc.stderr.decode(
                    'utf-8', 'replace').strip()[-500:]))


def _dynamic_report(document):
    observation = document['observation']
    verdict, reasons = outcome.classify(observation)
    return {'run': True, 'verdict': _DYNAMIC[verdict], 'outcome': verdict,
            'reason': '; '.join(reasons) or
            'placement holds the fixed outcome',
            'usage': outcome.usage_summary(observation),
            'seconds': document['seconds']}


def _run_legacy(tree, timeout, python):
    with tempfile.TemporaryDirectory(prefix='nrc-legacy-') as tmp:
        output = os.path.join(tmp, 'observation.json')
        try:
            proc = subprocess.run(
                [python, _legacy_script(), '--output', output],
                env=_child_env(tree), cwd=tmp, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {'run': True, 'verdict': static.UNKNOWN,
                    'reason': 'the scenario did not finish within %ss'
                              % timeout}
        except OSError as exc:
            return {'run': False, 'verdict': None,
                    'reason': 'not run: cannot start %s: %s' % (python, exc)}
        if not os.path.exists(output):
            return {'run': True, 'verdict': static.UNKNOWN,
                    'reason': 'the scenario wrote no result (exit %s): %s'
                              % (proc.returncode, proc.stderr.decode(
                                  'utf-8', 'replace')[-2000:])}
        with open(output) as handle:
            document = json.load(handle)
    if 'observation' not in document:
        return {'run': True, 'verdict': static.UNKNOWN,
                'reason': 'the scenario failed: %s'
                          % document.get('scenario_error', '')[-2000:]}
    return _dynamic_report(document)


def run_scenario(tree, timeout, python=None):
    """Run the scenario with ``tree``'s nova package; the dynamic report.

    The one place patch mode starts the scenario: the child gets ``tree``
    first on PYTHONPATH so ``import nova`` finds the copy.  With
    ``python`` (another environment's interpreter, e.g. a matrix
    environment of an old release) the matrix's scenario script runs
    there; otherwise the package's scenario runs here.
    """
    if python:
        return _run_legacy(tree, timeout, python)
    saved = os.environ.get('PYTHONPATH')
    os.environ['PYTHONPATH'] = os.pathsep.join(
        [tree] + ([saved] if saved else []))
    try:
        report = reproduce.reproduce(timeout=timeout)
    except env.EnvironmentProblem as exc:
        return {'run': False, 'verdict': None, 'reason': 'not run: %s' % exc}
    except reproduce.ScenarioError as exc:
        return {'run': True, 'verdict': static.UNKNOWN,
                'reason': 'the scenario failed: %s' % str(exc)[-2000:]}
    finally:
        if saved is None:
            os.environ.pop('PYTHONPATH', None)
        else:
            os.environ['PYTHONPATH'] = saved
    return {'run': True, 'verdict': _DYNAMIC[report['verdict']],
            'outcome': report['verdict'],
            'reason': '; '.join(report['reasons']) or
            'placement holds the fixed outcome',
            'usage': report['usage'], 'seconds': report['seconds']}


def _why_not_dynamic(version, installed, where='here'):
    if installed is None:
        return 'not run: no nova is installed %s (%s)' % (where,
                                                          env.INSTALL_HINT)
    if not version:
        return ('not run: the version of the tree is unknown, so it cannot '
                'be matched with the nova %s installed %s'
                % (installed, where))
    # A branch tip (19.0.1-5-geaa1fc6159) runs with the environment of
    # the release it descends from.
    base = versions.release_of(version)[0]
    if base != installed:
        matrix = release.matrix_env(base)
        return ('not run: the tree is nova %s but the nova installed %s '
                'is %s, and nova %s needs its own dependencies (run this '
                'command where nova %s is installed, or name such an '
                'environment\'s interpreter with --python, e.g. %s)' % (
                    version, where, installed, base, base,
                    '.tox/%s/bin/python, made by "tox -e %s" (%s)' % (
                        matrix, matrix, release.MATRIX_NOTE) if matrix else
                    'a "tox -e matrix-..." environment\'s'))
    return None


def _combined(static_result, dynamic):
    """(verdict, note) from the static and dynamic evidence of one tree."""
    verdict = static_result['verdict']
    dyn = dynamic.get('verdict') if dynamic.get('run') else None
    if dynamic.get('run') and 'outcome' not in dynamic:
        return static.UNKNOWN, 'the scenario gave no outcome: %s' % (
            dynamic['reason'])
    if dyn and dyn != verdict and not (verdict == static.PREDATES and
                                       dyn == static.FIXED):
        return static.UNKNOWN, ('static analysis says %s but the scenario '
                                'says %s (%s)' % (verdict, dyn,
                                                  dynamic['reason']))
    if verdict == static.UNKNOWN:
        return verdict, (static_result.get('detail') or
                         static_result.get('error'))
    return verdict, None
