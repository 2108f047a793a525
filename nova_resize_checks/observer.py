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


"""Run the bug 1825537 scenario once and record what placement holds.

The scenario is the one the regression test runs (two fake computes, boot on
host1 with flavors[0], resize to flavors[1], finish_resize fails on host2),
but instead of asserting it records: server state, migration status, usage
per provider and allocations per consumer.  :mod:`outcome` classifies it.

Run it in a child process (``python -m nova_resize_checks.observer``):
nova's test framework monkey-patches the process and keeps global state,
which a long-lived CLI process should not inherit.
"""

import argparse
import sys
import time

from nova_resize_checks import env
from nova_resize_checks import json_child

# Migration states after which nothing more happens to the migration.
_MIGRATION_FINAL = ('error', 'failed', 'finished', 'confirmed', 'reverted',
                    'done', 'completed')
_SERVER_SETTLED = ('ERROR', 'ACTIVE', 'VERIFY_RESIZE', 'SHUTOFF')


def _scenario_case():
    # Imported late: importing nova's test packages patches the process.
    from nova_resize_checks import base

    class ScenarioObserver(base.ResizeChecksTestCase):
        """Runs the scenario and keeps what placement holds."""

        observation = None

        def _poll(self, fetch, done, seconds=15.0, interval=0.1):
            deadline = time.monotonic() + seconds
            value = fetch()
            while not done(value) and time.monotonic() < deadline:
                time.sleep(interval)
                value = fetch()
            return value

        def _migration(self, server_id):
            for migration in self.admin_api.api_get(
                    '/os-migrations').body['migrations']:
                if migration['instance_uuid'] == server_id:
                    return migration
            return {}

        def test_observe(self):
            flavors = self.api.get_flavors()
            flavor1, flavor2 = flavors[0], flavors[1]
            self._start_compute('host1')
            self._start_compute('host2')
            server = self._boot_and_check_allocations(flavor1, 'host1')
            self.api.post_server_action(
                server['id'], {'resize': {'flavorRef': flavor2['id']}})
            migration = self._poll(
                lambda: self._migration(server['id']),
                lambda m: m.get('status', '').lower() in _MIGRATION_FINAL)
            server = self._poll(
                lambda: self.api.get_server(server['id']),
                lambda s: s['status'] in _SERVER_SETTLED)
            source_rp = self._get_provider_uuid_by_host('host1')
            dest_rp = self._get_provider_uuid_by_host('host2')
            migration_uuid = self.get_migration_uuid_for_instance(
                server['id'])

            def held(consumer):
                return {rp: dict(alloc['resources']) for rp, alloc in
                        self._get_allocations_by_server_uuid(
                            consumer).items()}

            type(self).observation = {
                'server': {
                    'id': server['id'],
                    'status': server['status'],
                    'host': server.get('OS-EXT-SRV-ATTR:host'),
                    'fault': (server.get('fault') or {}).get('message'),
                },
                'migration': {'uuid': migration_uuid,
                              'status': migration.get('status')},
                'flavors': {
                    name: dict(self._resources_from_flavor(flavor))
                    for name, flavor in (('flavor1', flavor1),
                                         ('flavor2', flavor2))},
                'providers': {
                    'source': {'host': 'host1', 'uuid': source_rp,
                               'usages': self._get_provider_usages(
                                   source_rp)},
                    'dest': {'host': 'host2', 'uuid': dest_rp,
                             'usages': self._get_provider_usages(dest_rp)},
                },
                'consumers': {
                    'instance': {'uuid': server['id'],
                                 'allocations': held(server['id'])},
                    'migration': {'uuid': migration_uuid,
                                  'allocations': held(migration_uuid)},
                },
            }

    return ScenarioObserver


class ScenarioFailed(Exception):
    """The scenario errored before placement could be observed."""


def observe(mutant=None):
    """Run the scenario in this process; return the observation dict.

    Raises EnvironmentProblem when nova cannot run it and ScenarioFailed
    (with nova's traceback) when the scenario itself errors.
    """
    import testtools

    from nova_resize_checks import mutants

    env.check_environment()
    case_class = _scenario_case()
    case_class.observation = None
    case = case_class('test_observe')
    result = testtools.TestResult()
    if mutant:
        with mutants.MutantFixture(mutant):
            case.run(result)
    else:
        case.run(result)
    problems = result.errors + result.failures
    if problems or case_class.observation is None:
        detail = '\n'.join(text for _, text in problems)
        raise ScenarioFailed(detail or 'the scenario recorded nothing')
    return case_class.observation


def main(argv=None):
    """Child-process entry point; writes a JSON document to --output."""
    parser = argparse.ArgumentParser(prog='nova_resize_checks.observer')
    parser.add_argument('--mutant')
    parser.add_argument('--output', required=True)
    args = parser.parse_args(argv)
    document = {'versions': env.versions(), 'mutant': args.mutant}
    start = time.monotonic()
    try:
        document['observation'] = observe(args.mutant)
    except env.EnvironmentProblem as exc:
        document['environment_error'] = str(exc)
    except ScenarioFailed as exc:
        document['scenario_error'] = str(exc)
    document['seconds'] = round(time.monotonic() - start, 3)
    json_child.write(args.output, document)
    return 0


if __name__ == '__main__':
    sys.exit(main())
