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


"""The bug 1825537 scenario across nova's history: the table.

The environments are tox's: ``matrix-<series>[-<release>]`` in tox.ini,
one per release, each with its series' Python and upper-constraints
(tools/constraints/).  Each runs nova_resize_checks/backport/
legacy_scenario.py and writes ``.tox/matrix-results/<env>.json``.  This
script only drives tox and builds the table::

    python3 tools/release_matrix.py [ENV ...] [--format text|json]
        [--recreate] [--report-only]

Without ENV every ``matrix-*`` environment tox lists is used.  For each,
``tox -e ENV --notest`` is timed (the install), then ``tox -e ENV`` runs
the scenario.  The observation is classified with
nova_resize_checks.outcome, and the installed nova's manager.py is judged
with nova_resize_checks.backport.static; both are loaded by file path, so
this script needs only the standard library and tox.  An environment that
cannot be installed is a row naming the failing package and pip's error.
``--report-only`` rebuilds the table from the recorded results.

tox is found as ``pip install tox`` installs it: ``python -m tox`` with
this interpreter, the active virtual environment's ``tox``, or ``tox`` on
PATH.  Exit status: 0 when every row ran and static and dynamic agree, 1
otherwise, 2 when tox is missing (one line says what was looked for).
"""

import argparse
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(TOP, '.tox', 'matrix-results')
GOOD = ('fixed', 'predates-regression')


def _load(name, relative):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(TOP, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


outcome = _load('nrc_outcome', 'nova_resize_checks/outcome.py')
static = _load('nrc_static', 'nova_resize_checks/backport/static.py')


# Pure parts.

def env_series(env):
    """('stein', '19.0.1') for matrix-stein-19.0.1, ('2025.1', None)..."""
    parts = env.split('-')[1:]
    return parts[0] if parts else env, parts[1] if len(parts) > 1 else None


def matrix_envs(tox_list_output):
    """Names of the matrix-* environments in ``tox l`` output, in order."""
    names = []
    for line in tox_list_output.splitlines():
        name = line.split(' ', 1)[0].strip()
        if name.startswith('matrix-') and name not in names:
            names.append(name)
    return names


_PACKAGE = re.compile(
    r'(?:Collecting|Building wheel for|Running setup\.py install for|'
    r'Getting requirements to build wheel for|Preparing metadata for) '
    r'\(?([A-Za-z0-9_.\-]+)')
_SUMMARIES = ('ERROR: Failed building wheel for ', 'Failed to build ',
              'ERROR: No matching distribution found for ',
              'ERROR: Could not find a version that satisfies the '
              'requirement ', 'ERROR: Cannot install ')


def install_failure(log):
    """(package, error) read from a failed install's log.

    The package is the one pip names in its summary (or the last one it
    was working on); the error is pip's summary with the first line that
    looks like the cause ("error: ..." from a build) in parentheses.
    """
    package = summary = cause = None
    last_seen = None
    for line in log.splitlines():
        text = line.strip()
        match = _PACKAGE.search(text)
        if match:
            last_seen = match.group(1)
        for prefix in _SUMMARIES:
            if text.startswith(prefix) and summary is None:
                package = text[len(prefix):].split()[0]
                summary = text
        if cause is None and re.match(r'(error|ERROR|\w*Error):? ', text) \
                and not text.startswith(_SUMMARIES):
            cause = text
    package = package or last_seen
    error = summary or cause
    if summary and cause:
        error = '%s (%s)' % (summary, cause)
    if error is None:
        error = next((line.strip() for line in reversed(log.splitlines())
                      if line.strip()), 'no output')
    return package, error[:500]


def _seconds(value):
    return '-' if value is None else '%.0f' % value


def make_row(env, document=None, install=None, static_result=None):
    """One table row from what an environment produced."""
    series, release = env_series(env)
    row = {'env': env, 'series': series, 'release': release,
           'python': None, 'nova': release, 'install_seconds': None,
           'scenario_seconds': None, 'source': None, 'dest': None,
           'dynamic': None, 'static': None, 'shape': None,
           'verdict': 'error', 'reason': None, 'adaptations': []}
    install = install or {}
    row['install_seconds'] = install.get('seconds')
    if install.get('failed'):
        row['reason'] = 'install failed: %s: %s' % (
            install.get('package') or 'unknown package',
            install.get('error'))
        return row
    if static_result is not None:
        row['static'] = static_result.get('verdict')
        row['shape'] = static_result.get('shape')
    if document is None:
        row['reason'] = install.get('error') or 'no result recorded'
        return row
    versions = document.get('versions') or {}
    row['python'] = versions.get('python')
    row['nova'] = versions.get('nova') or release
    row['scenario_seconds'] = document.get('seconds')
    row['adaptations'] = document.get('adaptations') or []
    if 'observation' not in document:
        row['reason'] = 'scenario failed: %s' % (
            (document.get('scenario_error') or '').strip()
            .splitlines()[-1:] or ['no detail'])[0]
        return row
    observation = document['observation']
    verdict, reasons = outcome.classify(observation)
    usage = outcome.usage_summary(observation)
    row['source'], row['dest'] = usage['source'], usage['dest']
    row['dynamic'] = verdict
    if verdict == outcome.UNEXPECTED:
        row['verdict'] = 'unknown'
        row['reason'] = '; '.join(reasons)
    elif row['static'] and row['static'] != verdict:
        row['verdict'] = 'disagreement'
        row['reason'] = 'static says %s (%s), the scenario %s' % (
            row['static'], row['shape'], verdict)
    else:
        row['verdict'] = verdict
        row['reason'] = '; '.join(reasons) or 'placement holds the fixed ' \
            'outcome'
    return row


def _usage_text(row, key):
    value = row[key]
    return value or '-'


COLUMNS = (('release', lambda r: '%s %s' % (r['series'], r['nova'] or '')),
           ('python', lambda r: r['python'] or '-'),
           ('install s', lambda r: _seconds(r['install_seconds'])),
           ('scenario s', lambda r: _seconds(r['scenario_seconds'])),
           ('source', lambda r: _usage_text(r, 'source')),
           ('destination', lambda r: _usage_text(r, 'dest')),
           ('static', lambda r: r['static'] or '-'),
           ('dynamic', lambda r: r['dynamic'] or '-'),
           ('verdict', lambda r: r['verdict']))


def format_table(rows):
    table = [[name for name, _cell in COLUMNS]]
    for row in rows:
        table.append([cell(row) for _name, cell in COLUMNS])
    widths = [max(len(line[col]) for line in table)
              for col in range(len(COLUMNS))]
    out = ['  '.join(cell.ljust(width) for cell, width in
                     zip(line, widths)).rstrip() for line in table]
    for row in rows:
        if row['verdict'] not in GOOD + ('affected',) or row['reason'] and (
                row['verdict'] == 'error'):
            out.append('%s: %s' % (row['env'], row['reason']))
    return '\n'.join(out)


def all_good(rows):
    return all(row['verdict'] in GOOD + ('affected',) for row in rows)


# Impure parts: tox.

class ToolMissing(Exception):
    """tox cannot be run; the message (one line) says what is missing."""


INSTALL_TOX = 'pip install tox'


def _has_tox_module():
    return importlib.util.find_spec('tox') is not None


def find_tox(environ=None, python=None, has_module=_has_tox_module):
    """The command that runs tox, found as the README installs it.

    ``pip install tox`` puts tox into the environment it runs in, so, in
    order: ``python -m tox`` with this interpreter (tox installed in the
    environment running this script), the ``tox`` of the active virtual
    environment (``$VIRTUAL_ENV/bin/tox``, when this script runs with
    another interpreter), then ``tox`` on ``PATH``.  Raises ToolMissing
    naming what was looked for.
    """
    environ = os.environ if environ is None else environ
    python = python or sys.executable
    if has_module():
        return [python, '-m', 'tox']
    tried = ['"%s -m tox"' % python]
    venv = environ.get('VIRTUAL_ENV')
    if venv:
        candidate = os.path.join(venv, 'bin', 'tox')
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
        tried.append(candidate)
    found = shutil.which('tox', path=environ.get('PATH', os.defpath))
    if found:
        return [found]
    tried.append('"tox" on PATH')
    raise ToolMissing('tox is not installed: tried %s; install it with '
                      '"%s" (in this environment, or one on PATH)'
                      % (', '.join(tried), INSTALL_TOX))


_TOX = []


def _tox(*args, timeout=3600):
    if not _TOX:
        _TOX.extend(find_tox())
    start = time.monotonic()
    try:
        proc = subprocess.run(_TOX + ['-c', os.path.join(TOP, 'tox.ini')] +
                              list(args), cwd=TOP, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              check=False)
    except OSError as exc:
        raise ToolMissing('cannot run tox (%s): %s; install it with "%s"'
                          % (' '.join(_TOX), exc.strerror or exc,
                             INSTALL_TOX))
    except subprocess.TimeoutExpired:
        return 1, 'tox %s did not finish within %ss' % (
            ' '.join(args), timeout), time.monotonic() - start
    return (proc.returncode, proc.stdout.decode('utf-8', 'replace'),
            time.monotonic() - start)


def _record(env, kind, data):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, '%s.%s.json' % (env, kind)), 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)


def _recorded(env, kind=None):
    name = '%s.%s.json' % (env, kind) if kind else '%s.json' % env
    try:
        with open(os.path.join(RESULTS, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _static_of(env, install=None):
    trees = glob.glob(os.path.join(TOP, '.tox', env, 'lib', 'python*',
                                   'site-packages'))
    if install and install.get('site_dir'):
        # Installed without a virtualenv (pip install --prefix).
        trees.append(install['site_dir'])
    for tree in trees:
        try:
            return static.classify_tree(tree).to_dict()
        except static.StaticCheckError as exc:
            return {'verdict': 'unknown', 'error': str(exc)}
    return None


def run_env(env, recreate=False):
    sys.stderr.write('%s: installing\n' % env)
    previous = _recorded(env, 'install')
    reused = (not recreate and previous and not previous.get('failed') and
              os.path.isdir(os.path.join(TOP, '.tox', env)))
    args = ['-e', env, '--notest'] + (['--recreate'] if recreate else [])
    code, log, seconds = _tox(*args)
    install = {'seconds': round(seconds, 1), 'failed': bool(code)}
    if reused and not code:
        # The environment was already there: keep the time of the install
        # that made it.
        install = {'seconds': previous['seconds'], 'failed': False,
                   'reused': True, 'check_seconds': round(seconds, 1)}
    if code:
        install['package'], install['error'] = install_failure(log)
        # pip 18 complains about every file:// index; keep what matters.
        kept = [line for line in log.splitlines()
                if not line.strip().endswith('neither a file nor a '
                                             'directory.')]
        install['log_tail'] = '\n'.join(kept)[-4000:]
        _record(env, 'install', install)
        return
    _record(env, 'install', install)
    sys.stderr.write('%s: running the scenario\n' % env)
    result = os.path.join(RESULTS, '%s.json' % env)
    if os.path.exists(result):
        os.unlink(result)
    code, log, seconds = _tox('-e', env)
    install['run_seconds'] = round(seconds, 1)
    if not os.path.exists(result):
        install['error'] = 'tox -e %s wrote no result: %s' % (
            env, log.strip().splitlines()[-1:])
    _record(env, 'install', install)


def main(argv=None):
    try:
        return _main(argv)
    except ToolMissing as exc:
        sys.stderr.write('release_matrix.py: %s\n' % exc)
        return 2


def _main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('envs', nargs='*', metavar='ENV')
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text')
    parser.add_argument('--recreate', action='store_true')
    parser.add_argument('--report-only', action='store_true',
                        help='only build the table from recorded results')
    args = parser.parse_args(argv)
    envs = args.envs
    if not (args.report_only and envs) and not _TOX:
        # Before anything is printed: the one line that says it is missing.
        _TOX.extend(find_tox())
    if not envs:
        code, listing, _seconds_ = _tox('l')
        envs = matrix_envs(listing)
    rows = []
    for env in envs:
        if not args.report_only:
            run_env(env, args.recreate)
        install = _recorded(env, 'install')
        rows.append(make_row(env, _recorded(env), install,
                             _static_of(env, install)))
    if args.format == 'json':
        print(json.dumps({'rows': rows}, indent=2, sort_keys=True))
    else:
        print(format_table(rows))
    ok = all(row['verdict'] in GOOD + ('affected',) for row in rows)
    return 0 if ok and rows else 1


if __name__ == '__main__':
    sys.exit(main())
