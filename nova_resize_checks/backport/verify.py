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


"""Is the fix for bug 1825537 in this nova?  Static and dynamic evidence.

Static: :mod:`static` reads ``ComputeManager.finish_resize``'s failure path
with ``ast``.  Dynamic: the scenario runs (in a child process, through
:mod:`nova_resize_checks.reproduce`) against the nova installed in this
environment, and :mod:`nova_resize_checks.outcome` classifies what
placement holds.  The dynamic run happens only when the tree being judged is
the installed one (or no tree was named); otherwise the report says why it
was not run.  When both ran and disagree, the verdict is ``disagreement``.
"""

import os

from nova_resize_checks.backport import release
from nova_resize_checks.backport import static
from nova_resize_checks.backport import versions
from nova_resize_checks import env
from nova_resize_checks import outcome
from nova_resize_checks import reproduce

DISAGREEMENT = 'disagreement'
# Verdicts that mean "nothing to fix here".
GOOD = (static.FIXED, static.PREDATES)

_DYNAMIC = {outcome.FIXED: static.FIXED,
            outcome.AFFECTED: static.AFFECTED,
            outcome.UNEXPECTED: static.UNKNOWN}


def _installed_nova_tree():
    """(tree containing nova/, version) of the installed nova, or Nones."""
    try:
        package = env._nova_package_dir()
    except env.EnvironmentProblem:
        return None, None
    return os.path.dirname(package), env.distribution_version('nova')


def _same_tree(tree, installed_tree):
    if not installed_tree:
        return False
    return (os.path.realpath(os.path.join(tree, 'nova')) ==
            os.path.realpath(os.path.join(installed_tree, 'nova')))


def _dynamic(timeout):
    """Run the scenario; returns the dynamic part of the report."""
    try:
        report = reproduce.reproduce(timeout=timeout)
    except env.EnvironmentProblem as exc:
        return {'run': False, 'verdict': None,
                'reason': 'not run: %s' % exc}
    except reproduce.ScenarioError as exc:
        return {'run': True, 'verdict': static.UNKNOWN,
                'reason': 'the scenario failed: %s' % str(exc)[-2000:]}
    return {
        'run': True,
        'verdict': _DYNAMIC[report['verdict']],
        'outcome': report['verdict'],
        'reason': '; '.join(report['reasons']) or 'placement holds the '
                                                  'fixed outcome',
        'usage': report['usage'],
        'observation': report['observation'],
        'seconds': report['seconds'],
    }


def _not_installed(tree, version, here):
    """Why the scenario did not run on ``tree``, and where it can."""
    reason = ('not run: %s is not the nova installed in this environment '
              '(%s)' % (tree, here))
    base = versions.release_of(version)[0]
    old = release.major(base)
    if old is None or old >= release.OLDEST_INSTALLABLE:
        return ('%s; install it with "pip install -e %s" or run '
                '"NOVA_SOURCE=%s tox -e functional"' % (reason, tree, tree))
    # "pip install -e" of nova 18 into this environment cannot work, nor
    # can tox -e functional: this package needs a newer nova and Python.
    matrix = release.matrix_env(base)
    where = ('The release matrix environment has them: "tox -e %s" runs '
             'the scenario on nova %s from PyPI (%s), and "nova-resize-checks '
             'backport --patch FILE --nova-source %s --python '
             '.tox/%s/bin/python" runs it on this tree before and after a '
             'patch' % (matrix, base, release.MATRIX_NOTE, tree, matrix)
             if matrix else 'A release matrix environment of nova %s can '
             'run it (README "Release matrix")' % base)
    return ('%s, and nova %s cannot be: this package needs nova %d or '
            'later, nova %s its own Python and dependencies. %s' % (
                reason, base, release.OLDEST_INSTALLABLE, base, where))


def _conclude(report, static_result):
    """The verdict and its reason, from the static and dynamic evidence."""
    dynamic_verdict = report['dynamic'].get('verdict')
    if report['dynamic'].get('run') and 'outcome' not in report['dynamic']:
        # The scenario crashed or timed out: no evidence either way.
        report['verdict'] = static.UNKNOWN
        report['reason'] = ('static analysis says %s, but the scenario gave '
                            'no outcome: %s' % (static_result.verdict,
                                                report['dynamic']['reason']))
    elif dynamic_verdict and dynamic_verdict != static_result.verdict:
        report['verdict'] = DISAGREEMENT
        report['reason'] = ('static analysis says %s (%s) but the scenario '
                            'says %s (%s)' % (
                                static_result.verdict, static_result.shape,
                                dynamic_verdict,
                                report['dynamic']['reason']))
    else:
        report['verdict'] = static_result.verdict
        report['reason'] = static_result.detail
    report['agree'] = report['verdict'] != DISAGREEMENT


def verify(nova_source=None, run=True, timeout=reproduce.DEFAULT_TIMEOUT):
    """Judge a nova tree (or the installed nova); return the report dict.

    Raises static.StaticCheckError when the tree cannot be read at all and
    EnvironmentProblem when no nova is named and none is installed.
    """
    installed_tree, installed_version = _installed_nova_tree()
    if nova_source:
        tree = os.path.abspath(nova_source)
        static_result = static.classify_tree(tree)
        version = versions.tree_version(tree)
        is_installed = _same_tree(tree, installed_tree)
        if is_installed and not version:
            version = installed_version
    else:
        if installed_tree is None:
            raise env.EnvironmentProblem(
                'no nova is installed here; name a source tree with '
                '--nova-source PATH. %s' % env.INSTALL_HINT)
        tree = installed_tree
        static_result = static.classify_tree(tree)
        version = installed_version
        is_installed = True

    report = {
        'nova_version': version,
        'tree': tree,
        'installed': is_installed,
        'installed_nova': installed_version,
        'static': static_result.to_dict(),
    }
    if not run:
        report['dynamic'] = {'run': False, 'verdict': None,
                             'reason': 'not run: --static-only'}
    elif not is_installed:
        report['dynamic'] = {
            'run': False, 'verdict': None,
            'reason': _not_installed(tree, version, 'nova %s at %s' % (
                installed_version, installed_tree)
                if installed_tree else 'none installed')}
    else:
        report['dynamic'] = _dynamic(timeout)

    _conclude(report, static_result)
    return report


def exit_code(report):
    """0 fixed (or predates the regression), 1 otherwise."""
    return 0 if report['verdict'] in GOOD else 1
