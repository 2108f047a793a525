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

"""Print the static verdict on finish_resize for refs of a nova git dir.

Usage::

    python tools/static_table.py [--git-dir DIR] [--history] [--detail]
                                 [REF ...]

Each ref's nova/compute/manager.py is read with ``git show`` into memory
and classified by nova_resize_checks.backport.static; nothing is written.
Without refs, a list covering Ocata to the newest release is used.
``--history`` adds whether the regression change (I2d9ab06b) and the fix
(I52c8d038) are in each ref's history, by their Change-Id trailers, as an
independent cross-check of the static verdict.
"""

import argparse
import os
import subprocess
import sys

from nova_resize_checks.backport import static

# A nova clone's git directory; NOVA_GIT_DIR or --git-dir names it.
DEFAULT_GIT_DIR = os.environ.get('NOVA_GIT_DIR')

# (preferred tag, series whose newest release replaces it when absent)
_PREFERRED = [('15.1.5', 15), ('16.1.0', None), ('16.1.1', None),
              ('16.1.8', 16), ('17.0.0', None), ('17.0.1', None),
              ('17.0.12', None), ('17.0.13', None), ('18.0.0', None),
              ('18.2.1', None), ('18.2.2', None), ('19.0.0', None),
              ('19.0.1', None), ('19.0.2', None), ('20.0.0', None)]
_NEWEST_SERIES = range(21, 34)
_BRANCHES = ['master', 'stable/2026.1']


def _git(git_dir, *args):
    return subprocess.run(['git', '--git-dir=%s' % git_dir] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False)


def _releases(git_dir):
    """Final release tags (X.Y.Z) as {tag: (X, Y, Z)}."""
    proc = _git(git_dir, 'tag', '--list')
    releases = {}
    for tag in proc.stdout.decode('utf-8', 'replace').split():
        parts = tag.split('.')
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            releases[tag] = tuple(int(part) for part in parts)
    return releases


def _newest(releases, series):
    tags = [tag for tag, key in releases.items() if key[0] == series]
    if not tags:
        return None
    return max(tags, key=releases.get)


def default_refs(git_dir):
    releases = _releases(git_dir)
    refs = []
    for tag, series in _PREFERRED:
        if tag not in releases and series is not None:
            tag = _newest(releases, series)
        if tag:
            refs.append(tag)
    for series in _NEWEST_SERIES:
        tag = _newest(releases, series)
        if tag:
            refs.append(tag)
    refs.extend(_BRANCHES)
    unique = []
    for ref in refs:
        if ref not in unique:
            unique.append(ref)
    return unique


def classify_ref(git_dir, ref):
    spec = '%s:%s' % (ref, static.MANAGER_PATH)
    proc = _git(git_dir, 'show', spec)
    if proc.returncode:
        message = proc.stderr.decode('utf-8', 'replace').strip()
        raise static.StaticCheckError('%s: %s' % (
            spec, message.splitlines()[0] if message else 'git show failed'))
    return static.classify_source(proc.stdout, path=spec)


def _change_commits(git_dir, change_id):
    proc = _git(git_dir, 'log', '--all', '--format=%H', '-F',
                '--grep=Change-Id: %s' % change_id)
    return proc.stdout.decode('ascii', 'replace').split()


def _contains(git_dir, commits, ref):
    for commit in commits:
        if _git(git_dir, 'merge-base', '--is-ancestor', commit,
                ref).returncode == 0:
            return 'yes'
    return 'no'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--git-dir', default=DEFAULT_GIT_DIR,
                        help='nova git directory (default: $NOVA_GIT_DIR)')
    parser.add_argument('--history', action='store_true',
                        help='add columns: regression / fix in history')
    parser.add_argument('--detail', action='store_true',
                        help="print each result's detail under its row")
    parser.add_argument('refs', nargs='*', help='tags or branches')
    args = parser.parse_args(argv)
    if not args.git_dir or not os.path.isdir(args.git_dir):
        parser.error('name a nova git directory with --git-dir or '
                     'NOVA_GIT_DIR (got %r)' % args.git_dir)

    refs = args.refs or default_refs(args.git_dir)
    header = ['ref', 'verdict', 'shape', 'call', 'line']
    if args.history:
        header += ['I2d9ab06b', 'I52c8d038']
        regression = _change_commits(args.git_dir, static.REGRESSION_CHANGE)
        fix = _change_commits(args.git_dir, static.FIX_CHANGE)
    rows = []
    details = []
    errors = 0
    for ref in refs:
        try:
            result = classify_ref(args.git_dir, ref)
        except static.StaticCheckError as exc:
            errors += 1
            row = [ref, 'error', '-', '-', '-']
            details.append(str(exc))
        else:
            row = [ref, result.verdict, result.shape, result.call or '-',
                   str(result.line)]
            details.append(result.detail)
        if args.history:
            row += [_contains(args.git_dir, regression, ref),
                    _contains(args.git_dir, fix, ref)]
        rows.append(row)

    widths = [max(len(row[col]) for row in [header] + rows)
              for col in range(len(header))]
    for index, row in enumerate([header] + rows):
        print('  '.join(cell.ljust(width)
                        for cell, width in zip(row, widths)).rstrip())
        if args.detail and index:
            print('    %s' % details[index - 1])
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
