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


"""The test case that runs the scenario and keeps what placement holds.

Imported late, by :func:`nova_resize_checks.observer.observe` only:
importing nova's test packages patches the process (eventlet or native
threads), which must happen in the child that observes, not in the
command that starts it.
"""

import time

from nova_resize_checks import base

# Migration states after which nothing more happens to the migration.
_MIGRATION_FINAL = ('error', 'failed', 'finished', 'confirmed', 'reverted',
                    'done', 'completed')
_SERVER_SETTLED = ('ERROR', 'ACTIVE', 'VERIFY_RESIZE', 'SHUTOFF')


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
        type(self).observation = self._observation(
            server, migration, flavor1, flavor2)

    def _held(self, consumer):
        return {rp: dict(alloc['resources']) for rp, alloc in
                self._get_allocations_by_server_uuid(consumer).items()}

    def _observation(self, server, migration, flavor1, flavor2):
        """What the API and placement hold once the resize settled."""
        source_rp = self._get_provider_uuid_by_host('host1')
        dest_rp = self._get_provider_uuid_by_host('host2')
        migration_uuid = self.get_migration_uuid_for_instance(
            server['id'])
        return {
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
                             'allocations': self._held(server['id'])},
                'migration': {'uuid': migration_uuid,
                              'allocations': self._held(
                                  migration_uuid)},
            },
        }
