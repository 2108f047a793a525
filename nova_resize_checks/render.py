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


"""Text rendering for the CLI (rich tables); the library never prints."""

import rich.table

from nova_resize_checks import outcome

_STYLE = {outcome.FIXED: 'green', outcome.AFFECTED: 'red',
          outcome.UNEXPECTED: 'yellow'}


def _versions_line(versions):
    return ', '.join('%s %s' % (name, versions.get(name) or 'not installed')
                     for name in ('nova', 'openstack-placement', 'python'))


def allocation_table(observation, title='Placement after the failed '
                                        'finish_resize'):
    flavors = observation['flavors']
    table = rich.table.Table(title=title, title_justify='left')
    for column in ('provider', 'host', 'consumer', 'VCPU', 'MEMORY_MB',
                   'DISK_GB', 'matches'):
        table.add_column(column)
    consumers = observation['consumers']
    for key in ('source', 'dest'):
        provider = observation['providers'][key]
        usages = outcome._usage(provider['usages'])
        table.add_row(key, provider['host'], '(total usage)',
                      *[str(usages[rc]) for rc in outcome.RESOURCE_CLASSES],
                      outcome.name_usage(usages, flavors))
        for name in ('instance', 'migration'):
            held = consumers[name]['allocations'].get(provider['uuid'])
            if held:
                held = outcome._usage(held)
                table.add_row('', '', '%s %s' % (
                    name, consumers[name]['uuid'][:8]),
                    *[str(held[rc]) for rc in outcome.RESOURCE_CLASSES],
                    outcome.name_usage(held, flavors))
    return table


def reproduce_text(console, report):
    observation = report['observation']
    console.print('nova-resize-checks reproduce: %s'
                  % _versions_line(report['versions']))
    if report['mutant']:
        console.print('mutant: %s' % report['mutant'])
    server = observation['server']
    console.print('server %s: status %s on %s, fault: %s; migration status '
                  '%s' % (server['id'][:8], server['status'], server['host'],
                          server['fault'],
                          observation['migration']['status']))
    console.print(allocation_table(observation))
    verdict = report['verdict']
    console.print('verdict: [%s]%s[/]' % (_STYLE[verdict], verdict))
    for reason in report['reasons']:
        console.print('  - %s' % reason, markup=False)
    console.print('(scenario took %.1fs)' % report['seconds'])


def mutants_text(console, mutants):
    table = rich.table.Table(title='nova mutants', title_justify='left')
    table.add_column('name')
    table.add_column('source')
    table.add_column('destination')
    table.add_column('what it does')
    for mutant in mutants:
        table.add_row(mutant.name, mutant.source or 'none',
                      mutant.dest or 'none', mutant.summary)
    console.print(table)


def review_text(console, reports, summary, explain=False):
    from nova_resize_checks import canonical
    from nova_resize_checks.review import report as report_mod

    for problem in summary.get('problems', []):
        console.print('problem: %s' % problem, markup=False)
    for review in reports:
        console.print(report_mod.headline(review), markup=False)
    console.print('')
    for review in reports:
        console.print('%s (%s)' % (review.path, review.verdict),
                      markup=False)
        for line in report_mod.text_details(review):
            console.print(line, markup=False)
        if explain:
            for line in report_mod.explanation(review,
                                               canonical.read_test()):
                console.print(line, markup=False, highlight=False)
    caught = summary.get('caught_by_canonical', [])
    runs = summary.get('runs', {})
    flagged = sum(1 for r in reports if r.flagged)
    console.print('')
    console.print('%d review(s), %d flagged; canonical test catches %s; '
                  '%d run(s), %d from cache' % (
                      len(reports), flagged, ', '.join(caught) or 'nothing',
                      runs.get('runs', 0), runs.get('cached', 0)),
                  markup=False)
    console.print('runs confined by %s; nova concurrency: %s%s' % (
        summary.get('confinement', '?'), summary.get('concurrency', '?'),
        '' if summary.get('static_gate', True) else
        '; STATIC GATE OFF (test-only switch)'), markup=False)


_BACKPORT_STYLE = {'fixed': 'green', 'predates-regression': 'green',
                   'affected': 'red', 'unknown': 'yellow',
                   'disagreement': 'yellow'}


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
            console.print(allocation_table(dyn['observation']))
    else:
        console.print('dynamic: %s' % dyn['reason'], markup=False)
    verdict = report['verdict']
    console.print('verdict: [%s]%s[/]' % (
        _BACKPORT_STYLE.get(verdict, 'yellow'), verdict))
    console.print('  %s' % report['reason'], markup=False)
