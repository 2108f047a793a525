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


"""Where the test suite's wall time goes: per environment, worker, class.

``stestr slowest`` only sees the time between a test's start and stop, so
a class that does its expensive work once in ``setUpClass`` looks cheap.
This reads the subunit v2 streams stestr records (one per ``stestr run``,
in ``.stestr/N``) and charges every worker's idle gap before a test to the
test's class: the gap before a class's first test is its ``setUpClass``
(and the previous class's ``tearDownClass``).  Per class it prints the set
up, the tests' own time and their sum; per worker its span, its test count
and its busy time.

Run the suite through tox and print the split::

    python tools/bench_suite.py tox                 # tox's envlist
    python tools/bench_suite.py tox -e functional,functional-threading

or read streams that were already recorded::

    python tools/bench_suite.py streams .stestr/3 .stestr/4
    stestr last --subunit | python tools/bench_suite.py streams -

``tox`` mode prints tox's own per-environment split (setup and commands),
the wall time of the whole tox run, the load average before and after, and
then each stestr stream the run recorded, in order.  It needs
python-subunit and testtools (test-requirements.txt).
"""

import argparse
import collections
import datetime
import io
import os
import re
import shutil
import subprocess
import sys
import time

# tox 4's closing lines: "  functional: OK (123.45=setup[6.78]+cmd[...]
# seconds)".
TOX_SUMMARY = re.compile(
    r'^\s*(?P<env>[\w.-]+): (?P<status>OK|FAIL|SKIP)\w* \((?P<total>[\d.]+)'
    r'(?:=setup\[(?P<setup>[\d.]+)\]\+cmd\[(?P<cmd>[\d., ]*)\])? seconds\)')
TOX_COMMAND = re.compile(r'^(?P<env>[\w.-]+): commands\[\d+\]> (?P<cmd>.*)$')
SCENARIO = re.compile(r'\(.*\)$')


def _class_of(test_id):
    """The test class of a test id (scenario and method dropped)."""
    test_id = SCENARIO.sub('', test_id)
    if test_id.startswith(('setUpClass (', 'tearDownClass (')):
        return test_id.split('(', 1)[1].rstrip(')')
    return test_id.rsplit('.', 1)[0]


def _worker(tags):
    for tag in tags:
        if tag.startswith('worker-'):
            return tag
    return 'worker-0'


def read_stream(stream):
    """Finished tests in a subunit byte stream (v2, or v1 as in .stestr/N).

    Returns a list of (test_id, status, worker, start, stop) with the
    times as datetimes (start is None when the stream lacks it).
    """
    import subunit
    import testtools

    found = []

    def on_test(test):
        stamps = [t for t in test['timestamps'] if t is not None]
        if not stamps or test['status'] in (None, 'exists'):
            return
        found.append((test['id'], test['status'], _worker(test['tags']),
                      stamps[0] if len(stamps) > 1 else None, stamps[-1]))

    data = stream.read()
    if data[:1] == b'\xb3':
        case = subunit.ByteStreamToStreamResult(io.BytesIO(data),
                                                non_subunit_name='stdout')
        result = testtools.StreamToDict(on_test)
    else:
        # stestr's repository keeps the workers' v1 streams.
        case = subunit.ProtocolTestCase(io.BytesIO(data))
        result = testtools.ExtendedToStreamDecorator(
            testtools.StreamToDict(on_test))
    result.startTestRun()
    try:
        case.run(result)
    finally:
        result.stopTestRun()
    return found


def split(tests):
    """Per-class and per-worker timing of one run's tests.

    A worker's first test is charged the gap from the run's first event
    (module imports and the first setUpClass); each later test the gap
    from the previous test's stop on the same worker.  Returns (classes,
    workers, wall) where classes maps a class to a dict of seconds
    ('setup', 'tests', 'total') and a test count, and workers maps a
    worker to (tests, busy seconds, first start, last stop).
    """
    if not tests:
        return {}, {}, 0.0
    begin = min(t[3] or t[4] for t in tests)
    end = max(t[4] for t in tests)
    classes = collections.defaultdict(
        lambda: {'setup': 0.0, 'tests': 0.0, 'total': 0.0, 'count': 0,
                 'worker': None, 'failed': 0})
    workers = {}
    by_worker = collections.defaultdict(list)
    for test in tests:
        by_worker[test[2]].append(test)
    for worker, items in sorted(by_worker.items()):
        items.sort(key=lambda t: (t[3] or t[4], t[4]))
        previous = begin
        previous_class = None
        busy = 0.0
        for test_id, status, _, start, stop in items:
            start = start or stop
            name = _class_of(test_id)
            entry = classes[name]
            own = max(0.0, (stop - start).total_seconds())
            gap = max(0.0, (start - previous).total_seconds())
            if name != previous_class:
                entry['setup'] += gap
            else:
                # Between two tests of one class: setUp/tearDown overhead
                # outside the test's own timestamps.
                entry['tests'] += gap
            entry['tests'] += own
            entry['total'] = entry['setup'] + entry['tests']
            entry['count'] += 1
            entry['worker'] = worker
            if status not in ('success', 'xfail', 'skip'):
                entry['failed'] += 1
            busy += gap + own
            previous = max(previous, stop)
            previous_class = name
        workers[worker] = (len(items), busy, items[0][3] or items[0][4],
                           items[-1][4])
    return dict(classes), workers, (end - begin).total_seconds()


def _fmt(seconds):
    seconds = int(round(seconds))
    return '%d:%02d' % divmod(seconds, 60)


def report(tests, title, top=15, out=sys.stdout):
    classes, workers, wall = split(tests)
    statuses = collections.Counter(t[1] for t in tests)
    out.write('%s: %d tests (%s), first start to last stop %s (%.0f s)\n'
              % (title, len(tests), ', '.join(
                  '%d %s' % (n, s) for s, n in sorted(statuses.items())),
                 _fmt(wall), wall))
    for worker, (count, busy, first, last) in sorted(workers.items()):
        out.write('  %s: %3d tests, busy %s, ends %s after the start\n'
                  % (worker, count, _fmt(busy), _fmt(
                      (last - min(w[2] for w in workers.values()))
                      .total_seconds())))
    setup = sum(c['setup'] for c in classes.values())
    own = sum(c['tests'] for c in classes.values())
    out.write('  set-up (setUpClass, imports, tear-down) %.0f s + tests '
              '%.0f s = %.0f s of worker time\n' % (setup, own, setup + own))
    ranked = sorted(classes.items(), key=lambda kv: -kv[1]['total'])
    out.write('  %-72s %5s %7s %7s %7s  %s\n' % (
        'slowest classes', 'tests', 'set-up', 'tests', 'total', 'worker'))
    for name, entry in ranked[:top]:
        short = name.replace('tests.functional.', '').replace(
            'tests.unit.', 'unit.')
        out.write('  %-72s %5d %7.1f %7.1f %7.1f  %s%s\n' % (
            short[-72:], entry['count'], entry['setup'], entry['tests'],
            entry['total'], entry['worker'],
            ' (%d failed)' % entry['failed'] if entry['failed'] else ''))
    if len(ranked) > top:
        rest = ranked[top:]
        out.write('  %-72s %5d %7.1f %7.1f %7.1f\n' % (
            '(%d more classes)' % len(rest),
            sum(e['count'] for _, e in rest),
            sum(e['setup'] for _, e in rest),
            sum(e['tests'] for _, e in rest),
            sum(e['total'] for _, e in rest)))


def _streams(paths):
    for path in paths:
        if path == '-':
            yield '<stdin>', read_stream(sys.stdin.buffer)
        else:
            with open(path, 'rb') as f:
                yield path, read_stream(f)


def _next_stream(repo):
    try:
        with open(os.path.join(repo, 'next-stream')) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return 0


def _loadavg():
    try:
        with open('/proc/loadavg') as f:
            return ' '.join(f.read().split()[:3])
    except OSError:
        return '?'


def run_tox(envs, tox, posargs, top):
    """Run tox, then report its environments and the streams it recorded."""
    repo = os.path.join(os.getcwd(), '.stestr')
    first = _next_stream(repo)
    cmd = [tox] + (['-e', envs] if envs else []) + posargs
    if not shutil.which(tox):
        sys.stderr.write('%s: no such command (see --tox)\n' % tox)
        return 2
    sys.stderr.write('load average before: %s\n$ %s\n'
                     % (_loadavg(), ' '.join(cmd)))
    start = time.monotonic()
    cpu_start = os.times()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    for raw in proc.stdout:
        line = raw.decode('utf-8', 'replace')
        sys.stderr.write(line)
        lines.append(line.rstrip('\n'))
    code = proc.wait()
    wall = time.monotonic() - start
    cpu_end = os.times()
    cpu = ((cpu_end.children_user - cpu_start.children_user) +
           (cpu_end.children_system - cpu_start.children_system))
    out = sys.stdout
    out.write('\n== tox %s: exit %d, wall %s (%.0f s), CPU %.0f s of '
              'user+system in all its processes; load average after: %s\n'
              % (envs or '(envlist)', code, _fmt(wall), wall, cpu,
                 _loadavg()))
    stestr_envs = []
    for line in lines:
        match = TOX_SUMMARY.match(line)
        if match:
            cmds = [float(c) for c in (match.group('cmd') or '').replace(
                ' ', '').split(',') if c]
            out.write('  %-28s %-4s %8.1f s  (setup %s s, commands %s)\n' % (
                match.group('env'), match.group('status'),
                float(match.group('total')), match.group('setup') or '-',
                ' + '.join('%.1f' % c for c in cmds) or '-'))
        match = TOX_COMMAND.match(line)
        if match and re.search(r'\bstestr\b.* run\b', match.group('cmd')):
            stestr_envs.append(match.group('env'))
    last = _next_stream(repo)
    for index, number in enumerate(range(first, last)):
        path = os.path.join(repo, str(number))
        if not os.path.exists(path):
            continue
        env = stestr_envs[index] if index < len(stestr_envs) else '?'
        out.write('\n')
        with open(path, 'rb') as f:
            report(read_stream(f), '%s (.stestr/%d)' % (env, number), top)
    return code


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='mode', required=True)
    streams = sub.add_parser('streams', help='report recorded subunit '
                             'streams (- for stdin)')
    streams.add_argument('paths', nargs='+')
    streams.add_argument('--top', type=int, default=15)
    tox = sub.add_parser('tox', help='run tox and report the split')
    tox.add_argument('-e', dest='envs', default=None,
                     help='tox environments (default: its envlist)')
    tox.add_argument('--tox', default='tox', help='the tox command')
    tox.add_argument('--top', type=int, default=15)
    tox.add_argument('posargs', nargs='*', help='more arguments for tox')
    args = parser.parse_args(argv)
    if args.mode == 'streams':
        for path, tests in _streams(args.paths):
            report(tests, path, args.top)
        return 0
    sys.stdout.write('%s UTC, %d cores\n' % (
        datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'),
        os.cpu_count() or 0))
    return run_tox(args.envs, args.tox, args.posargs, args.top)


if __name__ == '__main__':
    sys.exit(main())
