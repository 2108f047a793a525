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


"""Pin the meta-check's behaviour over every sample corpus: a golden file.

    python tools/golden_review.py record [--jobs N] [--cache DIR]
    python tools/golden_review.py check  [--jobs N] [--cache DIR]
    python tools/golden_review.py record --prepared   (and check --prepared)
    python tools/golden_review.py diff OLD.json NEW.json

``record`` runs ``nova-resize-checks review --explain --format json`` over
each folder of sample reviews in tests/samples (one invocation per folder)
and writes what must not move while code is moved around to
tests/samples/golden.json: per review its verdict, reason, findings,
changes (claim, kind, target, anchoring, outcome and evidence per
variant) and the proposed version's digest.  Timings, cache flags and
placement's random UUIDs are left out.  ``check`` does the same runs and
prints the difference from the recorded file (exit 1 if there is one).

``--prepared`` pins the stage before any run instead, in seconds and
unaffected by how loaded the machine is (tests/samples/golden-prepared.json):
per review what was read (verdict and reason if decided before running,
the reviewed version, every change with its kind, summary, whether and
how it applied, the findings) and the sha256 of every version it would
run.  A move that leaves this unchanged leaves every verdict unchanged,
since runs depend only on the versions.  It covers every sample folder
(PREPARED_FOLDERS: the held-out, hostile and review-system sets too).

The run cache is kept in --cache (default .golden-cache, ignored by git)
between invocations: a move that changes no proposed version is answered
from it, so a check after a refactor takes seconds per folder and only
the versions that really changed are run again.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(HERE, 'tests', 'samples')
GOLDEN = os.path.join(SAMPLES, 'golden.json')
GOLDEN_PREPARED = os.path.join(SAMPLES, 'golden-prepared.json')
# Folders of reviews (the backports folder holds patches, not reviews).
FOLDERS = ('reviews', 'corpus', 'heldout', 'heldout2', 'hostile')
# The prepare stage is cheap: it pins every sample folder.
PREPARED_FOLDERS = FOLDERS + ('heldout3', 'heldout4', 'heldout5', 'heldout6',
                              'heldout7', 'heldout8', 'heldout9',
                              'heldout10', 'heldout11', 'heldout12',
                              'heldout13', 'heldout14', 'heldout15',
                              'heldout16', 'heldout17', 'heldout18',
                              'hostile3',
                              'hostile4', 'systems')
VOLATILE = frozenset(('seconds', 'cached', 'start', 'stop', 'timestamp'))
UUID_RE = re.compile(r'\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     r'[0-9a-f]{12}\b')
HEX_ID_RE = re.compile(r'\b(?:server|instance|migration|consumer) '
                       r'[0-9a-f]{8}\b')


def _clean(value):
    """The value with timings, cache flags and random ids masked."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in sorted(value.items())
                if k not in VOLATILE}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        value = value.replace(HERE + os.sep, '')
        value = UUID_RE.sub('<uuid>', value)
        return HEX_ID_RE.sub(lambda m: m.group(0)[:-8] + '<id>', value)
    return value


def run_folder(folder, jobs, cache):
    """The cleaned per-review records of one folder, by relative path."""
    env = dict(os.environ, PYTHONPATH=HERE, XDG_CACHE_HOME=cache)
    command = [sys.executable, '-c',
               'import sys; from nova_resize_checks.cli import main; '
               'sys.exit(main())',
               'review', '--explain', '--format', 'json',
               '--jobs', str(jobs), os.path.join(SAMPLES, folder)]
    proc = subprocess.run(command, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, cwd=HERE)
    if proc.returncode not in (0, 1):
        sys.exit('review %s exited %d: %s' % (
            folder, proc.returncode, proc.stderr.decode()[-2000:]))
    document = json.loads(proc.stdout)
    records = {}
    for review in document['reviews']:
        path = os.path.relpath(review['path'], HERE)
        records[path] = _clean(review)
    return records


def prepared_folder(folder):
    """The prepare-stage records of one folder (no run), by path."""
    sys.path.insert(0, HERE)
    import hashlib

    from nova_resize_checks.review import prepare

    context = prepare.Context()
    files, _problems = prepare.collect([os.path.join(SAMPLES, folder)])
    records = {}
    for path in files:
        report = prepare.prepare_safely(path, context)
        versions = {key: hashlib.sha256(json.dumps(
            [v.test_source, sorted(v.overlay)]).encode()).hexdigest()
            for key, v in report.versions.items()}
        records[os.path.relpath(path, HERE)] = _clean({
            'verdict': report.verdict, 'reason': report.reason,
            'reviewed': [getattr(report, 'reviewed_version', 'ours'),
                         getattr(report, 'reviewed_why', '')],
            'changes': [{'kind': c.change.kind,
                         'summary': c.change.summary,
                         'span': c.change.span.as_list(),
                         'applied': c.applied, 'reason': c.reason,
                         'version': versions.get(c.version_key)}
                        for c in report.changes],
            'findings': [[f.kind, f.message] for f in report.findings],
            'proposed': versions.get(report.proposed_key)})
    return records


def collect(jobs, cache, folders, prepared=False):
    if prepared:
        found = {}
        for folder in folders:
            found.update(prepared_folder(folder))
        return found
    found = {}
    for folder in folders:
        sys.stderr.write('golden: %s...\n' % folder)
        found.update(run_folder(folder, jobs, cache))
    return found


def _without(record, ignore):
    if isinstance(record, dict):
        return {k: v for k, v in record.items() if k not in ignore}
    return record


def diff(old, new, ignore=()):
    """Unified diff lines between two golden documents, review by review.

    Keys in ``ignore`` (a field a commit adds, say) are left out.
    """
    lines = []
    for path in sorted(set(old) | set(new)):
        a = json.dumps(_without(old.get(path), ignore), indent=1,
                       sort_keys=True).splitlines()
        b = json.dumps(_without(new.get(path), ignore), indent=1,
                       sort_keys=True).splitlines()
        if a != b:
            lines.extend(difflib.unified_diff(a, b, path + ' (golden)',
                                              path + ' (now)', lineterm=''))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('action', choices=('record', 'check', 'diff'))
    parser.add_argument('files', nargs='*', help='with diff: OLD NEW')
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--cache', default=os.path.join(HERE,
                                                        '.golden-cache'))
    parser.add_argument('--folder', action='append', choices=PREPARED_FOLDERS,
                        help='only these folders (default: all)')
    parser.add_argument('--golden')
    parser.add_argument('--ignore', action='append', default=[],
                        metavar='KEY', help='leave this field of every '
                        'review out of the comparison (one a commit adds)')
    parser.add_argument('--prepared', action='store_true',
                        help='pin the stage before any run (fast)')
    args = parser.parse_args()
    args.golden = args.golden or (GOLDEN_PREPARED if args.prepared
                                  else GOLDEN)
    if args.action == 'diff':
        if len(args.files) != 2:
            parser.error('diff needs OLD and NEW')
        with open(args.files[0]) as a, open(args.files[1]) as b:
            lines = diff(json.load(a), json.load(b), args.ignore)
    else:
        folders = args.folder or (PREPARED_FOLDERS if args.prepared
                                  else FOLDERS)
        found = collect(args.jobs, os.path.abspath(args.cache), folders,
                        args.prepared)
        if args.action == 'record':
            with open(args.golden, 'w') as f:
                json.dump(found, f, indent=1, sort_keys=True)
                f.write('\n')
            print('recorded %d reviews in %s' % (len(found), args.golden))
            return 0
        with open(args.golden) as f:
            golden = json.load(f)
        golden = {k: v for k, v in golden.items()
                  if k.split(os.sep)[2] in folders}
        lines = diff(golden, found, args.ignore)
    for line in lines:
        print(line)
    print('golden: %d line(s) of difference' % len(lines))
    return 1 if lines else 0


if __name__ == '__main__':
    sys.exit(main())
