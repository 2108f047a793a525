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


"""The pure parts of tools/release_matrix.py: no network, no venvs."""

import importlib.util
import json
import os
import re

import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _load():
    path = os.path.join(TOP, 'tools', 'release_matrix.py')
    spec = importlib.util.spec_from_file_location('release_matrix', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


matrix = _load()

PY311 = {'python_version': '3.11', 'python_full_version': '3.11.7',
         'sys_platform': 'linux', 'platform_system': 'Linux',
         'os_name': 'posix', 'platform_machine': 'x86_64',
         'implementation_name': 'cpython',
         'platform_python_implementation': 'CPython'}

FIXED_REPORT = {
    'nova_version': '34.0.0', 'installed_nova': '34.0.0',
    'tree': '/venv/lib/python3.11/site-packages', 'installed': True,
    'static': {'verdict': 'fixed', 'shape': 'delete-allocation-after-move',
               'call': 'self._delete_allocation_after_move',
               'path': '/venv/nova/compute/manager.py', 'line': 6673,
               'detail': 'the fix'},
    'dynamic': {'run': True, 'verdict': 'fixed', 'outcome': 'fixed',
                'reason': 'placement holds the fixed outcome',
                'usage': {'source': 'none', 'dest': 'flavor2'},
                'seconds': 15.41},
    'verdict': 'fixed', 'reason': 'the fix', 'agree': True,
}


def _report(**changes):
    report = json.loads(json.dumps(FIXED_REPORT))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(report.get(key), dict):
            report[key].update(value)
        else:
            report[key] = value
    return report


class SeriesTableTestCase(testtools.TestCase):

    def test_series_in_release_order_ending_with_master(self):
        names = [s.name for s in matrix.SERIES]
        self.assertEqual(['2023.2', '2024.1', '2024.2', '2025.1', '2025.2',
                          '2026.1', 'master'], names)
        self.assertEqual(names, list(matrix.SERIES_BY_NAME))

    def test_nova_and_placement_majors_follow_the_series(self):
        # 2023.2 is nova 28 / placement 10, each series one more.
        for offset, series in enumerate(matrix.SERIES):
            self.assertEqual(28 + offset, int(series.nova.split('.')[0]),
                             series.name)
            self.assertEqual(10 + offset,
                             int(series.placement.split('.')[0]),
                             series.name)

    def test_constraints_files_exist_with_a_source_header(self):
        for series in matrix.SERIES:
            path = os.path.join(TOP, series.constraints)
            self.assertTrue(os.path.isfile(path), path)
            with open(path) as f:
                first = f.readline()
            if series.name == 'master':
                self.assertEqual('upper-constraints.txt', series.constraints)
                continue
            self.assertEqual('tools/constraints/%s.txt' % series.name,
                             series.constraints)
            self.assertIsNotNone(re.match(
                r'# openstack/requirements upper-constraints\.txt from '
                r'(branch|tag) \S*%s\S* at commit [0-9a-f]{40}$'
                % re.escape(series.name), first.strip()), first)

    def test_data_files_do_not_pin_nova_or_placement(self):
        # The matrix names them itself; a pin would fight the request.
        for series in matrix.SERIES:
            if series.name == 'master':
                continue
            with open(os.path.join(TOP, series.constraints)) as f:
                names = [line.split('=')[0].strip().lower() for line in f]
            self.assertNotIn('nova', names)
            self.assertNotIn('openstack-placement', names)


class FilterConstraintsTestCase(testtools.TestCase):

    LINES = ['# header\n',
             'keystoneauth1===5.15.0\n',
             'oslo.utils===10.1.1\n',
             'nova===34.0.0\n',
             'nova-resize-checks===0.1.0\n',
             "voluptuous===0.14.2;python_version=='3.8'\n",
             "voluptuous===0.15.2;python_version>='3.9'\n",
             'SQLAlchemy===2.0.52\n',
             '\n']

    def test_conflicting_pins_dropped_with_reasons(self):
        wanted = [('requested', 'nova==33.0.2'),
                  ('nova 33.0.2', 'keystoneauth1>=5.16.0'),
                  ('nova 33.0.2', 'oslo.utils>=7.0.0'),
                  ('nova 33.0.2', 'sqlalchemy>=1.4.13')]
        kept, dropped = matrix.filter_constraints(self.LINES, wanted, PY311)
        self.assertEqual(
            [('keystoneauth1===5.15.0',
              'conflicts with nova 33.0.2: keystoneauth1>=5.16.0'),
             ('nova===34.0.0', 'conflicts with requested: nova==33.0.2'),
             ('nova-resize-checks===0.1.0',
              'this project is installed from its work tree')],
            dropped)
        self.assertEqual(
            ['# header\n', 'oslo.utils===10.1.1\n',
             "voluptuous===0.14.2;python_version=='3.8'\n",
             "voluptuous===0.15.2;python_version>='3.9'\n",
             'SQLAlchemy===2.0.52\n', '\n'], kept)

    def test_nothing_dropped_when_all_agree(self):
        lines = self.LINES[:3]
        kept, dropped = matrix.filter_constraints(
            lines, [('nova 34.0.0', 'keystoneauth1>=5.0.0')], PY311)
        self.assertEqual([], dropped)
        self.assertEqual(lines, kept)

    def test_names_compare_canonically(self):
        kept, dropped = matrix.filter_constraints(
            ['Oslo_Utils===6.2.1\n'], [('nova 30.3.0', 'oslo.utils>=7.0')],
            PY311)
        self.assertEqual([], kept)
        self.assertEqual(1, len(dropped))

    def test_pins_for_another_python_are_kept(self):
        # Pip ignores them on this python, so they cannot conflict.
        lines = ["voluptuous===0.13.1;python_version=='3.8'\n"]
        kept, dropped = matrix.filter_constraints(
            lines, [('nova 34.0.0', 'voluptuous>=0.15')], PY311)
        self.assertEqual(lines, kept)
        self.assertEqual([], dropped)

    def test_requirements_for_another_python_or_an_extra_ignored(self):
        lines = ['eventlet===0.33.3\n', 'oslo.vmware===4.2.1\n']
        wanted = [('nova 28.3.1',
                   "eventlet>=0.40; python_version<'3.9'"),
                  ('nova 28.3.1', 'oslo.vmware>=9; extra == "vmware"')]
        kept, dropped = matrix.filter_constraints(lines, wanted, PY311)
        self.assertEqual(lines, kept)
        self.assertEqual([], dropped)

    def test_non_pins_and_junk_kept(self):
        lines = ['foo<2\n', 'not a requirement !!\n', '-e git+x\n']
        kept, dropped = matrix.filter_constraints(
            lines, [('nova 34.0.0', 'foo>=3')], PY311)
        self.assertEqual(lines, kept)
        self.assertEqual([], dropped)

    def test_requires_dist_from_pip_report(self):
        report = {'version': '1', 'install': [
            {'metadata': {'name': 'nova', 'version': '34.0.0',
                          'requires_dist': ['pbr>=5.8.0',
                                            'keystoneauth1>=5.16.0']}},
            {'metadata': {'name': 'openstack-placement',
                          'version': '16.0.0'}}]}
        self.assertEqual(
            {'nova 34.0.0': ['pbr>=5.8.0', 'keystoneauth1>=5.16.0'],
             'openstack-placement 16.0.0': []},
            dict(matrix.requires_dist_from_report(report)))

    def test_requirement_lines(self):
        self.assertEqual(
            ['pbr>=5.5.0', 'nova', 'oslotest>=3.8.0'],
            matrix.parse_requirement_lines(
                ['# comment\n', 'pbr>=5.5.0 # Apache-2.0\n', 'nova\n',
                 '\n', '-c other.txt\n', 'oslotest>=3.8.0']))

    def test_project_requirements_include_the_test_extra(self):
        found = [r.split('>')[0].split('=')[0].strip()
                 for r in matrix.project_requirements(TOP)]
        self.assertIn('nova', found)
        self.assertIn('openstack-placement', found)
        self.assertIn('wsgi-intercept', found)


class ReportTestCase(testtools.TestCase):

    def _row(self, name='master'):
        return matrix.new_row(matrix.SERIES_BY_NAME[name])

    def test_parse_backport_output(self):
        text = json.dumps(FIXED_REPORT, indent=2)
        self.assertEqual(FIXED_REPORT, matrix.parse_backport_output(text))

    def test_parse_rejects_non_json(self):
        exc = self.assertRaises(matrix.StepError,
                                matrix.parse_backport_output,
                                'Traceback...\nImportError: nova\n')
        self.assertIn('no JSON report', str(exc))
        self.assertIn('ImportError: nova', str(exc))

    def test_parse_rejects_json_without_verdict(self):
        self.assertRaises(matrix.StepError, matrix.parse_backport_output,
                          '{"static": {}}')

    def test_fixed_report_fills_the_row(self):
        row = matrix.apply_report(self._row(), FIXED_REPORT)
        self.assertEqual(
            ('fixed', 'fixed', 'none', 'flavor2', 15.41, 'fixed', True,
             True),
            (row['static'], row['dynamic'], row['source_usage'],
             row['dest_usage'], row['scenario_seconds'], row['verdict'],
             row['agree'], row['ok']))

    def test_affected_is_not_ok(self):
        row = matrix.apply_report(self._row(), _report(
            static={'verdict': 'affected'},
            dynamic={'verdict': 'affected', 'outcome': 'affected',
                     'usage': {'source': 'flavor1', 'dest': 'none'}},
            verdict='affected', reason='revert'))
        self.assertEqual('affected', row['verdict'])
        self.assertFalse(row['ok'])
        self.assertEqual('flavor1', row['source_usage'])

    def test_disagreement_is_not_ok(self):
        row = matrix.apply_report(self._row(), _report(
            dynamic={'verdict': 'affected'}, verdict='disagreement',
            agree=False, reason='static says fixed'))
        self.assertEqual('disagreement', row['verdict'])
        self.assertFalse(row['ok'])

    def test_predates_regression_is_ok(self):
        row = matrix.apply_report(self._row(), _report(
            static={'verdict': 'predates-regression'},
            dynamic={'verdict': 'predates-regression'},
            verdict='predates-regression'))
        self.assertTrue(row['ok'])

    def test_scenario_not_run_is_incomplete(self):
        row = matrix.apply_report(self._row(), _report(
            dynamic={'run': False, 'verdict': None,
                     'reason': 'not run: no placement'}))
        self.assertEqual('incomplete', row['verdict'])
        self.assertFalse(row['ok'])
        self.assertIn('no placement', row['reason'])

    def test_scenario_without_outcome_is_incomplete(self):
        # What verify reports when the scenario timed out or crashed.
        report = _report(
            dynamic={'verdict': 'unknown', 'seconds': None,
                     'reason': 'the scenario failed: the scenario did not '
                               'finish within 1.0s'},
            verdict='disagreement', agree=False)
        del report['dynamic']['outcome']
        del report['dynamic']['usage']
        row = matrix.apply_report(self._row(), report)
        self.assertEqual('incomplete', row['verdict'])
        self.assertIn('did not finish within 1.0s', row['reason'])
        self.assertEqual('unknown', row['dynamic'])
        self.assertIsNone(row['source_usage'])
        self.assertFalse(row['ok'])

    def test_wrong_nova_in_the_venv_is_an_error(self):
        row = matrix.apply_report(self._row('2025.1'), FIXED_REPORT)
        self.assertEqual('error', row['verdict'])
        self.assertIn('34.0.0, not 31.3.1', row['reason'])
        self.assertFalse(row['ok'])

    def test_backport_command(self):
        self.assertEqual(
            ['/v/bin/nova-resize-checks', 'backport', '--format', 'json',
             '--timeout', '600'],
            matrix.backport_command('/v', 600.0))


class FormatTestCase(testtools.TestCase):

    def _rows(self):
        good = matrix.new_row(matrix.SERIES_BY_NAME['master'])
        matrix.apply_report(good, FIXED_REPORT)
        good['install_seconds'] = 97.3
        good['dropped_constraints'] = [('keystoneauth1===5.15.0',
                                        'conflicts with nova 34.0.0: '
                                        'keystoneauth1>=5.16.0')]
        reused = matrix.new_row(matrix.SERIES_BY_NAME['2026.1'])
        matrix.apply_report(reused, _report(installed_nova='33.0.2'))
        reused['reused'] = True
        reused['install_seconds'] = 2.0
        bad = matrix.new_row(matrix.SERIES_BY_NAME['2023.2'])
        matrix.fail_row(bad, 'pip install failed (exit 1): ERROR: boom')
        return [good, reused, bad]

    def test_table(self):
        text = matrix.format_table(self._rows())
        lines = text.splitlines()
        self.assertEqual(
            ['SERIES', 'NOVA', 'PLACEMENT', 'STATIC', 'DYNAMIC', 'SOURCE',
             'DEST', 'INSTALL', 'SCENARIO', 'VERDICT'], lines[0].split())
        self.assertEqual(
            ['master', '2026.2', '34.0.0', '16.0.0', 'fixed', 'fixed',
             'none', 'flavor2', '97.3s', '15.4s', 'fixed'],
            lines[1].split())
        self.assertEqual(
            ['2026.1', 'gazpacho', '33.0.2', '15.0.0', 'fixed', 'fixed',
             'none', 'flavor2', 'reused', '15.4s', 'fixed'],
            lines[2].split())
        self.assertEqual(
            ['2023.2', 'bobcat', '28.3.1', '10.0.1', '-', '-', '-', '-',
             '-', '-', 'error'], lines[3].split())
        # Columns line up.
        self.assertEqual(lines[0].index('NOVA'), lines[3].index('28.3.1'))
        self.assertIn('master: dropped constraint keystoneauth1===5.15.0 '
                      '(conflicts with nova 34.0.0: keystoneauth1>=5.16.0)',
                      lines)
        self.assertIn('2023.2: error: pip install failed (exit 1): '
                      'ERROR: boom', lines)
        self.assertEqual('1 of 3 series not fixed and agreeing: 2023.2',
                         lines[-1])

    def test_all_good_summary(self):
        rows = self._rows()[:2]
        self.assertEqual('2 series: all fixed, static and dynamic agree',
                         matrix.format_table(rows).splitlines()[-1])

    def test_json(self):
        data = json.loads(matrix.format_json(self._rows(), '3.11.7', '/w'))
        self.assertFalse(data['ok'])
        self.assertEqual('3.11.7', data['python'])
        self.assertEqual(['master', '2026.1', '2023.2'],
                         [r['series'] for r in data['rows']])
        self.assertEqual('flavor2', data['rows'][0]['dest_usage'])
        self.assertEqual('error', data['rows'][2]['verdict'])

    def test_seconds(self):
        self.assertEqual('-', matrix._seconds(None))
        self.assertEqual('9.5s', matrix._seconds(9.5))
        self.assertEqual('123s', matrix._seconds(123.4))
        self.assertEqual('reused', matrix._seconds(3, reused=True))

    def test_tail_prefers_pip_errors(self):
        text = ('Collecting x\nERROR: Cannot install nova==1\n'
                'ERROR: ResolutionImpossible\nmore\n')
        self.assertEqual('ERROR: Cannot install nova==1\n'
                         'ERROR: ResolutionImpossible', matrix._tail(text))

    def test_tail_shortens_long_lines(self):
        text = 'ERROR: no nova==1 (from versions: %s)\n' % ('1.0, ' * 200)
        tail = matrix._tail(text)
        self.assertEqual(300, len(tail))
        self.assertTrue(tail.endswith('...'))

    def test_newest_of_major(self):
        out = ('nova (34.0.0)\nAvailable versions: 34.0.0, 33.0.2, 33.0.1, '
               '33.0.0, 32.2.1, 31.3.1, 31.10.0rc1, 28.3.1\n')
        self.assertEqual('33.0.2', matrix.newest_of_major(out, '33'))
        self.assertEqual('31.3.1', matrix.newest_of_major(out, '31'))
        self.assertIsNone(matrix.newest_of_major(out, '27'))
        self.assertIsNone(matrix.newest_of_major('nothing', '27'))
