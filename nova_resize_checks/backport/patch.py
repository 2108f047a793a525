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


"""Try a proposed backport of the bug 1825537 fix on a temporary copy.

The target is a nova source tree (copied) or a ref of a nova git
repository (exported with ``git archive``); the user's tree is never
written.  The patch (``git format-patch`` output or a plain unified diff)
is applied to a second copy with ``git apply``, trying ``-p1`` then
``-p0`` and then with less context.  Every hunk is then located
(:mod:`hunks`): one that needed less context than plain ``git apply``
takes, or landed outside the function it was meant for, means the copy
after the patch is not judged (``cannot-tell``, or ``already-fixed`` for
a tree that had the fix).  Otherwise the two copies are judged:

* statically (:mod:`static`) before and after;
* dynamically, the scenario run against each copy, when the nova installed
  here is the same version as the tree (the copy goes first on the child's
  ``PYTHONPATH``, so its ``nova`` package replaces the installed one while
  nova's dependencies stay those installed).  Otherwise the report says why
  it was not run.

Outcomes and exit codes (:data:`EXIT_CODES`): ``fixes`` (0) the tree was
affected and is fixed after the patch; ``does-not-fix`` (1) it was affected
and still is, or the patch breaks a fixed tree; ``already-fixed`` (3) the
tree had the fix (or predates the regression) before the patch;
``cannot-tell`` (4) the patch does not apply or the evidence is missing or
contradictory.  2 stays the CLI's usage/environment error.

This module runs those steps and decides; :mod:`patch_input` reads the
patch and copies the target, :mod:`patch_apply` applies the patch and
:mod:`patch_evidence` gathers the static and dynamic evidence on a copy.
"""

import os
import shutil
import tempfile

from nova_resize_checks.backport import gitrefs
from nova_resize_checks.backport import patch_apply
from nova_resize_checks.backport import patch_evidence
from nova_resize_checks.backport import patch_input
from nova_resize_checks.backport import static
from nova_resize_checks.backport import versions
from nova_resize_checks import env
from nova_resize_checks import outcome
from nova_resize_checks import reproduce

FIXES = 'fixes'
DOES_NOT_FIX = 'does-not-fix'
ALREADY_FIXED = 'already-fixed'
CANNOT_TELL = 'cannot-tell'
EXIT_CODES = {FIXES: 0, DOES_NOT_FIX: 1, ALREADY_FIXED: 3, CANNOT_TELL: 4}

GOOD = (static.FIXED, static.PREDATES)


def decide(before, after, applied_error=None, dynamic_after=None,
           misplaced=False):
    """(outcome, reason) from the combined verdicts before and after.

    ``dynamic_after`` is the scenario's report after the patch: when it
    observed an outcome that is not the fixed one on a tree that was
    affected, the patch does not fix it whatever the static check says.
    ``misplaced`` says ``applied_error`` is about hunks that applied in
    the wrong place: that tree after the patch is not judged at all.
    """
    b_verdict, b_note = before
    if applied_error is not None:
        what = ('does not apply where it is meant to' if misplaced
                else 'does not apply')
        if b_verdict in GOOD:
            return ALREADY_FIXED, (
                'the tree is already %s (so the patch was not needed); the '
                'patch %s: %s' % (b_verdict, what, applied_error))
        return CANNOT_TELL, 'the patch %s: %s' % (what, applied_error)
    a_verdict, a_note = after
    observed = (dynamic_after or {}).get('outcome')
    if (b_verdict == static.AFFECTED and observed and
            observed != outcome.FIXED):
        reason = ('the scenario after the patch does not give the fixed '
                  'outcome: %s' % dynamic_after['reason'])
        if a_note:
            reason += '. Static check: %s' % a_note
        return DOES_NOT_FIX, reason
    if b_verdict == static.UNKNOWN:
        return CANNOT_TELL, 'cannot judge the tree before the patch: %s' % (
            b_note or 'no known shape on the failure path')
    if b_verdict in GOOD:
        if a_verdict in GOOD:
            return ALREADY_FIXED, (
                'the tree was already %s before the patch and still is'
                % b_verdict)
        return DOES_NOT_FIX, (
            'the tree was %s before the patch, which makes it %s%s' % (
                b_verdict, a_verdict, ': %s' % a_note if a_note else ''))
    if a_verdict == static.UNKNOWN:
        return CANNOT_TELL, 'cannot judge the tree after the patch: %s' % (
            a_note or 'no known shape on the failure path')
    if a_verdict == static.FIXED:
        return FIXES, 'affected before the patch, fixed after it'
    if a_verdict == static.PREDATES:
        return DOES_NOT_FIX, (
            'after the patch the failure path no longer touches '
            'allocations at all, which leaks the source allocation instead '
            'of dropping it')
    return DOES_NOT_FIX, 'affected before the patch and still affected after'


def _scenario_python(python):
    """``--python``'s interpreter as an absolute path (None stays None)."""
    if not python:
        return python
    found = shutil.which(python)
    if not found:
        raise patch_input.PatchInputError('--python %s: no such interpreter'
                                          % python)
    return os.path.abspath(found)


def _git_dir(nova_git):
    try:
        return gitrefs.resolve_git_dir(nova_git)
    except gitrefs.GitError as exc:
        raise patch_input.PatchInputError('--nova-git: %s' % exc)


def _copy_source(before_tree, text, nova_source, nova_git, run, installed):
    """Copy a source tree to ``before_tree``; (target, version, git_dirs)."""
    if not os.path.isdir(nova_source):
        raise patch_input.PatchInputError(
            '--nova-source %s: no such directory' % nova_source)
    target = os.path.abspath(nova_source)
    version = versions.tree_version(target)
    if run and not patch_evidence._why_not_dynamic(version, installed):
        patch_input._copy_tree(target, before_tree)
    else:
        # No scenario: the static check reads manager.py and git
        # apply the patch's files; nothing else is needed.
        patch_input._copy_files(target, before_tree, [static.MANAGER_PATH] +
                                patch_input._patch_paths(text))
    git_dirs = patch_input._source_git_dirs(target)
    if nova_git:
        git_dirs.append(_git_dir(nova_git))
    return target, version, git_dirs


def _copy_ref(before_tree, nova_git, ref):
    """Export ``ref`` to ``before_tree``; (target, version, git_dirs)."""
    git_dir = _git_dir(nova_git)
    commit = patch_input._export_ref(git_dir, ref, before_tree)
    target = '%s at %s (%s)' % (git_dir, ref, commit[:12])
    return target, patch_input._ref_version(git_dir, commit), [git_dir]


def _copy_target(before_tree, text, nova_source, nova_git, ref,
                 nova_release, run, installed):
    """Copy the tree the patch is tried on to ``before_tree``.

    Returns (target, version, git_dirs, release): what the report calls
    the tree, its nova version, the repositories that may hold its
    history and, for ``nova_release``, the record of its sdist.
    """
    sdist = None
    if nova_release:
        nova_source, sdist = patch_input._release(nova_release)
    if not nova_source:
        return _copy_ref(before_tree, nova_git, ref) + (None,)
    target, version, git_dirs = _copy_source(
        before_tree, text, nova_source, nova_git, run, installed)
    if not sdist:
        return target, version, git_dirs, None
    target = 'nova %s from PyPI (%s, %s at %s)' % (
        nova_release, sdist['sdist'],
        'downloaded' if sdist['downloaded'] else 'cached', target)
    return target, version, git_dirs, dict(sdist, tree=nova_source)


def _apply(report, before_tree, after_tree, patch_path, text, scratch,
           git_dirs):
    """Apply the patch to ``after_tree``, saying how in ``report``.

    Returns (applied_error, misplaced), as :func:`decide` takes them.
    """
    report['not_applied'] = []
    try:
        options, applied_text, failed = patch_apply.apply_backport(
            after_tree, patch_path, text, scratch)
    except patch_input.PatchInputError as exc:
        return str(exc), False
    report['apply_options'] = options
    report['not_applied'] = patch_apply.not_applied(
        before_tree, failed, text, options, git_dirs)
    if not applied_text:
        report['hunks'] = []
        return None, False
    report['hunks'], applied_error = patch_apply.placement(
        before_tree, after_tree, applied_text, options, git_dirs)
    return applied_error, applied_error is not None


def _static_after(report, files, after_tree, applied_error):
    """The static verdict after the patch, when it applied."""
    if applied_error is None:
        skipped = {record['file'] for record in report['not_applied']}
        report['applied'] = [name for name in files
                             if name not in skipped]
        report['static_after'] = patch_evidence._static(after_tree)
    else:
        report['apply_error'] = applied_error
        report['static_after'] = None


def _dynamic(report, before_tree, after_tree, run, timeout, applied_error,
             misplaced):
    """The scenario before and after the patch, or why it did not run."""
    python = report['scenario_python']
    why_not = ('not run: --static-only' if not run
               else patch_evidence._why_not_dynamic(
                   report['nova_version'], report['installed_nova'],
                   'for %s' % python if python else 'here'))
    if why_not:
        report['dynamic_before'] = {'run': False, 'verdict': None,
                                    'reason': why_not}
        report['dynamic_after'] = dict(report['dynamic_before'])
        return
    report['dynamic_before'] = patch_evidence.run_scenario(
        before_tree, timeout, python)
    report['dynamic_after'] = (
        patch_evidence.run_scenario(after_tree, timeout, python)
        if applied_error is None
        else {'run': False, 'verdict': None,
              'reason': 'not run: the patch does not apply%s'
              % (' where it is meant to' if misplaced else '')})


def _conclude(report, applied_error, misplaced):
    """The outcome, its reason and exit code from the evidence gathered."""
    before = patch_evidence._combined(report['static_before'],
                                      report['dynamic_before'])
    after = (patch_evidence._combined(report['static_after'],
                                      report['dynamic_after'])
             if applied_error is None else (None, None))
    report['before'] = before[0]
    report['after'] = after[0]
    report['expected'] = '%s -> %s' % (static.AFFECTED, static.FIXED)
    report['outcome'], report['reason'] = decide(
        before, after, applied_error, report['dynamic_after'], misplaced)
    if applied_error is not None and not misplaced:
        # git's messages are apply_error's, printed on their own line:
        # the reason points at them rather than saying them twice.
        report['reason'] = report['reason'].replace(
            applied_error, 'see "apply error" (apply_error in JSON)')
    if report['not_applied'] and applied_error is None:
        report['reason'] += patch_apply._not_applied_note(
            report['not_applied'])
    report['exit_code'] = EXIT_CODES[report['outcome']]
    return report


def check_patch(patch_path, nova_source=None, nova_git=None, ref=None,
                run=True, timeout=reproduce.DEFAULT_TIMEOUT, python=None,
                nova_release=None):
    """Judge a proposed backport; return the report dict.

    The tree is ``nova_source`` (a directory), ``nova_release`` (a
    release number: its sdist from PyPI, cached) or ``ref`` of
    ``nova_git``; with ``nova_source`` or ``nova_release``, ``nova_git``
    is only the history to look for the changes a patch depends on.
    ``python`` names another environment's interpreter to run the
    scenario with (its nova must be the tree's version).  Raises
    PatchInputError for a patch or target that cannot be used.
    """
    text, kind, files = patch_input.read_patch(patch_path)
    patch_path = os.path.abspath(patch_path)
    python = _scenario_python(python)
    if python and run:
        installed = patch_evidence.interpreter_nova(python)
    else:
        installed = env.distribution_version('nova')
    with tempfile.TemporaryDirectory(prefix='nrc-backport-') as tmp:
        before_tree = os.path.join(tmp, 'before')
        after_tree = os.path.join(tmp, 'after')
        target, version, git_dirs, sdist = _copy_target(
            before_tree, text, nova_source, nova_git, ref, nova_release,
            run, installed)
        patch_input._copy_tree(before_tree, after_tree)
        report = {'patch': patch_path, 'patch_format': kind,
                  'patch_files': files, 'target': target,
                  'nova_release': sdist,
                  'nova_version': version, 'installed_nova': installed,
                  'scenario_python': python,
                  'static_before': patch_evidence._static(before_tree)}
        applied_error, misplaced = _apply(report, before_tree, after_tree,
                                          patch_path, text, tmp, git_dirs)
        _static_after(report, files, after_tree, applied_error)
        _dynamic(report, before_tree, after_tree, run, timeout,
                 applied_error, misplaced)
    return _conclude(report, applied_error, misplaced)
