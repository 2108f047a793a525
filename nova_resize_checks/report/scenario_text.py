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


"""Text for the scenario commands: reproduce, mutants, mutants --matrix.

Functions take plain data (the reports the library returns) and either
print to the rich console they are given or return lines; they never
choose a stream.
"""

import rich.table

from nova_resize_checks import assertions as assertions_mod
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
    if report.get('concurrency'):
        console.print('nova concurrency: %s' % report['concurrency'],
                      markup=False)
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


def matrix_lines(matrix):
    """Plain-text table of the matrix, one string per line."""
    mutant_names = matrix.mutants
    short = {m: str(index + 1) for index, m in enumerate(mutant_names)}
    lines = ['Mutants:']
    for m in mutant_names:
        lines.append('  %2s %-26s %6.1fs  caught by %s' % (
            short[m], m, matrix.runs[m]['seconds'],
            ', '.join(sorted(matrix.caught(m), key=lambda k: int(k[1:])))
            or 'NOTHING' + (' (scenario error: %s)' % assertions_mod
                            .first_line(matrix.runs[m]['error'], 200)
                            if matrix.runs[m]['error'] else '')))
    lines.append('')
    header = '%-58s %s' % ('assertion', ' '.join(
        '%2s' % short[m] for m in mutant_names))
    lines.append(header)
    for assertion in matrix.assertions:
        cells = []
        caught = set(matrix.catches(assertion))
        only = set(matrix.only(assertion))
        for m in mutant_names:
            cells.append(' !' if m in only else ' x' if m in caught
                         else ' .')
        lines.append('%-58s %s' % (assertion.label(58), ' '.join(cells)))
    lines.append('')
    lines.append('x: the assertion fails under the mutant; !: and no other '
                 'assertion does')
    lines.append('')
    for assertion in matrix.assertions:
        only = matrix.only(assertion)
        if only:
            lines.append('%s: only it catches %s' % (assertion.key,
                                                     ', '.join(only)))
        else:
            lines.append('%s: redundant: %s' % (
                assertion.key, matrix.redundant_reason(assertion)))
    uncaught = matrix.uncaught()
    if uncaught:
        lines.append('')
        lines.append('NOT CAUGHT by the canonical test: %s'
                     % ', '.join(uncaught))
    lines.append('')
    lines.append('run order (most likely to survive first): %s'
                 % ', '.join(matrix.run_order()))
    return lines
