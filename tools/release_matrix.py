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


"""Run ``nova-resize-checks backport`` against each series' newest nova.

For every series (default: all of :data:`SERIES`) a virtualenv is made with
the machine's ``python3`` under ``--workdir`` (one directory per series),
and this project (``-e <project>[test]``), ``nova==<newest of the series>``
and ``openstack-placement==<newest of the series>`` are installed into it
with ``-c`` that series' upper-constraints: ``tools/constraints/<series>.txt``
(copied from openstack/requirements; the first line names the branch and
commit) or, for master, ``upper-constraints.txt``.  Then
``<venv>/bin/nova-resize-checks backport --format json`` runs there, and one
row per series is printed: nova and placement versions, static and dynamic
verdicts, the usage the scenario left on the source and destination
providers, the install and scenario times, and a final verdict.

A constraint that contradicts what is installed on purpose (nova's or
placement's own requirements, this project's, the requested versions, or a
pin of this project) is dropped from the copy handed to pip and listed under
the table; the data files are never edited.  A venv whose stamp and
installed versions already match is reused (``--rebuild`` forces a fresh
one).  Progress goes to stderr.  A failing install or run is a row with the
error.  Exit status: 0 when every row is fixed (or predates the regression)
with static and dynamic agreeing, 1 otherwise, 2 for usage errors.

    python3 tools/release_matrix.py [--series 2025.1 --series master]
        [--workdir DIR] [--format text|json] [--rebuild] [--check-pypi]

Refresh a data file (then bump the nova and placement versions below)::

    G=/path/to/openstack/requirements/.git; REF=stable/2026.1
    { echo "# openstack/requirements upper-constraints.txt from branch" \\
        "$REF at commit $(git --git-dir=$G rev-parse $REF)"
      git --git-dir=$G show $REF:upper-constraints.txt
    } > tools/constraints/2026.1.txt
"""

import argparse
import collections
import configparser
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

try:
    from packaging import requirements as pkg_requirements
    from packaging import utils as pkg_utils
    from packaging import version as pkg_version
except ImportError:
    # A python3 without packaging still has pip's copy (venv needs pip).
    from pip._vendor.packaging import requirements as pkg_requirements
    from pip._vendor.packaging import utils as pkg_utils
    from pip._vendor.packaging import version as pkg_version

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT_NAME = 'nova-resize-checks'
DEFAULT_WORKDIR = os.path.join('~', '.cache', 'nova-resize-checks',
                               'matrix')
GOOD = ('fixed', 'predates-regression')
ERROR = 'error'
INCOMPLETE = 'incomplete'

Series = collections.namedtuple(
    'Series', 'name codename status nova placement constraints')

# The newest release of nova and openstack-placement of each series (check
# with "pip index versions nova", or --check-pypi) and the constraints file,
# relative to the project.
SERIES = (
    Series('2023.2', 'bobcat', 'eol', '28.3.1', '10.0.1',
           'tools/constraints/2023.2.txt'),
    Series('2024.1', 'caracal', 'unmaintained', '29.4.0', '11.0.1',
           'tools/constraints/2024.1.txt'),
    Series('2024.2', 'dalmatian', 'eol', '30.3.0', '12.0.2',
           'tools/constraints/2024.2.txt'),
    Series('2025.1', 'epoxy', 'stable', '31.3.1', '13.0.1',
           'tools/constraints/2025.1.txt'),
    Series('2025.2', 'flamingo', 'stable', '32.2.1', '14.0.0',
           'tools/constraints/2025.2.txt'),
    Series('2026.1', 'gazpacho', 'stable', '33.0.2', '15.0.0',
           'tools/constraints/2026.1.txt'),
    Series('master', '2026.2', 'development', '34.0.0', '16.0.0',
           'upper-constraints.txt'),
)
SERIES_BY_NAME = collections.OrderedDict((s.name, s) for s in SERIES)

# Settings of the calling shell that would leak into the venvs.
_SCRUBBED_ENV = ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'PIP_CONSTRAINT',
                 'PIP_REQUIREMENT', 'PIP_TARGET', 'PIP_PREFIX', 'PIP_USER')

# Run by each venv's python: its marker environment (as in PEP 508).
_ENV_SNIPPET = """\
import json, os, platform, sys
v = sys.implementation.version
iv = '%d.%d.%d' % (v.major, v.minor, v.micro)
if v.releaselevel != 'final':
    iv += v.releaselevel[0] + str(v.serial)
print(json.dumps({
    'implementation_name': sys.implementation.name,
    'implementation_version': iv,
    'os_name': os.name,
    'platform_machine': platform.machine(),
    'platform_release': platform.release(),
    'platform_system': platform.system(),
    'platform_version': platform.version(),
    'python_full_version': platform.python_version(),
    'platform_python_implementation': platform.python_implementation(),
    'python_version': '.'.join(platform.python_version_tuple()[:2]),
    'sys_platform': sys.platform,
}))
"""

# Run by each venv's python: what is installed there.
_INSTALLED_SNIPPET = """\
import json
from importlib import metadata
out = {}
for name in ('nova', 'openstack-placement', 'nova-resize-checks'):
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        continue
    out[name] = {'version': dist.version,
                 'direct_url': json.loads(
                     dist.read_text('direct_url.json') or 'null')}
print(json.dumps(out))
"""


class StepError(Exception):
    """A step of one series failed; the message goes into its row."""


# Pure parts: constraints, reports, rows.

def canonical(name):
    return pkg_utils.canonicalize_name(name)


def parse_requirement_lines(lines):
    """Requirement strings from requirements.txt-style lines."""
    found = []
    for line in lines:
        line = line.split('#', 1)[0].strip()
        if line and not line.startswith('-'):
            found.append(line)
    return found


def project_requirements(project=PROJECT):
    """This project's requirements and its ``test`` extra, as strings."""
    with open(os.path.join(project, 'requirements.txt')) as f:
        found = parse_requirement_lines(f)
    parser = configparser.ConfigParser()
    parser.read(os.path.join(project, 'setup.cfg'))
    if parser.has_option('extras', 'test'):
        found += parse_requirement_lines(
            parser.get('extras', 'test').splitlines())
    return found


def requires_dist_from_report(report):
    """{'<name> <version>': [Requires-Dist, ...]} from a ``pip --report``."""
    found = collections.OrderedDict()
    for item in report.get('install', ()):
        meta = item.get('metadata', {})
        key = '%s %s' % (meta.get('name'), meta.get('version'))
        found[key] = list(meta.get('requires_dist') or ())
    return found


def _applies(requirement, environment):
    if requirement.marker is None:
        return True
    env = dict(environment or {})
    env.setdefault('extra', '')
    return requirement.marker.evaluate(env)


def _pinned_version(requirement):
    """The version an exact pin (``==`` or ``===``) names, else None."""
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ('==', '===') \
            and not specs[0].version.endswith('*'):
        return specs[0].version
    return None


def filter_constraints(lines, wanted, environment=None,
                       own_names=(PROJECT_NAME,)):
    """Drop the constraint lines that contradict what must be installed.

    ``lines``: the constraints file.  ``wanted``: (who, requirement string)
    pairs, e.g. ('nova 34.0.0', 'keystoneauth1>=5.16.0') or ('requested',
    'nova==34.0.0').  ``environment``: the PEP 508 marker environment of the
    target python (default: this one).  Pins of ``own_names`` (the project
    installed from its work tree) are dropped too.  Lines that do not apply
    to the target python, are not exact pins or cannot be parsed are kept:
    pip judges them as usual.

    Returns (kept lines, [(dropped line, why), ...]).
    """
    own = set(canonical(n) for n in own_names)
    needs = collections.defaultdict(list)
    for who, text in wanted:
        req = pkg_requirements.Requirement(text)
        if _applies(req, environment):
            needs[canonical(req.name)].append((who, req))
    kept, dropped = [], []
    for line in lines:
        text = line.split('#', 1)[0].strip()
        why = None
        if text:
            try:
                pin = pkg_requirements.Requirement(text)
            except pkg_requirements.InvalidRequirement:
                pin = None
            if pin is not None and _applies(pin, environment):
                why = _conflict(pin, own, needs)
        if why:
            dropped.append((line.rstrip('\n'), why))
        else:
            kept.append(line)
    return kept, dropped


def _conflict(pin, own, needs):
    name = canonical(pin.name)
    if name in own:
        return 'this project is installed from its work tree'
    version = _pinned_version(pin)
    if version is None:
        return None
    for who, req in needs.get(name, ()):
        try:
            ok = req.specifier.contains(version, prereleases=True)
        except pkg_version.InvalidVersion:
            continue
        if not ok:
            return 'conflicts with %s: %s' % (who, req)
    return None


def backport_command(venv, timeout):
    return [os.path.join(venv, 'bin', 'nova-resize-checks'), 'backport',
            '--format', 'json', '--timeout', '%g' % timeout]


def parse_backport_output(stdout):
    """The report dict from ``backport --format json`` output."""
    try:
        report = json.loads(stdout)
    except ValueError as exc:
        raise StepError('backport printed no JSON report (%s): %s'
                        % (exc, _tail(stdout)))
    if not isinstance(report, dict) or 'verdict' not in report:
        raise StepError('backport printed JSON without a verdict: %s'
                        % _tail(stdout))
    return report


def new_row(series):
    return collections.OrderedDict([
        ('series', series.name), ('codename', series.codename),
        ('status', series.status), ('nova', series.nova),
        ('placement', series.placement),
        ('constraints', series.constraints),
        ('constraints_source', None), ('dropped_constraints', []),
        ('install_seconds', None), ('reused', False),
        ('run_seconds', None), ('static', None), ('dynamic', None),
        ('source_usage', None), ('dest_usage', None),
        ('scenario_seconds', None), ('agree', None), ('verdict', None),
        ('ok', False), ('reason', None), ('error', None),
        ('report', None),
    ])


def apply_report(row, report):
    """Fill a row from a backport report; returns the row."""
    static = report.get('static') or {}
    dynamic = report.get('dynamic') or {}
    usage = dynamic.get('usage') or {}
    row['report'] = report
    row['static'] = static.get('verdict')
    row['dynamic'] = dynamic.get('verdict')
    row['source_usage'] = usage.get('source')
    row['dest_usage'] = usage.get('dest')
    row['scenario_seconds'] = dynamic.get('seconds')
    row['agree'] = report.get('agree')
    if report.get('installed_nova') and \
            report['installed_nova'] != row['nova']:
        row['verdict'] = ERROR
        row['reason'] = ('the venv holds nova %s, not %s'
                         % (report['installed_nova'], row['nova']))
    elif not dynamic.get('run') or not dynamic.get('verdict'):
        row['verdict'] = INCOMPLETE
        row['reason'] = 'the scenario did not run: %s' % (
            dynamic.get('reason') or 'no reason given')
    elif not dynamic.get('outcome'):
        # The scenario crashed or timed out: verify reports that as a
        # disagreement (static verdict against "unknown"); here it is a
        # run that gave no evidence, not evidence against the static one.
        row['verdict'] = INCOMPLETE
        row['reason'] = 'no outcome: %s' % (
            dynamic.get('reason') or 'no reason given')
    else:
        row['verdict'] = report.get('verdict')
        row['reason'] = report.get('reason')
    row['ok'] = bool(row['verdict'] in GOOD and row['agree'])
    return row


def fail_row(row, message):
    row['verdict'] = ERROR
    row['error'] = message
    row['ok'] = False
    return row


def _seconds(value, reused=False):
    if reused:
        return 'reused'
    if value is None:
        return '-'
    return '%.0fs' % value if value >= 100 else '%.1fs' % value


COLUMNS = ('SERIES', 'NOVA', 'PLACEMENT', 'STATIC', 'DYNAMIC', 'SOURCE',
           'DEST', 'INSTALL', 'SCENARIO', 'VERDICT')


def row_cells(row):
    return ('%s %s' % (row['series'], row['codename']),
            row['nova'], row['placement'],
            row['static'] or '-', row['dynamic'] or '-',
            row['source_usage'] or '-', row['dest_usage'] or '-',
            _seconds(row['install_seconds'], row['reused']),
            _seconds(row['scenario_seconds']),
            row['verdict'] or '-')


def format_table(rows):
    """The text report: the table, then notes, then a summary line."""
    cells = [COLUMNS] + [row_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    out = ['  '.join(c.ljust(w) for c, w in zip(line, widths)).rstrip()
           for line in cells]
    notes = []
    for row in rows:
        for line, why in row['dropped_constraints']:
            notes.append('%s: dropped constraint %s (%s)'
                         % (row['series'], line, why))
        if row['error']:
            notes.append('%s: error: %s' % (row['series'], row['error']))
        elif not row['ok'] and row['reason']:
            notes.append('%s: %s: %s' % (row['series'], row['verdict'],
                                         row['reason']))
    if notes:
        out.append('')
        out.extend(notes)
    out.append('')
    out.append(summary(rows))
    return '\n'.join(out) + '\n'


def summary(rows):
    bad = [r['series'] for r in rows if not r['ok']]
    if not bad:
        return '%d series: all fixed, static and dynamic agree' % len(rows)
    return '%d of %d series not fixed and agreeing: %s' % (
        len(bad), len(rows), ', '.join(bad))


def format_json(rows, python=None, workdir=None):
    return json.dumps({'python': python, 'workdir': workdir,
                       'ok': all(r['ok'] for r in rows), 'rows': rows},
                      indent=2) + '\n'


def newest_of_major(index_output, major):
    """Newest version of ``major`` in ``pip index versions`` output."""
    for line in index_output.splitlines():
        if line.strip().startswith('Available versions:'):
            found = []
            for text in line.split(':', 1)[1].split(','):
                try:
                    v = pkg_version.Version(text.strip())
                except pkg_version.InvalidVersion:
                    continue
                if v.release[0] == int(major) and not v.is_prerelease:
                    found.append(v)
            return str(max(found)) if found else None
    return None


def _tail(text, lines=8, chars=2000):
    text = (text or '').strip()
    errors = [line for line in text.splitlines()
              if line.startswith('ERROR:')]
    picked = errors or text.splitlines()[-lines:]
    picked = [line if len(line) <= 300 else line[:297] + '...'
              for line in picked]
    return '\n'.join(picked)[-chars:]


# Impure parts: processes, venvs.

def _progress(series, message):
    sys.stderr.write('[%s] %s\n' % (series.name, message))
    sys.stderr.flush()


def _environ():
    env = dict(os.environ)
    for name in _SCRUBBED_ENV:
        env.pop(name, None)
    env['PIP_DISABLE_PIP_VERSION_CHECK'] = '1'
    return env


def _run(cmd, timeout, log=None, cwd=None):
    """Run cmd in its own process group; returns (rc, stdout, stderr).

    On timeout the whole group is killed and StepError raised.  With
    ``log``, the command and its output are appended to that file.
    """
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, cwd=cwd,
                            env=_environ(), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        _log(log, cmd, out, err, 'timed out')
        raise StepError('%s timed out after %ds: %s'
                        % (' '.join(os.path.basename(c) for c in cmd[:3]),
                           timeout, _tail(err or out)))
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    _log(log, cmd, out, err, 'exit %d' % proc.returncode)
    return proc.returncode, out, err


def _log(path, cmd, out, err, result):
    if not path:
        return
    with open(path, 'a') as f:
        f.write('$ %s\n%s\n%s\n[%s]\n\n' % (' '.join(cmd), out, err, result))


def _checked(cmd, timeout, log, what):
    rc, out, err = _run(cmd, timeout, log)
    if rc:
        raise StepError('%s failed (exit %d): %s'
                        % (what, rc, _tail(err or out)))
    return out


def _json_from(venv, snippet, log):
    out = _checked([os.path.join(venv, 'bin', 'python'), '-c', snippet],
                   120, log, 'querying the venv')
    return json.loads(out)


def _create_venv(python, venv, log, timeout):
    if os.path.exists(venv):
        shutil.rmtree(venv)
    _checked([python, '-m', 'venv', venv], timeout, log, 'python3 -m venv')
    _checked([os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'install',
              '--quiet', '--upgrade', 'pip'], timeout, log,
             'upgrading pip')


def _pip(venv):
    return [os.path.join(venv, 'bin', 'python'), '-m', 'pip']


def _metadata(series, venv, directory, log, timeout):
    """Requires-Dist of the nova and placement releases, without deps."""
    report = os.path.join(directory, 'metadata.json')
    _checked(_pip(venv) + ['install', '--dry-run', '--no-deps',
                           '--ignore-installed', '--quiet',
                           '--report', report,
                           'nova==%s' % series.nova,
                           'openstack-placement==%s' % series.placement],
             timeout, log, 'reading nova/placement metadata')
    with open(report) as f:
        return requires_dist_from_report(json.load(f))


def _wanted(series, metadata):
    wanted = [('requested', 'nova==%s' % series.nova),
              ('requested', 'openstack-placement==%s' % series.placement)]
    for who, reqs in metadata.items():
        wanted.extend((who, r) for r in reqs)
    wanted.extend((PROJECT_NAME, r) for r in project_requirements())
    return wanted


def _matches(installed, series):
    ours = installed.get(PROJECT_NAME) or {}
    url = (ours.get('direct_url') or {}).get('url', '')
    return (installed.get('nova', {}).get('version') == series.nova and
            installed.get('openstack-placement', {}).get('version') ==
            series.placement and
            os.path.realpath(url.replace('file://', '', 1)) ==
            os.path.realpath(PROJECT))


def prepare(series, args, row):
    """Make (or reuse) the series' venv; returns its path."""
    directory = os.path.join(args.workdir, series.name)
    venv = os.path.join(directory, 'venv')
    log = os.path.join(directory, 'install.log')
    stamp_path = os.path.join(directory, 'stamp.json')
    os.makedirs(directory, exist_ok=True)
    source = os.path.join(PROJECT, series.constraints)
    with open(source) as f:
        lines = f.readlines()
    if lines and lines[0].startswith('# openstack/requirements '):
        row['constraints_source'] = lines[0].lstrip('#').strip()
    else:
        row['constraints_source'] = 'this project\'s %s' % (
            series.constraints)
    start = time.monotonic()
    fresh = args.rebuild or not os.path.exists(
        os.path.join(venv, 'bin', 'python'))
    if fresh:
        _progress(series, 'creating %s' % venv)
        _create_venv(args.python, venv, log, args.install_timeout)
    environment = _json_from(venv, _ENV_SNIPPET, log)
    metadata = _metadata(series, venv, directory, log, args.install_timeout)
    kept, dropped = filter_constraints(lines, _wanted(series, metadata),
                                       environment)
    row['dropped_constraints'] = dropped
    for line, why in dropped:
        _progress(series, 'dropping constraint %s (%s)' % (line, why))
    constraints = os.path.join(directory, 'constraints.txt')
    with open(constraints, 'w') as f:
        f.writelines(kept)
    stamp = {'nova': series.nova, 'placement': series.placement,
             'project': PROJECT,
             'python': environment.get('python_full_version'),
             'constraints': hashlib.sha256(
                 ''.join(kept).encode('utf-8')).hexdigest()}
    if not fresh and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            old = json.load(f)
        if old == stamp and _matches(_json_from(venv, _INSTALLED_SNIPPET,
                                                log), series):
            row['reused'] = True
            row['install_seconds'] = time.monotonic() - start
            _progress(series, 'reusing %s (nova %s, placement %s)'
                      % (venv, series.nova, series.placement))
            return venv
    if os.path.exists(stamp_path):
        os.unlink(stamp_path)
    if not fresh:
        _progress(series, 'versions or constraints changed; recreating '
                          '%s' % venv)
        _create_venv(args.python, venv, log, args.install_timeout)
    _progress(series, 'installing nova==%s openstack-placement==%s and '
                      '%s[test] with -c %s%s (log: %s)'
              % (series.nova, series.placement, PROJECT,
                 series.constraints,
                 ' less %d line(s)' % len(dropped) if dropped else '', log))
    _checked(_pip(venv) + ['install', '--quiet', '-c', constraints,
                           '-e', '%s[test]' % PROJECT,
                           'nova==%s' % series.nova,
                           'openstack-placement==%s' % series.placement],
             args.install_timeout, log, 'pip install')
    installed = _json_from(venv, _INSTALLED_SNIPPET, log)
    if not _matches(installed, series):
        raise StepError('after pip install the venv holds %s'
                        % json.dumps(installed, sort_keys=True))
    with open(stamp_path, 'w') as f:
        json.dump(stamp, f, indent=2, sort_keys=True)
    row['install_seconds'] = time.monotonic() - start
    _progress(series, 'installed in %.0fs' % row['install_seconds'])
    return venv


def run_backport(series, venv, args, row):
    directory = os.path.join(args.workdir, series.name)
    _progress(series, 'running nova-resize-checks backport (timeout %gs)'
              % args.timeout)
    start = time.monotonic()
    # The tool stops its own scenario at args.timeout; the margin covers
    # process start-up and the static check.
    rc, out, err = _run(backport_command(venv, args.timeout),
                        args.timeout + 120,
                        os.path.join(directory, 'backport.log'),
                        cwd=directory)
    row['run_seconds'] = time.monotonic() - start
    if rc not in (0, 1):
        raise StepError('backport exited %d: %s' % (rc, _tail(err or out)))
    apply_report(row, parse_backport_output(out))
    _progress(series, '%s (scenario %s, run %.0fs)'
              % (row['verdict'], _seconds(row['scenario_seconds']),
                 row['run_seconds']))


def check_pypi(series_list, python):
    """Warn (stderr) when PyPI has a newer release than the table."""
    outputs = {}
    for package in ('nova', 'openstack-placement'):
        rc, out, err = _run([python, '-m', 'pip', 'index', 'versions',
                             package], 300)
        outputs[package] = out if rc == 0 else ''
    for series in series_list:
        for package, have in (('nova', series.nova),
                              ('openstack-placement', series.placement)):
            newest = newest_of_major(outputs[package], have.split('.')[0])
            if newest and newest != have:
                _progress(series, 'warning: PyPI has %s %s, the table says '
                                  '%s' % (package, newest, have))


def run_series(series, args):
    row = new_row(series)
    try:
        venv = prepare(series, args, row)
        run_backport(series, venv, args, row)
    except StepError as exc:
        fail_row(row, str(exc))
        _progress(series, 'error: %s' % exc)
    except (OSError, ValueError) as exc:
        fail_row(row, '%s: %s' % (type(exc).__name__, exc))
        _progress(series, 'error: %s: %s' % (type(exc).__name__, exc))
    return row


def build_parser():
    parser = argparse.ArgumentParser(
        description='Run "nova-resize-checks backport" against the newest '
                    'nova and placement of each series, each in its own '
                    'venv with that series\' upper-constraints.')
    parser.add_argument('--series', action='append',
                        choices=list(SERIES_BY_NAME),
                        help='a series to run (repeatable; default: all)')
    parser.add_argument('--workdir', default=DEFAULT_WORKDIR,
                        help='where the venvs live (default %(default)s)')
    parser.add_argument('--python', default='python3',
                        help='interpreter for the venvs (default '
                             '%(default)s)')
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text')
    parser.add_argument('--timeout', type=float, default=600,
                        help='seconds the scenario may take per series '
                             '(default %(default)s)')
    parser.add_argument('--install-timeout', type=float, default=1800,
                        help='seconds each install step may take '
                             '(default %(default)s)')
    parser.add_argument('--rebuild', action='store_true',
                        help='recreate the venvs even when they match')
    parser.add_argument('--check-pypi', action='store_true',
                        help='warn when PyPI has a newer nova or '
                             'placement release of a series than the '
                             'table')
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.workdir = os.path.abspath(os.path.expanduser(args.workdir))
    python = shutil.which(args.python)
    if not python:
        sys.stderr.write('release_matrix: %s not found\n' % args.python)
        return 2
    args.python = python
    names = args.series or list(SERIES_BY_NAME)
    chosen = [SERIES_BY_NAME[n] for i, n in enumerate(names)
              if n not in names[:i]]
    if args.check_pypi:
        check_pypi(chosen, python)
    try:
        rows = [run_series(series, args) for series in chosen]
    except KeyboardInterrupt:
        sys.stderr.write('release_matrix: interrupted\n')
        return 130
    version = subprocess.run(
        [python, '-c', 'import platform; print(platform.python_version())'],
        stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    if args.format == 'json':
        sys.stdout.write(format_json(rows, version, args.workdir))
    else:
        sys.stdout.write('Python %s, venvs under %s\n\n'
                         % (version, args.workdir))
        sys.stdout.write(format_table(rows))
    return 0 if all(r['ok'] for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
