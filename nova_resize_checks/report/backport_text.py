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


"""Text for the backport command: a tree, git refs, a proposed patch.

The functions take a console and a report (plain data) and only print to
that console: the CLI chooses the stream.
"""

from nova_resize_checks.backport import hunk_text
from nova_resize_checks.report import scenario_text

_STYLE = {'fixed': 'green', 'predates-regression': 'green',
          'affected': 'red', 'error': 'red', 'unknown': 'yellow',
          'fixes': 'green', 'already-fixed': 'green',
          'does-not-fix': 'red', 'cannot-tell': 'yellow'}


def _yes_no(value):
    if value is None:
        return '-'
    return 'yes' if value else 'no'


def refs_table(console, git_dir, rows, detail=False):
    """One line per ref: verdict, shape, file:line, fix in history."""
    import rich.table

    table = rich.table.Table(title='finish_resize failure path in %s'
                             % git_dir, title_justify='left')
    for name in ('ref', 'commit', 'verdict', 'shape', 'file:line',
                 'fix in history', 'agrees'):
        table.add_column(name, no_wrap=name != 'shape')
    for row in rows:
        where = row['path']
        if row['line']:
            where = '%s:%d' % (where.split(':', 1)[-1], row['line'])
        else:
            where = where.split(':', 1)[-1]
        style = _STYLE.get(row['verdict'], 'yellow')
        table.add_row(
            row['ref'], (row['commit'] or '-')[:10],
            '[%s]%s[/]' % (style, row['verdict']), row['shape'] or '-',
            where, _yes_no(row['fix_in_history']) + (
                ' (%s)' % row['fix_commit'][:10] if row['fix_commit']
                else ''),
            _yes_no(row['consistent']))
    console.print(table)
    if detail:
        for row in rows:
            console.print('%s: %s' % (row['ref'], row['detail']),
                          markup=False)
    else:
        for row in rows:
            if row['verdict'] == 'error':
                console.print('%s: %s' % (row['ref'], row['detail']),
                              markup=False)


def _static_line(label, result):
    if result is None:
        return '%s: -' % label
    if result.get('error'):
        return '%s: error: %s' % (label, result['error'])
    where = result['path']
    if result.get('line'):
        where = '%s:%d' % (where, result['line'])
    return '%s: %s [%s] %s at %s' % (label, result['verdict'],
                                     result['shape'],
                                     result.get('call') or '(no call)',
                                     where)


def _dynamic_line(label, dyn):
    if not dyn:
        return '%s: -' % label
    if not dyn.get('run'):
        return '%s: %s' % (label, dyn.get('reason'))
    usage = dyn.get('usage') or {}
    return '%s: %s - source holds %s, destination holds %s (%ss)' % (
        label, dyn.get('verdict'), usage.get('source', '?'),
        usage.get('dest', '?'), dyn.get('seconds', '?'))


def patch_text(console, report):
    """Before/after of a proposed backport and the outcome."""
    console.print('patch:   %s (%s)' % (report['patch'],
                                        report['patch_format']),
                  markup=False)
    console.print('target:  %s' % report['target'], markup=False)
    if report.get('nova_version'):
        console.print('nova:    %s' % report['nova_version'], markup=False)
    if report.get('applied'):
        console.print('applied: %s (git apply %s)' % (
            ', '.join(report['applied']),
            ' '.join(report.get('apply_options') or [])), markup=False)
    for record in report.get('hunks') or []:
        console.print('  %s%s' % ('' if record['placed'] else 'MISPLACED: ',
                                  hunk_text.describe(record)), markup=False)
        if record.get('note'):
            console.print('    note: %s' % record['note'], markup=False)
    for record in report.get('not_applied') or []:
        console.print('  not applied (%s): %s: %s' % (
            record['kind'], record['file'], record['cause']), markup=False)
    if report.get('apply_error') and not report.get('hunks'):
        console.print('apply error: %s' % report['apply_error'],
                      markup=False)
    console.print(_static_line('static before ', report.get('static_before')),
                  markup=False)
    console.print(_static_line('static after  ', report.get('static_after')),
                  markup=False)
    console.print(_dynamic_line('dynamic before',
                                report.get('dynamic_before')),
                  markup=False)
    console.print(_dynamic_line('dynamic after ',
                                report.get('dynamic_after')),
                  markup=False)
    outcome = report['outcome']
    console.print('outcome: [%s]%s[/] (exit %d)' % (
        _STYLE.get(outcome, 'yellow'), outcome, report['exit_code']))
    console.print('  %s' % report['reason'], markup=False)


def backport_text(console, report):
    st = report['static']
    dyn = report['dynamic']
    console.print('nova %s at %s%s' % (
        report['nova_version'] or '(version unknown)', report['tree'],
        ' (installed)' if report['installed'] else ''), markup=False)
    where = '%s:%s' % (st['path'], st['line']) if st['line'] else st['path']
    console.print('static:  %s [%s] %s at %s' % (
        st['verdict'], st['shape'], st['call'] or '(no call)', where),
        markup=False)
    if dyn['run']:
        usage = dyn.get('usage') or {}
        console.print('dynamic: %s - source holds %s, destination holds %s'
                      % (dyn['verdict'], usage.get('source', '?'),
                         usage.get('dest', '?')), markup=False)
        if dyn.get('observation'):
            console.print(scenario_text.allocation_table(dyn['observation']))
    else:
        console.print('dynamic: %s' % dyn['reason'], markup=False)
    verdict = report['verdict']
    console.print('verdict: [%s]%s[/]' % (
        _STYLE.get(verdict, 'yellow'), verdict))
    console.print('  %s' % report['reason'], markup=False)
