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


"""Apply a backport to a copy of the tree; what did not apply, and why.

``git apply`` is tried with ``-p1``, then ``-p0`` and then with less
context.  When the whole patch does not apply and it touches files that
are not nova's code (tests, docs, release notes), nova's code is applied
on its own and each other file after it; a file that does not apply is
reported with the earlier change it likely depends on.  Where each hunk of
nova's code landed is for :mod:`hunks` to say.
"""

import os
import subprocess

from nova_resize_checks.backport import gitrefs
from nova_resize_checks.backport import hunk_text
from nova_resize_checks.backport import hunks
from nova_resize_checks.backport import patch_files
from nova_resize_checks.backport import patch_input


# Ladder of git apply options, strictest first.
_APPLY_LADDER = (['-p1'], ['-p0'], ['-p1', '-C1'], ['-p0', '-C1'])


def apply_patch(tree, patch_path, ladder=_APPLY_LADDER):
    """Apply with the first rung of the ladder that works; (options, log).

    Raises PatchInputError with git's messages, one readable line per
    rung, when no rung applies.  Where the hunks landed is for
    :func:`hunks.locate` to say.
    """
    messages = []
    for options in ladder:
        cmd = ['git', 'apply', '--whitespace=nowarn'] + options
        check = subprocess.run(cmd + ['--check', patch_path], cwd=tree,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, check=False)
        if check.returncode:
            messages.append((' '.join(options), hunks.git_errors(
                check.stderr.decode('utf-8', 'replace'))))
            continue
        done = subprocess.run(cmd + [patch_path], cwd=tree,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        if done.returncode == 0:
            return options
        messages.append((' '.join(options), hunks.git_errors(
            done.stderr.decode('utf-8', 'replace'))))
    raise patch_input.PatchInputError(_rung_errors(messages))


def _rung_errors(messages):
    """One line for the rungs that failed, rungs with one error together.

    ``git apply -p1, -p1 -C1: patch failed: ...; git apply -p0, -p0 -C1:
    ...``: less context seldom changes git's message, so each is said
    once.
    """
    grouped = {}
    for options, error in messages:
        grouped.setdefault(error, []).append(options)
    return '; '.join('git apply %s: %s' % (', '.join(options), error)
                     for error, options in grouped.items())


def _write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, 'w', encoding='utf-8', errors='surrogateescape',
              newline='') as handle:
        handle.write(text)
    return path


def _strip_option(parts):
    """-p1 when the patch's paths carry a/ and b/ prefixes, else -p0."""
    import unidiff

    for _path, _kind, text in parts:
        for patched_file in unidiff.PatchSet(text):
            if not (patched_file.source_file.startswith(('a/', '/dev/null'))
                    and patched_file.target_file.startswith(
                        ('b/', '/dev/null'))):
                return ['-p0']
    return ['-p1']


def apply_backport(tree, patch_path, text, scratch):
    """Apply a backport the way a maintainer carries one; what happened.

    The whole patch is tried first (``-p1``, then ``-p0``).  If it does
    not apply and it touches files that are not nova's code (tests, docs,
    release notes), nova's code is applied on its own (the whole ladder,
    :func:`apply_patch`) and each other file after it, on its own with
    the same path option and full context.  Returns (options, applied
    text, [(path, kind, git's error)] of the files that did not apply).
    Raises PatchInputError when nova's code does not apply.
    """
    parts = patch_files.split(text)
    others = [part for part in parts if part[1] != patch_files.CODE]
    if not others:
        return apply_patch(tree, patch_path), text, []
    try:
        return apply_patch(tree, patch_path, _APPLY_LADDER[:2]), text, []
    except patch_input.PatchInputError:
        pass
    code = ''.join(part[2] for part in parts if part[1] == patch_files.CODE)
    if code:
        options = apply_patch(tree, _write(scratch, 'code.patch', code))
    else:
        options = _strip_option(parts)
    applied = [code] if code else []
    failed = []
    for number, (path, kind, part) in enumerate(others):
        single = _write(scratch, 'other-%d.patch' % number, part)
        proc = subprocess.run(
            ['git', 'apply', '--whitespace=nowarn'] + options + [single],
            cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            check=False)
        if proc.returncode:
            failed.append((path, kind, hunks.git_errors(
                proc.stderr.decode('utf-8', 'replace'))))
        else:
            applied.append(part)
    return options, ''.join(applied), failed


def _earlier_change(git_dirs, path, line, start):
    for git_dir in git_dirs:
        found = gitrefs.earlier_change(git_dir, path, line, start)
        if found:
            return found
    return []


def not_applied(tree, failed, text, options, git_dirs):
    """A record per file that did not apply, with the likely cause.

    A file missing from the tree means the patch sits on an earlier change
    that added it (for upstream's regression test, the change that
    recreated the bug); a file whose lines are not there means an earlier
    change to it.  With a git repository (``git_dirs``) that change is
    looked for in its history: before the commit the patch was made from
    when the repository has it, else in every ref.
    """
    start = gitrefs.patch_commit(text)
    strip = 0 if '-p0' in options else 1
    parts = {path: part for path, _kind, part in patch_files.split(text)}
    records = []
    for path, kind, error in failed:
        record = {'file': path, 'kind': kind, 'error': error,
                  'file_missing': not os.path.exists(os.path.join(tree,
                                                                  path)),
                  'line': None, 'earlier_change': []}
        if record['file_missing']:
            cause = ('the file is not in the tree: the patch depends on '
                     'an earlier change that adds it')
        else:
            lines = hunks.missing_lines(tree, parts[path], strip)
            record['line'] = lines[0] if lines else None
            cause = ('lines the patch expects in the file are not '
                     'there%s: the patch depends on an earlier change to it'
                     % (' (e.g. "%s")' % lines[0] if lines else ''))
        if git_dirs and (record['file_missing'] or record['line']):
            found = _earlier_change(git_dirs, path, record['line'], start)
            record['earlier_change'] = [
                {'commit': commit, 'subject': subject}
                for commit, subject in found]
            if found:
                cause += ', %s' % ', '.join(
                    '%s "%s"' % (commit[:10], subject)
                    for commit, subject in found)
                if len(found) > 1:
                    cause += ' (one of these, in nova\'s history)'
                else:
                    cause += ' (in nova\'s history)'
            else:
                cause += ' (none found in nova\'s history)'
        elif not git_dirs:
            cause += ' (give --nova-git DIR to look for it in nova\'s ' \
                'history)'
        record['cause'] = cause
        records.append(record)
    return records


def _not_applied_note(records):
    return ('; not applied (%s, not nova\'s code, so not part of the '
            'verdict): %s' % (
                ', '.join(sorted({record['kind'] + 's' for record in
                                  records})),
                ', '.join(record['file'] for record in records)))


def placement(before_tree, after_tree, text, options, git_dirs):
    """(hunk records, reason) after a patch applied; reason None if fine.

    The reason names every hunk of nova's code that landed where plain
    ``git apply`` would not have put it or outside the function it was
    meant for (hunks to tests, docs and release notes are only reported).
    """
    try:
        records = hunks.locate(before_tree, after_tree, text, options,
                               git_dirs)
    except hunks.LocateError as exc:
        return [], ('git apply %s applied it, but where its hunks landed '
                    'cannot be told: %s' % (' '.join(options), exc))
    # Only nova's code decides: a misplaced test hunk is reported in its
    # record but leaves the tree judged.
    wrong = hunk_text.misplaced([record for record in records
                                 if patch_files.file_kind(record['file']) ==
                                 patch_files.CODE])
    if wrong:
        return records, ('git apply %s applied it, but not where it was '
                         'meant to go: %s' % (' '.join(options), wrong))
    return records, None
