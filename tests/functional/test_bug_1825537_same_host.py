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


from nova_resize_checks import base
from nova_resize_checks import virt


class FinishResizeErrorSameHostAllocationCleanupTestCase(
        base.ResizeChecksTestCase):
    """Bug 1825537 when the resize stays on the same host.

    With allow_resize_to_same_host the only compute is both source and
    destination. While the resize is in flight its provider carries both
    flavors: the old one held by the migration consumer, the new one by the
    instance. When finish_resize fails, the fix drops what the migration
    holds and the host is left with the new flavor only, which is what
    nova's own same-host test (_test_resize_to_same_host_instance_fails
    with _finish_resize) asserts. Under the bug the old flavor was handed
    back to the instance and the new one dropped.
    """

    compute_driver = virt.DRIVER

    def setUp(self):
        super(FinishResizeErrorSameHostAllocationCleanupTestCase,
              self).setUp()
        # Let the scheduler pick the host the server already runs on.
        self.flags(allow_resize_to_same_host=True)
        flavors = self.api.get_flavors()
        self.flavor1 = flavors[0]
        self.flavor2 = flavors[1]

    def _resize_and_assert_error(self, server, dest_host):
        # Resize to the bigger flavor. prep_resize on the (only) host
        # claims flavor2 for the instance next to flavor1, which moves to
        # the migration consumer; finish_migration then fails.
        req = {'resize': {'flavorRef': self.flavor2['id']}}
        self.api.post_server_action(server['id'], req)
        # The migration goes to 'error' only once the fault is recorded.
        self._wait_for_migration_status(server, ['error'])
        server = self._wait_for_state_change(server, 'ERROR')
        self.assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])
        self.assertIn('Virtual Interface creation failed',
                      server['fault']['message'])
        return server

    def test_finish_resize_fails_allocation_cleanup(self):
        self._start_compute('host1')
        server = self._boot_and_check_allocations(self.flavor1, 'host1')

        server = self._resize_and_assert_error(server, 'host1')

        rp_uuid = self._get_provider_uuid_by_host('host1')
        # The host carries the new flavor and nothing else: the old
        # flavor the migration held has been dropped, not reverted.
        self.assertFlavorMatchesUsage(rp_uuid, self.flavor2)
        # ... and it is the instance that holds it.
        self.assertFlavorMatchesAllocation(
            self.flavor2, server['id'], rp_uuid)
        migration_uuid = self.get_migration_uuid_for_instance(server['id'])
        self.assertEqual(
            {}, self._get_allocations_by_server_uuid(migration_uuid))
